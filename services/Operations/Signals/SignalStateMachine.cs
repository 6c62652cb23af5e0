namespace ControlTower.Operations.Signals;

/// <summary>What the source says about a signal; set by ingestion alone.</summary>
public enum SourceCondition
{
    Firing,
    Resolved,
    Stale,
}

/// <summary>What people (or automation on their behalf) decided about a signal.</summary>
public enum TriageStatus
{
    New,
    Acknowledged,
    Snoozed,
    Suppressed,
    Resolved,
    Closed,
}

public enum Classification
{
    TruePositive,
    BenignPositive,
    FalsePositive,
    Undetermined,
}

public enum TriageAction
{
    Acknowledge,
    Assign,
    Snooze,
    Suppress,
    Note,
    Resolve,
    Reopen,
    Close,
}

/// <summary>The part of a signal the triage machine reads and writes.</summary>
public sealed record TriageState(
    TriageStatus Status,
    SourceCondition Condition,
    DateTimeOffset? Until = null,
    Classification? Classification = null,
    string? Owner = null,
    string? Team = null);

/// <summary>One operator command; which fields count depends on the action.</summary>
public sealed record TriageCommand(
    TriageAction Action,
    DateTimeOffset? Until = null,
    string? Reason = null,
    Classification? Classification = null,
    string? Owner = null,
    string? Team = null,
    string? Note = null);

public enum TriageFault
{
    None,

    /// <summary>The action is not allowed from the current status (409).</summary>
    Forbidden,

    /// <summary>A field of the command is missing or out of range (400).</summary>
    Invalid,
}

public sealed record TriageOutcome(TriageState State, TriageFault Fault = TriageFault.None, string? Field = null, string? Message = null)
{
    public bool Succeeded => Fault == TriageFault.None;
}

public sealed record TriageLimits(TimeSpan MaxSnooze, TimeSpan MaxSuppression)
{
    public static readonly TriageLimits Default = new(TimeSpan.FromDays(7), TimeSpan.FromDays(30));
}

/// <summary>
/// The triage state machine of <c>triage-and-portal.md</c> §3, with no clock or database: the caller passes the time.
/// Snooze only from Acknowledged; suppress needs an expiry within the limit and a reason; resolve and close need a
/// classification; Closed is read-only.
/// </summary>
public static class SignalStateMachine
{
    public const int MaxTextLength = 2000;

    public static IReadOnlyList<TriageStatus> AllowedFrom(TriageAction action) => action switch
    {
        TriageAction.Acknowledge => [TriageStatus.New],
        TriageAction.Snooze => [TriageStatus.Acknowledged],
        TriageAction.Suppress => [TriageStatus.New, TriageStatus.Acknowledged, TriageStatus.Snoozed],
        TriageAction.Resolve => [TriageStatus.New, TriageStatus.Acknowledged, TriageStatus.Snoozed, TriageStatus.Suppressed],
        TriageAction.Reopen => [TriageStatus.Resolved],
        TriageAction.Close => [TriageStatus.New, TriageStatus.Acknowledged, TriageStatus.Snoozed, TriageStatus.Suppressed, TriageStatus.Resolved],
        TriageAction.Assign or TriageAction.Note =>
            [TriageStatus.New, TriageStatus.Acknowledged, TriageStatus.Snoozed, TriageStatus.Suppressed, TriageStatus.Resolved],
        _ => [],
    };

