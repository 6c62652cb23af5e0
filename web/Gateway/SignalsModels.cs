using System.Text.Json;

namespace ControlTower.Web.Gateway;

/// <summary>One signal as <c>/api/signals</c> answers it.</summary>
public sealed record SignalSummary(
    long Id, string Kind, string DedupKey, string Title, string? Summary, string Severity, string? OriginalSeverity, string? Provider,
    string? Account, string? Resource, string? Environment, string? Owner, string? Team, string Condition, string Status,
    DateTimeOffset? Until, string? Classification, int Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long? IncidentId,
    string ETag, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record SignalPage(IReadOnlyList<SignalSummary> Items, string? Next);

public sealed record TimelineEntry(long Id, DateTimeOffset At, string Actor, string Type, string? From, string? To, string? Text);

public sealed record SignalDetail(SignalSummary Signal, JsonElement? Details, IReadOnlyList<TimelineEntry> Timeline);

/// <summary>The body of one triage action; which fields count depends on the action.</summary>
public sealed record TriageBody(string? Owner = null, string? Team = null, DateTimeOffset? Until = null, string? Reason = null,
    string? Classification = null, string? Text = null);

/// <summary>Which signals a bulk action covers: the queue's filter, or the ids of a selection.</summary>
public sealed record BulkFilter(
    string? Status = null, string? Severity = null, string? Kind = null, string? Source = null, string? Environment = null, string? Q = null,
    bool? Mine = null, bool? MyTeam = null, IReadOnlyList<long>? Ids = null);

public sealed record BulkBody(string Action, BulkFilter Filter, bool DryRun, string? Owner = null, string? Team = null,
    DateTimeOffset? Until = null, string? Reason = null, string? Classification = null, string? Text = null);

public sealed record BulkItem(long Id, string Outcome, string? Status, string? Detail);

public sealed record BulkOutcome(bool DryRun, int Matched, int Changed, int Forbidden, int Invalid, int Conflicts, IReadOnlyList<BulkItem> Items);

public sealed record IncidentSummary(
    long Id, string GroupKey, string Title, string Status, long? MergedInto, int Signals, int OpenSignals, DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen, string ETag, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record IncidentList(IReadOnlyList<IncidentSummary> Items, string? Next);

public sealed record IncidentDetail(IncidentSummary Incident, IReadOnlyList<SignalSummary> Signals, IReadOnlyList<TimelineEntry> Timeline);

public sealed record MergeBody(IReadOnlyList<long> IncidentIds, string? Reason);

public sealed record SplitBody(IReadOnlyList<long> SignalIds, string? Title, string? Reason);

/// <summary>The words and tones the signal pages share.</summary>
public static class SignalText
{
    public static readonly string[] Severities = ["critical", "high", "medium", "low", "informational"];

    /// <summary>The statuses a signal can be in; the queue shows the open ones unless asked otherwise.</summary>
    public static readonly string[] Statuses = ["new", "acknowledged", "snoozed", "suppressed", "resolved", "closed"];

    public const string OpenStatuses = "new,acknowledged,snoozed,suppressed";

    public static readonly string[] Sources = ["aws", "azure", "pipelines", "platform", "unknown"];

    public static readonly string[] Kinds = ["alert", "drift", "guardrail", "release", "dead-letter", "activity"];

    public static readonly (string Value, string Label)[] Classifications =
    [
        ("truePositive", "True positive"), ("benignPositive", "Benign positive"), ("falsePositive", "False positive"), ("undetermined", "Undetermined"),
    ];

    public static string SeverityTone(string severity) => severity switch
    {
        "critical" => "tone-critical",
        "high" => "tone-high",
        "medium" => "tone-medium",
        "low" => "tone-low",
        _ => "tone-info",
    };

    public static string StatusTone(string status) => status switch
    {
        "new" => "tone-danger",
        "acknowledged" => "tone-accent",
        "snoozed" or "suppressed" => "tone-neutral",
        "resolved" or "closed" => "tone-success",
        _ => "tone-neutral",
    };

    public static string ClassificationLabel(string? value) =>
        Classifications.FirstOrDefault(c => c.Value == value).Label ?? value ?? "";

    /// <summary>A timeline entry in words.</summary>
    public static string Describe(TimelineEntry entry) => entry.Type switch
    {
        "status" => $"{entry.From} → {entry.To}" + (entry.Text is { Length: > 0 } t ? $" ({Classify(t)})" : ""),
        "assigned" => $"assigned {entry.From ?? "nobody"} → {entry.To ?? "nobody"}",
        "grouped" => entry.From is null ? $"grouped into incident {entry.To}" : $"moved from incident {entry.From} to {entry.To}" + (entry.Text is null ? "" : $" ({entry.Text})"),
        "note" => entry.Text ?? "",
        "created" => $"created as {entry.To ?? "new"}" + (entry.Text is { Length: > 0 } created ? $": {created}" : ""),
        "occurred" => entry.Text ?? "occurred again",
        "condition" => $"source condition {entry.From} → {entry.To}",
        _ => string.Join(" ", new[] { entry.Type, entry.From is null ? null : $"from {entry.From}", entry.To is null ? null : $"to {entry.To}", entry.Text }
            .Where(p => p is not null)),
    };

    private static string Classify(string text) => Classifications.FirstOrDefault(c => c.Value == text).Label ?? text;
}
