using ControlTower.Contracts.Activity;

namespace ControlTower.Operations.Signals;

public enum NotableRule
{
    None,
    RootSignIn,
    TrailStopped,
    DiagnosticSettingDeleted,
    FailedConsoleLogin,
}

/// <summary>
/// The notable-activity rules, cheap enough for the hot ingest path: one switch on the operation (a hash and one
/// string compare), and for the few operations it names one or two more compares. Nothing is allocated for the rest.
/// </summary>
public static class NotableActivityRules
{
    public static NotableRule Match(CloudActivity activity) => activity.Operation switch
    {
        "ConsoleLogin" when activity.Outcome == ActivityOutcome.Failure => NotableRule.FailedConsoleLogin,
        "ConsoleLogin" when activity.ActorType == "Root" => NotableRule.RootSignIn,
        "StopLogging" or "DeleteTrail" when activity.Provider == "aws" => NotableRule.TrailStopped,
        "microsoft.insights/diagnosticsettings/delete" when activity.Outcome != ActivityOutcome.Failure => NotableRule.DiagnosticSettingDeleted,
        _ => NotableRule.None,
    };

    /// <summary>The observation for a rule that fires on one activity (not the failed-login burst, which counts first).</summary>
    public static SignalObservation Observation(NotableRule rule, CloudActivity activity)
    {
        var (name, title, severity, resource) = rule switch
        {
            NotableRule.RootSignIn => ("root-sign-in", $"Root user signed in to {activity.Account}", Severity.High, (string?)null),
            NotableRule.TrailStopped => ("trail-stopped", $"CloudTrail {activity.Operation} in {activity.Account}", Severity.Critical,
                activity.Resources.Count > 0 ? activity.Resources[0].Arn ?? activity.Resources[0].Id : null),
            NotableRule.DiagnosticSettingDeleted => ("diagnostic-setting-deleted", $"Diagnostic setting deleted in {activity.Account}",
                Severity.High, activity.ResourceId),
            _ => ("failed-console-logins", $"Failed console sign-ins by {activity.Actor ?? "unknown"} in {activity.Account}",
                Severity.Medium, activity.Actor),
        };
        return new SignalObservation
        {
            Kind = SignalKinds.Activity,
            DedupKey = SignalKeys.Dedup($"activity:{name}:{activity.Provider}:{activity.Account}" + (resource is null ? "" : ":" + resource)),
            ObservationId = $"{activity.Provider}:{activity.EventId}",
            Condition = SourceCondition.Firing,
            At = activity.Time,
            Title = title,
            Summary = $"{activity.Operation} by {activity.Actor ?? "unknown"} from {activity.SourceIp ?? "unknown"} (event {activity.EventId})",
            OriginalSeverity = activity.Level,
            Severity = severity,
            Provider = activity.Provider,
            Account = activity.Account,
            Resource = resource,
        };
    }
}