    public static TriageOutcome Apply(TriageState state, TriageCommand command, DateTimeOffset now, TriageLimits limits)
    {
        if (!AllowedFrom(command.Action).Contains(state.Status))
        {
            return new(state, TriageFault.Forbidden, null,
                $"'{Name(command.Action)}' is not allowed while the signal is {Name(state.Status)}; it is allowed from "
                + string.Join(", ", AllowedFrom(command.Action).Select(Name)) + ".");
        }

        switch (command.Action)
        {
            case TriageAction.Acknowledge:
                return new(state with { Status = TriageStatus.Acknowledged });

            case TriageAction.Assign:
                if (IsBlank(command.Owner) && IsBlank(command.Team))
                {
                    return Invalid(state, "owner", "Name an owner, a team or both.");
                }
                if (TooLong(command.Owner) || TooLong(command.Team, 128))
                {
                    return Invalid(state, TooLong(command.Owner) ? "owner" : "team", "Too long.");
                }
                // Handing a snoozed signal to someone else cancels the snooze: the new owner has not seen it.
                return new(state with
                {
                    Owner = IsBlank(command.Owner) ? state.Owner : command.Owner!.Trim(),
                    Team = IsBlank(command.Team) ? state.Team : command.Team!.Trim(),
                    Status = state.Status == TriageStatus.Snoozed ? TriageStatus.New : state.Status,
                    Until = state.Status == TriageStatus.Snoozed ? null : state.Until,
                });

            case TriageAction.Snooze:
                if (ValidateUntil(state, command.Until, now, limits.MaxSnooze) is { } snoozeFault)
                {
                    return snoozeFault;
                }
                return new(state with { Status = TriageStatus.Snoozed, Until = command.Until });

            case TriageAction.Suppress:
                if (ValidateUntil(state, command.Until, now, limits.MaxSuppression) is { } suppressFault)
                {
                    return suppressFault;
                }
                if (IsBlank(command.Reason))
                {
                    return Invalid(state, "reason", "A suppression needs a reason.");
                }
                if (TooLong(command.Reason, MaxTextLength))
                {
                    return Invalid(state, "reason", $"At most {MaxTextLength} characters.");
                }
                return new(state with { Status = TriageStatus.Suppressed, Until = command.Until });

            case TriageAction.Note:
                if (IsBlank(command.Note))
                {
                    return Invalid(state, "text", "A note needs text.");
                }
                if (TooLong(command.Note, MaxTextLength))
                {
                    return Invalid(state, "text", $"At most {MaxTextLength} characters.");
                }
                return new(state);

            case TriageAction.Resolve:
                if (command.Classification is null)
                {
                    return Invalid(state, "classification", "Resolving needs a classification: truePositive, benignPositive, falsePositive or undetermined.");
                }
                return new(state with { Status = TriageStatus.Resolved, Classification = command.Classification, Until = null });

            case TriageAction.Close:
                var classification = command.Classification ?? (state.Status == TriageStatus.Resolved ? state.Classification : null);
                if (classification is null)
                {
                    return Invalid(state, "classification", "Closing an unresolved signal needs a classification.");
                }
                return new(state with { Status = TriageStatus.Closed, Classification = classification, Until = null });

            case TriageAction.Reopen:
                return new(state with { Status = TriageStatus.New, Classification = null, Until = null });

            default:
                return Invalid(state, "action", "Unknown action.");
        }
    }

    /// <summary>A snooze or suppression whose time has come: snoozed returns to New; suppressed returns to New while
    /// the source still fires, else it is resolved as Undetermined.</summary>
    public static TriageState? Expire(TriageState state, DateTimeOffset now)
    {
        if (state.Until is not { } until || until > now)
        {
            return null;
        }
        return state.Status switch
        {
            TriageStatus.Snoozed => state with { Status = TriageStatus.New, Until = null },
            TriageStatus.Suppressed when state.Condition == SourceCondition.Resolved =>
                state with { Status = TriageStatus.Resolved, Until = null, Classification = Signals.Classification.Undetermined },
            TriageStatus.Suppressed => state with { Status = TriageStatus.New, Until = null },
            _ => null,
        };
    }

    public static bool IsOpen(TriageStatus status) => status is not (TriageStatus.Resolved or TriageStatus.Closed);

    public static string Name(TriageStatus status) => status switch
    {
        TriageStatus.New => "new",
        TriageStatus.Acknowledged => "acknowledged",
        TriageStatus.Snoozed => "snoozed",
        TriageStatus.Suppressed => "suppressed",
        TriageStatus.Resolved => "resolved",
        _ => "closed",
    };

    public static string Name(TriageAction action) => action switch
    {
        TriageAction.Acknowledge => "acknowledge",
        TriageAction.Assign => "assign",
        TriageAction.Snooze => "snooze",
        TriageAction.Suppress => "suppress",
        TriageAction.Note => "note",
        TriageAction.Resolve => "resolve",
        TriageAction.Reopen => "reopen",
        _ => "close",
    };

    private static TriageOutcome? ValidateUntil(TriageState state, DateTimeOffset? until, DateTimeOffset now, TimeSpan max)
    {
        if (until is null)
        {
            return Invalid(state, "until", "An expiry is required.");
        }
        if (until <= now)
        {
            return Invalid(state, "until", "The expiry must be in the future.");
        }
        if (until - now > max)
        {
            return Invalid(state, "until", $"The expiry may be at most {max.TotalDays:0.##} days ahead.");
        }
        return null;
    }

    private static TriageOutcome Invalid(TriageState state, string field, string message) => new(state, TriageFault.Invalid, field, message);

    private static bool IsBlank(string? value) => string.IsNullOrWhiteSpace(value);

    private static bool TooLong(string? value, int max = 256) => value is not null && value.Length > max;
}
