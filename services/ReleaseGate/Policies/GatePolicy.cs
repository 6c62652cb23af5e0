namespace ControlTower.ReleaseGate.Policies;

/// <summary>How much a rule's outcome counts: it can block, only warn, or be watched without counting (dry run).</summary>
public enum RuleSeverity
{
    Blocking,
    Warning,
    DryRun,
}

/// <summary>What a rule answers when it has no (fresh, matching) evidence. There is deliberately no "pass".</summary>
public enum NoDataPolicy
{
    Inconclusive,
    Warn,
    Fail,
}

/// <summary>Finding severities, in increasing order, as Governance raises them.</summary>
public enum FindingSeverity
{
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>The comparison a metric threshold makes: observed value OP threshold must hold.</summary>
public enum MetricComparison
{
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    Equal,
}

/// <summary>A gate policy as loaded from YAML: which releases it covers, its calendars and its ordered rules.</summary>
public sealed record GatePolicy
{
    public required string Id { get; init; }
    public required int Version { get; init; }
    /// <summary>Service the policy covers, or <c>*</c> for any.</summary>
    public required string Service { get; init; }
    /// <summary>Environment the policy covers, or <c>*</c> for any.</summary>
    public required string Environment { get; init; }
    public required IReadOnlyList<FreezeCalendar> Calendars { get; init; }
    public required IReadOnlyList<GateRule> Rules { get; init; }
}

/// <summary>One rule: its identity and how it counts, plus the parameters of its kind.</summary>
public abstract record GateRule
{
    public required string Id { get; init; }
    public required RuleSeverity Severity { get; init; }
    public required NoDataPolicy NoData { get; init; }
    /// <summary>The kind as written in YAML, e.g. <c>smoke.passRate</c>.</summary>
    public abstract string Kind { get; }
}

/// <summary><c>smoke.passRate</c>: the newest run of each suite for the release's commit passes at least this share.</summary>
public sealed record SmokePassRateRule : GateRule
{
    public const string KindName = "smoke.passRate";
    public override string Kind => KindName;
    /// <summary>Between 0 and 1: passed / (total − skipped).</summary>
    public required decimal MinPassRate { get; init; }
    public required TimeSpan MaxAge { get; init; }
}

/// <summary><c>smoke.requiredSuites</c>: each named suite has a fresh run for the release's commit with no failure.</summary>
public sealed record RequiredSuitesRule : GateRule
{
    public const string KindName = "smoke.requiredSuites";
    public override string Kind => KindName;
    public required IReadOnlyList<string> Suites { get; init; }
    public required TimeSpan MaxAge { get; init; }
}

/// <summary><c>truth.deployment</c>: every replica runs the claimed version, commit and image digest.</summary>
public sealed record DeploymentTruthRule : GateRule
{
    public const string KindName = "truth.deployment";
    public override string Kind => KindName;
    public required bool CheckVersion { get; init; }
    public required bool CheckCommit { get; init; }
    public required bool CheckDigest { get; init; }
    public required int MinReplicas { get; init; }
    public required TimeSpan MaxAge { get; init; }
}

/// <summary><c>findings.maxSeverity</c>: no open drift or guardrail finding above a severity in the release's targets.</summary>
public sealed record OpenFindingsRule : GateRule
{
    public const string KindName = "findings.maxSeverity";
    public override string Kind => KindName;
    /// <summary>The highest severity still allowed to be open.</summary>
    public required FindingSeverity MaxAllowed { get; init; }
    public required TimeSpan MaxAge { get; init; }
}

/// <summary><c>freeze.calendars</c>: none of the named calendars (all of the policy's when empty) is closed.</summary>
public sealed record FreezeWindowRule : GateRule
{
    public const string KindName = "freeze.calendars";
    public override string Kind => KindName;
    public required IReadOnlyList<string> Calendars { get; init; }
}

/// <summary><c>approval.required</c>: this many distinct approvers other than the requester approved the commit.</summary>
public sealed record ApprovalRule : GateRule
{
    public const string KindName = "approval.required";
    public override string Kind => KindName;
    public required int Count { get; init; }
}

/// <summary><c>metric.threshold</c>: the newest fresh sample of a metric posted as evidence satisfies a comparison.</summary>
public sealed record MetricThresholdRule : GateRule
{
    public const string KindName = "metric.threshold";
    public override string Kind => KindName;
    public required string Metric { get; init; }
    public required MetricComparison Comparison { get; init; }
    public required decimal Threshold { get; init; }
    public required TimeSpan MaxAge { get; init; }
}

/// <summary>A change calendar: open by default, closed during any of its windows, read in its own IANA time zone.</summary>
public sealed record FreezeCalendar
{
    public required string Name { get; init; }
    public required string TimeZone { get; init; }
    public required IReadOnlyList<FreezeWindow> Windows { get; init; }
}

/// <summary>A closed period: either a cron start plus a duration, or a local date-time range [from, to).</summary>
public sealed record FreezeWindow
{
    public string? Cron { get; init; }
    public TimeSpan? Duration { get; init; }
    public DateTime? From { get; init; }
    public DateTime? To { get; init; }
    public string? Reason { get; init; }
}
