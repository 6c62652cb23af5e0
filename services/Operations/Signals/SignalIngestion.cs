namespace ControlTower.Operations.Signals;

/// <summary>What happens when a source speaks again about a dedup key whose signal was resolved.</summary>
public enum RecurrencePolicy
{
    /// <summary>A new signal (PagerDuty: an alert after resolve is a new alert).</summary>
    NewSignal,

    /// <summary>The same signal back to New (Security Hub: a compliance flip resets the workflow to NEW).</summary>
    Reopen,
}

/// <summary>How a kind of signal behaves, per <c>triage-and-portal.md</c> §3 rules 1–3.</summary>
public sealed record KindPolicy(RecurrencePolicy Recurrence, bool AutoResolve, TimeSpan? StaleAfter);

/// <summary>One thing a source said: the signal it belongs to (by dedup key) fires or resolves.</summary>
public sealed record SignalObservation
{
    public required string Kind { get; init; }

    /// <summary>At most 255 characters; <see cref="SignalKeys.Dedup"/> shortens longer ones.</summary>
    public required string DedupKey { get; init; }

    /// <summary>What makes this observation unique within its dedup key, so a redelivery changes nothing.</summary>
    public required string ObservationId { get; init; }

    public required SourceCondition Condition { get; init; }

    public required DateTimeOffset At { get; init; }

    public required string Title { get; init; }

    public string? OriginalSeverity { get; init; }

    public required Severity Severity { get; init; }

    public string? Provider { get; init; }

    public string? Account { get; init; }

    public string? Resource { get; init; }

    /// <summary>Where the source names one (a release's target environment); else the account directory says.</summary>
    public string? Environment { get; init; }

    public string? Summary { get; init; }

    /// <summary>Source fields kept as JSON evidence.</summary>
    public string? Details { get; init; }

    /// <summary>
    /// The observation that clears this one (the resolved notification of the same alert instance, say): when it arrived
    /// first, this firing one counts as already resolved.
    /// </summary>
    public string? ClearedBy { get; init; }
}

public enum IngestDecision
{
    /// <summary>Nothing to do (a resolve for a signal never seen, say).</summary>
    Ignore,

    Create,

    Update,
}

/// <summary>What ingestion does to the current signal of a dedup key; pure.</summary>
public sealed record IngestOutcome(IngestDecision Decision, TriageState? State = null, bool Occurred = false, bool Reopened = false, bool AutoResolved = false);

public static class SignalIngestion
{
    /// <param name="lastSeen">When the current signal last fired.</param>
    public static IngestOutcome Decide(TriageState? current, DateTimeOffset? lastSeen, SignalObservation observation, KindPolicy policy)
    {
        // A clear older than the latest firing is late news about an earlier occurrence: it changes nothing.
        if (current is not null && observation.Condition == SourceCondition.Resolved && lastSeen is { } seen && observation.At < seen)
        {
            return new(IngestDecision.Ignore);
        }

        if (current is null || current.Status == TriageStatus.Closed
            || (current.Status == TriageStatus.Resolved && observation.Condition == SourceCondition.Firing && policy.Recurrence == RecurrencePolicy.NewSignal))
        {
            // A resolve for something never seen (or closed) leaves nothing to triage.
            return observation.Condition == SourceCondition.Firing
                ? new(IngestDecision.Create, new TriageState(TriageStatus.New, SourceCondition.Firing), Occurred: true)
                : new(IngestDecision.Ignore);
        }

        if (observation.Condition == SourceCondition.Firing)
        {
            // Rule 1: while open, count it and say so in the timeline; the status stays (no re-notify when acknowledged).
            // Rule 2 with the Reopen policy: a resolved finding that fires again is New again.
            var reopened = current.Status == TriageStatus.Resolved;
            var state = reopened
                ? current with { Status = TriageStatus.New, Condition = SourceCondition.Firing, Classification = null, Until = null }
                : current with { Condition = SourceCondition.Firing };
            return new(IngestDecision.Update, state, Occurred: true, Reopened: reopened);
        }

        // The source cleared. Rule 3: auto-resolve where the kind says so; a suppressed one resolves when its silence ends.
        var cleared = current with { Condition = SourceCondition.Resolved };
        if (policy.AutoResolve && SignalStateMachine.IsOpen(current.Status) && current.Status != TriageStatus.Suppressed)
        {
            return new(IngestDecision.Update,
                cleared with { Status = TriageStatus.Resolved, Classification = Classification.Undetermined, Until = null }, AutoResolved: true);
        }
        return new(IngestDecision.Update, cleared);
    }
}

/// <summary>The five canonical severities (Security Hub's labels); the original is kept beside.</summary>
public enum Severity
{
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

public static class SignalKeys
{
    public const int MaxDedupKeyLength = 255;

    /// <summary>The key as given when it fits, else its start and a SHA-256 of the whole, so it stays readable and unique.</summary>
    public static string Dedup(string key)
    {
        if (key.Length <= MaxDedupKeyLength)
        {
            return key;
        }
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        return key[..(MaxDedupKeyLength - hash.Length - 1)] + "#" + hash;
    }

    /// <summary>Azure <c>Sev0</c>–<c>Sev4</c>, the five labels in any case, PagerDuty's four; unknown reads as medium.</summary>
    public static Severity Canonical(string? original) => original?.Trim().ToLowerInvariant() switch
    {
        "sev0" or "critical" or "p1" => Severity.Critical,
        "sev1" or "high" or "error" or "p2" => Severity.High,
        "sev2" or "medium" or "warning" or "p3" => Severity.Medium,
        "sev3" or "low" or "p4" => Severity.Low,
        "sev4" or "informational" or "info" or "verbose" or "p5" => Severity.Informational,
        _ => Severity.Medium,
    };

    public static string Name(Severity severity) => severity.ToString().ToLowerInvariant();
}
