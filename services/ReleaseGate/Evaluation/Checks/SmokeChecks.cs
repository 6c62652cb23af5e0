using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;
using static ControlTower.ReleaseGate.Evaluation.Checks.CheckResult;
using static ControlTower.ReleaseGate.Evaluation.Checks.Words;

namespace ControlTower.ReleaseGate.Evaluation.Checks;

/// <summary><c>smoke.passRate</c> and <c>smoke.requiredSuites</c>.</summary>
public static class SmokeChecks
{
    public static CheckResult PassRate(SmokePassRateRule rule, CheckContext context)
    {
        var expected = Facts(("commit", context.Release.Commit), ("minPassRate", Number(rule.MinPassRate)), ("maxAge", Words.Duration(rule.MaxAge)));
        if (Unusable(rule, context, rule.MaxAge, expected, out var fresh) is { } missing)
        {
            return missing;
        }

        // The newest run of each suite counts; an older run of a suite that ran again does not.
        var counts = SmokeCounts.Zero;
        var used = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var suite in fresh.SelectMany(r => r.Run.Suites.Select(s => s.Name)).Distinct(StringComparer.Ordinal))
        {
            var run = fresh.First(r => r.Run.Suites.Any(s => s.Name == suite));
            counts = counts.Add(run.Run.Suites.First(s => s.Name == suite).Counts);
            used.Add(run.Id);
        }
        var observed = Facts(
            ("total", Number(counts.Total)), ("passed", Number(counts.Passed)), ("failed", Number(counts.Failed)),
            ("errored", Number(counts.Errored)), ("skipped", Number(counts.Skipped)),
            ("age", Words.Duration(context.Age(fresh[0].CollectedAt))));
        if (counts.PassRate is not { } rate)
        {
            return new CheckResult(NoData(rule), "NoTestsRan",
                Invariant($"the smoke runs for commit {Short(context.Release.Commit)} ran no test (all {counts.Total} skipped or none listed)"),
                observed, expected, [.. used]);
        }
        observed["passRate"] = Number(rate);
        var ran = counts.Total - counts.Skipped;
        var detail = Invariant($"{counts.Passed} of {ran} run passed, {counts.Failed} failed, {counts.Errored} errored, {counts.Skipped} skipped");
        return rate >= rule.MinPassRate
            ? new CheckResult(GateOutcome.Pass, "PassRateMet", Invariant($"pass rate {Rate(rate)} ({detail}) meets the minimum {Number(rule.MinPassRate)}"), observed, expected, [.. used])
            : new CheckResult(GateOutcome.Fail, "PassRateBelowMinimum", Invariant($"pass rate {Rate(rate)} ({detail}) is below the minimum {Number(rule.MinPassRate)}"), observed, expected, [.. used]);
    }

    public static CheckResult RequiredSuites(RequiredSuitesRule rule, CheckContext context)
    {
        var expected = Facts(("commit", context.Release.Commit), ("suites", List(rule.Suites)), ("maxAge", Words.Duration(rule.MaxAge)));
        var observed = Facts();
        var evidence = new SortedSet<string>(StringComparer.Ordinal);
        var failing = new List<string>();
        var missing = new List<string>();
        foreach (var name in rule.Suites)
        {
            bool Has(SmokeRunEvidence r) => r.Run.Suites.Any(s => s.Name == name);
            var run = context.SmokeRuns.FirstOrDefault(r => Has(r) && context.IsReleaseCommit(r.Commit) && context.Age(At(r)) <= rule.MaxAge);
            if (run is null)
            {
                var other = context.SmokeRuns.FirstOrDefault(Has);
                observed["suite." + name] = other is null ? "no run"
                    : !context.IsReleaseCommit(other.Commit) ? Invariant($"only runs for commit {Short(other.Commit)}")
                    : Invariant($"newest run is {Words.Duration(context.Age(At(other)))} old");
                missing.Add(name);
                continue;
            }
            evidence.Add(run.Id);
            var counts = run.Run.Suites.First(s => s.Name == name).Counts;
            if (counts.Failed + counts.Errored > 0)
            {
                observed["suite." + name] = Invariant($"{counts.Failed} failed and {counts.Errored} errored of {counts.Total}");
                failing.Add(name);
            }
            else if (counts.PassRate is null)
            {
                observed["suite." + name] = "ran no test";
                missing.Add(name);
            }
            else
            {
                observed["suite." + name] = Invariant($"{counts.Passed} passed of {counts.Total}");
            }
        }
        if (failing.Count > 0)
        {
            return new CheckResult(GateOutcome.Fail, "RequiredSuiteFailed", $"required suite(s) failed: {List(failing)}", observed, expected, [.. evidence]);
        }
        if (missing.Count > 0)
        {
            return new CheckResult(NoData(rule), "RequiredSuiteMissing",
                Invariant($"no fresh passing run for commit {Short(context.Release.Commit)} of: {List(missing)}"), observed, expected, [.. evidence]);
        }
        return new CheckResult(GateOutcome.Pass, "RequiredSuitesPassed", $"every required suite passed: {List(rule.Suites)}", observed, expected, [.. evidence]);
    }

    /// <summary>When the run finished, if the report says; otherwise when it was posted.</summary>
    private static DateTimeOffset At(SmokeRunEvidence run) => run.Run.FinishedAt is { } finished && finished <= run.CollectedAt ? finished : run.CollectedAt;

    /// <summary>The no-data answer when no fresh run for the release's commit exists; otherwise null and those runs, newest first.</summary>
    private static CheckResult? Unusable(GateRule rule, CheckContext context, TimeSpan maxAge, SortedDictionary<string, string> expected, out List<SmokeRunEvidence> fresh)
    {
        var forCommit = context.SmokeRuns.Where(r => context.IsReleaseCommit(r.Commit)).ToList();
        fresh = [.. forCommit.Where(r => context.Age(At(r)) <= maxAge)];
        if (fresh.Count > 0)
        {
            return null;
        }
        if (forCommit.Count > 0)
        {
            var age = context.Age(At(forCommit[0]));
            return new CheckResult(NoData(rule), "EvidenceStale",
                Invariant($"the newest smoke run for commit {Short(context.Release.Commit)} is {Words.Duration(age)} old; the limit is {Words.Duration(maxAge)}"),
                Facts(("age", Words.Duration(age))), expected, [forCommit[0].Id]);
        }
        if (context.SmokeRuns.Count > 0)
        {
            var other = context.SmokeRuns[0];
            return new CheckResult(NoData(rule), "SmokeForDifferentRevision",
                Invariant($"smoke runs exist only for other commits (newest: {Short(other.Commit)}), none for {Short(context.Release.Commit)}"),
                Facts(("commit", other.Commit)), expected, [other.Id]);
        }
        return new CheckResult(NoData(rule), "NoSmokeRun",
            Invariant($"no smoke run has been posted for {context.Release.Service} in {context.Release.Environment}"), Facts(), expected, []);
    }
}
