namespace ControlTower.Operations.Signals;

/// <summary>Signals and triage settings (section <c>Signals</c>).</summary>
public sealed class SignalsOptions
{
    public const string Section = "Signals";

    public TimeSpan MaxSnooze { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The longest a suppression may run: every suppression ends.</summary>
    public TimeSpan MaxSuppression { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often expired snoozes and suppressions, and stale signals, are swept.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most signals one bulk request may change.</summary>
    public int MaxBulkItems { get; set; } = 10_000;

    /// <summary>What signals of one incident share: any of <c>account</c>, <c>kind</c>, <c>provider</c>, <c>environment</c>, <c>team</c>, <c>severity</c>.</summary>
    public List<string> IncidentKeys { get; set; } = [];

    /// <summary>A signal joins an open incident whose last signal came within this window.</summary>
    public TimeSpan IncidentWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Per kind: <c>Recurrence</c> (NewSignal or Reopen), <c>AutoResolve</c>, <c>StaleAfter</c>; over the defaults.</summary>
    public Dictionary<string, KindSettings> Kinds { get; set; } = [];

    /// <summary>Failed console sign-ins by one actor in one account within <see cref="FailedLoginWindow"/> that make a signal.</summary>
    public int FailedLoginThreshold { get; set; } = 5;

    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(10);

    public static readonly string[] KnownIncidentKeys = ["account", "kind", "provider", "environment", "team", "severity"];

    public IReadOnlyList<string> EffectiveIncidentKeys => IncidentKeys.Count > 0 ? IncidentKeys : ["account", "kind"];

    public TriageLimits Limits => new(MaxSnooze, MaxSuppression);

    public KindPolicy Policy(string kind)
    {
        var policy = kind switch
        {
            // PagerDuty: a re-fire after resolve is a new alert; Azure keeps the condition apart from the response,
            // so an operator resolves. Azure Monitor keeps alerts 30 days: one still firing after that is stale.
            SignalKinds.Alert => new KindPolicy(RecurrencePolicy.NewSignal, AutoResolve: false, StaleAfter: TimeSpan.FromDays(30)),
            // Findings resolve when Governance sees the baseline restored, and reopen when it breaks again.
            SignalKinds.Drift => new KindPolicy(RecurrencePolicy.Reopen, AutoResolve: true, StaleAfter: null),
            SignalKinds.Guardrail => new KindPolicy(RecurrencePolicy.Reopen, AutoResolve: true, StaleAfter: null),
            SignalKinds.Release => new KindPolicy(RecurrencePolicy.Reopen, AutoResolve: true, StaleAfter: null),
            SignalKinds.DeadLetter => new KindPolicy(RecurrencePolicy.Reopen, AutoResolve: true, StaleAfter: null),
            // Stateless: an activity is always "fired" and never refreshed.
            _ => new KindPolicy(RecurrencePolicy.NewSignal, AutoResolve: false, StaleAfter: null),
        };
        if (Kinds.TryGetValue(kind, out var settings))
        {
            policy = new KindPolicy(settings.Recurrence ?? policy.Recurrence, settings.AutoResolve ?? policy.AutoResolve,
                settings.StaleAfter is { } stale ? (stale > TimeSpan.Zero ? stale : null) : policy.StaleAfter);
        }
        return policy;
    }
}

public sealed class KindSettings
{
    public RecurrencePolicy? Recurrence { get; set; }
    public bool? AutoResolve { get; set; }

    /// <summary>Zero turns the stale sweep off for the kind.</summary>
    public TimeSpan? StaleAfter { get; set; }
}

public static class SignalKinds
{
    public const string Alert = "alert";
    public const string Drift = "drift";
    public const string Guardrail = "guardrail";
    public const string Release = "release";
    public const string DeadLetter = "dead-letter";
    public const string Activity = "activity";

    public static readonly string[] All = [Alert, Drift, Guardrail, Release, DeadLetter, Activity];
}
