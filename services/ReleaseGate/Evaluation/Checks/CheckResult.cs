using System.Globalization;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;

namespace ControlTower.ReleaseGate.Evaluation.Checks;

/// <summary>What one check found, before the rule's severity and any waiver are applied.</summary>
public sealed record CheckResult(
    GateOutcome Outcome,
    string Reason,
    string Explanation,
    SortedDictionary<string, string> Observed,
    SortedDictionary<string, string> Expected,
    IReadOnlyList<string> EvidenceIds)
{
    public static SortedDictionary<string, string> Facts(params (string Key, string Value)[] facts)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in facts)
        {
            map[key] = value;
        }
        return map;
    }

    /// <summary>The outcome a rule's no-data policy gives when the evidence is missing, stale or for another revision.</summary>
    public static GateOutcome NoData(GateRule rule) => rule.NoData switch
    {
        NoDataPolicy.Fail => GateOutcome.Fail,
        NoDataPolicy.Warn => GateOutcome.Warn,
        _ => GateOutcome.Inconclusive,
    };
}

/// <summary>The release, the evaluation time, and the evidence that may be looked at, sorted newest first.</summary>
public sealed class CheckContext
{
    public CheckContext(GatePolicy policy, ReleaseClaim release, DateTimeOffset evaluatedAt, IEnumerable<EvidenceItem> items)
    {
        Policy = policy;
        Release = release;
        EvaluatedAt = evaluatedAt;
        // Evidence collected after the evaluation time did not exist yet for this verdict; ties are broken by id
        // and digest so that the order the items arrived in can never matter.
        var usable = items
            .Where(i => i.CollectedAt <= evaluatedAt)
            .OrderByDescending(i => i.CollectedAt)
            .ThenByDescending(i => i.Id, StringComparer.Ordinal)
            .ThenByDescending(i => i.Digest, StringComparer.Ordinal)
            .ToList();
        bool Ours(EvidenceItem i) => i.Service == release.Service && i.Environment == release.Environment;
        SmokeRuns = [.. usable.OfType<SmokeRunEvidence>().Where(Ours)];
        Truth = [.. usable.OfType<TruthObservation>().Where(Ours)];
        Approvals = [.. usable.OfType<ApprovalEvidence>().Where(Ours)];
        Metrics = [.. usable.OfType<MetricSample>().Where(Ours)];
        // Findings are about accounts and subscriptions, not services: they match on the release's targets.
        Findings = [.. usable.OfType<FindingsSnapshot>()];
        Waivers = [.. usable.OfType<Waiver>()];
    }

    public GatePolicy Policy { get; }
    public ReleaseClaim Release { get; }
    public DateTimeOffset EvaluatedAt { get; }
    public IReadOnlyList<SmokeRunEvidence> SmokeRuns { get; }
    public IReadOnlyList<TruthObservation> Truth { get; }
    public IReadOnlyList<ApprovalEvidence> Approvals { get; }
    public IReadOnlyList<MetricSample> Metrics { get; }
    public IReadOnlyList<FindingsSnapshot> Findings { get; }
    public IReadOnlyList<Waiver> Waivers { get; }

    public TimeSpan Age(DateTimeOffset at) => at >= EvaluatedAt ? TimeSpan.Zero : EvaluatedAt - at;

    public bool IsReleaseCommit(string? commit) => commit is not null && string.Equals(commit, Release.Commit, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Invariant formatting for explanations, so the words are as reproducible as the data.</summary>
public static class Words
{
    public static string Duration(TimeSpan span)
    {
        var seconds = (long)span.TotalSeconds;
        var parts = new List<string>();
        if (seconds >= 86400) { parts.Add(Invariant($"{seconds / 86400}d")); seconds %= 86400; }
        if (seconds >= 3600) { parts.Add(Invariant($"{seconds / 3600}h")); seconds %= 3600; }
        if (seconds >= 60) { parts.Add(Invariant($"{seconds / 60}m")); seconds %= 60; }
        if (seconds > 0 || parts.Count == 0) { parts.Add(Invariant($"{seconds}s")); }
        return string.Concat(parts);
    }

    public static string Rate(decimal rate) => Math.Round(rate, 4, MidpointRounding.ToEven).ToString("0.####", CultureInfo.InvariantCulture);

    public static string Number(decimal value) => CanonicalJson.Decimal(value);

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset value) => CanonicalJson.Time(value);

    public static string List(IEnumerable<string> values) => string.Join(", ", values);

    public static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    public static string Short(string commit) => commit.Length > 12 ? commit[..12] : commit;
}
