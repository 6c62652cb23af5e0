using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;
using static ControlTower.ReleaseGate.Evaluation.Checks.CheckResult;
using static ControlTower.ReleaseGate.Evaluation.Checks.Words;

namespace ControlTower.ReleaseGate.Evaluation.Checks;

/// <summary><c>findings.maxSeverity</c>: per target account or subscription, the newest fresh findings snapshot has nothing above the limit.</summary>
public static class FindingsChecks
{
    public static CheckResult MaxSeverity(OpenFindingsRule rule, CheckContext context)
    {
        var targets = context.Release.Targets.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var expected = Facts(("maxSeverity", rule.MaxAllowed.ToString().ToLowerInvariant()), ("maxAge", Words.Duration(rule.MaxAge)), ("targets", List(targets)));
        if (targets.Count == 0)
        {
            return new CheckResult(NoData(rule), "NoTargets", "the release names no target account or subscription to check", Facts(), expected, []);
        }
        var observed = Facts();
        var evidence = new SortedSet<string>(StringComparer.Ordinal);
        var above = new List<OpenFinding>();
        var unknown = new List<string>();
        foreach (var target in targets)
        {
            var snapshot = context.Findings.FirstOrDefault(f => f.Scope == target);
            if (snapshot is null || context.Age(snapshot.CollectedAt) > rule.MaxAge)
            {
                unknown.Add(target);
                observed["scope." + target] = snapshot is null ? "no findings snapshot" : Invariant($"snapshot {Words.Duration(context.Age(snapshot.CollectedAt))} old");
                continue;
            }
            evidence.Add(snapshot.Id);
            var over = snapshot.Findings.Where(f => f.Severity > rule.MaxAllowed).OrderBy(f => f.Id, StringComparer.Ordinal).ToList();
            above.AddRange(over);
            observed["scope." + target] = over.Count == 0
                ? Invariant($"{snapshot.Findings.Count} open, none above {rule.MaxAllowed.ToString().ToLowerInvariant()}")
                : List(over.Select(f => $"{f.Id} ({f.Severity.ToString().ToLowerInvariant()}, {f.Control})"));
        }
        if (above.Count > 0)
        {
            return new CheckResult(GateOutcome.Fail, "OpenFindingAboveSeverity",
                Invariant($"{above.Count} open finding(s) above {rule.MaxAllowed.ToString().ToLowerInvariant()}: {List(above.Select(f => $"{f.Id} {f.Control} on {f.Subject}"))}"),
                observed, expected, [.. evidence]);
        }
        if (unknown.Count > 0)
        {
            return new CheckResult(NoData(rule), "FindingsUnknown", $"no fresh findings snapshot for: {List(unknown)}", observed, expected, [.. evidence]);
        }
        return new CheckResult(GateOutcome.Pass, "NoFindingAboveSeverity",
            $"no open finding above {rule.MaxAllowed.ToString().ToLowerInvariant()} in {List(targets)}", observed, expected, [.. evidence]);
    }
}
