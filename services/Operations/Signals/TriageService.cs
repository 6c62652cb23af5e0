using System.Text.Json;
using ControlTower.Operations.Audit;
using ControlTower.Operations.Data;
using Microsoft.Extensions.Options;

namespace ControlTower.Operations.Signals;

/// <summary>
/// Applies one operator command to one tracked signal: the state machine decides, and the change goes to the signal,
/// its timeline and the audit log together. The caller saves (one request, or one chunk of a bulk action).
/// </summary>
public sealed class TriageService(OperationsDbContext db, Outbox<OperationsDbContext> outbox, IOptions<SignalsOptions> options, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public TriageOutcome Apply(SignalRecord signal, TriageCommand command, Caller caller)
    {
        var now = clock.GetUtcNow();
        var before = signal.State;
        var outcome = SignalStateMachine.Apply(before, command, now, options.Value.Limits);
        if (!outcome.Succeeded)
        {
            return outcome;
        }
        var after = outcome.State;
        signal.Set(after);
        signal.Version++;
        signal.UpdatedAt = now;

        var action = SignalStateMachine.Name(command.Action);
        if (before.Status != after.Status)
        {
            db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, caller.Actor, "status",
                SignalStateMachine.Name(before.Status), SignalStateMachine.Name(after.Status), Describe(command, after)));
        }
        if (before.Owner != after.Owner || before.Team != after.Team)
        {
            db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, caller.Actor, "assigned",
                Who(before), Who(after)));
        }
        if (command.Action == TriageAction.Note)
        {
            db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, caller.Actor, "note", text: command.Note));
        }
        else if (command.Note is { Length: > 0 } note && command.Action != TriageAction.Suppress)
        {
            db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, caller.Actor, "note", text: note));
        }
        db.AuditLog.Add(AuditTrail.Entry(caller, now, "signal." + action, "signal", signal.Id.ToString(),
            Snapshot(before), Snapshot(after), command.Reason ?? command.Note));
        if (after.Status is TriageStatus.Resolved or TriageStatus.Closed && before.Status is not (TriageStatus.Resolved or TriageStatus.Closed)
            && ResolutionFor(signal, after, caller, now) is { } resolved)
        {
            outbox.Add(resolved);
        }
        return outcome;
    }

    /// <summary>
    /// What the source hears when a person resolves one of its signals: a guardrail finding (which no event closes) is
    /// closed by Governance unless broken again after the occurrence this signal last saw. Null for other kinds.
    /// </summary>
    public static ControlTower.Contracts.Operations.SignalResolved? ResolutionFor(SignalRecord signal, TriageState after, Caller caller, DateTimeOffset now)
    {
        if (signal.Kind != SignalKinds.Guardrail || signal.Details is null)
        {
            return null;
        }
        using var details = JsonDocument.Parse(signal.Details);
        if (!details.RootElement.TryGetProperty("findingId", out var finding) || !details.RootElement.TryGetProperty("occurrence", out var occurrence))
        {
            return null;
        }
        return new ControlTower.Contracts.Operations.SignalResolved
        {
            SignalId = signal.Id,
            Kind = signal.Kind,
            Source = "governance",
            SourceId = finding.GetString(),
            SourceOccurrence = occurrence.GetInt32(),
            Classification = (after.Classification ?? Classification.Undetermined).ToString(),
            ResolvedBy = caller.Actor,
            ResolvedAt = now,
        };
    }

    public static string Snapshot(TriageState state) => JsonSerializer.Serialize(new
    {
        status = SignalStateMachine.Name(state.Status),
        condition = SignalIngestor.Name(state.Condition),
        until = state.Until,
        classification = state.Classification is { } c ? SignalsJson.Name(c) : null,
        owner = state.Owner,
        team = state.Team,
    }, Json);

    private static string? Who(TriageState state) => state.Owner is null && state.Team is null ? null : $"{state.Owner ?? "-"} / {state.Team ?? "-"}";

    private static string? Describe(TriageCommand command, TriageState after) => command.Action switch
    {
        TriageAction.Snooze => $"until {after.Until:O}",
        TriageAction.Suppress => $"until {after.Until:O}: {command.Reason}",
        TriageAction.Resolve or TriageAction.Close => after.Classification is { } c ? SignalsJson.Name(c) : null,
        _ => null,
    };
}

public static class SignalsJson
{
    public static string Name(Classification classification) => classification switch
    {
        Classification.TruePositive => "truePositive",
        Classification.BenignPositive => "benignPositive",
        Classification.FalsePositive => "falsePositive",
        _ => "undetermined",
    };

    public static Classification? ParseClassification(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "truepositive" or "true-positive" or "true_positive" => Classification.TruePositive,
        "benignpositive" or "benign-positive" or "benign_positive" => Classification.BenignPositive,
        "falsepositive" or "false-positive" or "false_positive" => Classification.FalsePositive,
        "undetermined" => Classification.Undetermined,
        _ => null,
    };

    public static TriageStatus? ParseStatus(string value) => value.Trim().ToLowerInvariant() switch
    {
        "new" => TriageStatus.New,
        "acknowledged" => TriageStatus.Acknowledged,
        "snoozed" => TriageStatus.Snoozed,
        "suppressed" => TriageStatus.Suppressed,
        "resolved" => TriageStatus.Resolved,
        "closed" => TriageStatus.Closed,
        _ => null,
    };

    public static SourceCondition? ParseCondition(string value) => value.Trim().ToLowerInvariant() switch
    {
        "firing" => SourceCondition.Firing,
        "resolved" => SourceCondition.Resolved,
        "stale" => SourceCondition.Stale,
        _ => null,
    };

    public static Severity? ParseSeverity(string value) => value.Trim().ToLowerInvariant() switch
    {
        "critical" => Severity.Critical,
        "high" => Severity.High,
        "medium" => Severity.Medium,
        "low" => Severity.Low,
        "informational" => Severity.Informational,
        _ => null,
    };

    public static TriageAction? ParseAction(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "acknowledge" => TriageAction.Acknowledge,
        "assign" => TriageAction.Assign,
        "snooze" => TriageAction.Snooze,
        "suppress" => TriageAction.Suppress,
        "note" => TriageAction.Note,
        "resolve" => TriageAction.Resolve,
        "reopen" => TriageAction.Reopen,
        "close" => TriageAction.Close,
        _ => null,
    };
}
