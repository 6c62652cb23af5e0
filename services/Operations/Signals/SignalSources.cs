using System.Text.Json;
using ControlTower.Contracts.Alerts;
using ControlTower.Contracts.Governance;
using ControlTower.Contracts.Operations;
using ControlTower.Contracts.Releases;

namespace ControlTower.Operations.Signals;

/// <summary>How each source's message reads as a signal observation: dedup key, observation id, condition, severity.</summary>
public static class SignalSources
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Keyed by rule and target, not by alert instance: a rule firing again on the same resource while its signal is open
    /// counts on it; once an operator resolved it, the next firing is a new signal.
    /// </summary>
    public static SignalObservation FromAlert(MonitorAlert alert)
    {
        var target = alert.Targets.Count > 0 ? alert.Targets[0] : alert.Account;
        var resolved = alert.Condition == AlertCondition.Resolved;
        return new SignalObservation
        {
            Kind = SignalKinds.Alert,
            DedupKey = $"alert:{alert.Provider}:{(alert.RuleId ?? alert.Rule).ToLowerInvariant()}:{target.ToLowerInvariant()}",
            ObservationId = $"{alert.AlertId}:{(resolved ? "resolved" : "fired")}",
            ClearedBy = resolved ? null : $"{alert.AlertId}:resolved",
            Condition = resolved ? SourceCondition.Resolved : SourceCondition.Firing,
            At = resolved ? alert.ResolvedAt ?? alert.FiredAt : alert.FiredAt,
            Title = alert.Targets.Count > 0 ? $"{alert.Rule} on {Last(alert.Targets[0])}" : alert.Rule,
            Summary = alert.Description,
            OriginalSeverity = alert.Severity,
            Severity = SignalKeys.Canonical(alert.Severity),
            Provider = alert.Provider,
            Account = alert.Account,
            Resource = alert.Targets.Count > 0 ? alert.Targets[0] : null,
            Details = JsonSerializer.Serialize(new
            {
                alert.AlertId, alert.RuleId, alert.SignalType, alert.MonitoringService, alert.ResourceGroup, alert.InvestigationLink,
            }, Json),
        };
    }

    public static SignalObservation FromDrift(DriftDetected drift) => new()
    {
        Kind = SignalKinds.Drift,
        DedupKey = $"drift:{drift.FindingId}",
        ObservationId = $"detected:{drift.Occurrence}",
        ClearedBy = $"resolved:{drift.Occurrence}",
        Condition = SourceCondition.Firing,
        At = drift.DetectedAt,
        Title = $"{drift.Type}: {drift.Subject}",
        Summary = $"Expected {drift.Expected}; observed {drift.Observed}. Repair: {drift.Repair}",
        OriginalSeverity = drift.Severity,
        Severity = SignalKeys.Canonical(drift.Severity),
        Provider = IsAwsAccount(drift.Subject) ? "aws" : null,
        Account = IsAwsAccount(drift.Subject) ? drift.Subject : null,
        Resource = drift.Subject,
        Details = JsonSerializer.Serialize(new { drift.FindingId, drift.Occurrence, drift.Type, drift.Expected, drift.Observed, drift.Repair, drift.EvidenceEventId }, Json),
    };

    public static SignalObservation FromDrift(DriftResolved drift) => new()
    {
        Kind = SignalKinds.Drift,
        DedupKey = $"drift:{drift.FindingId}",
        ObservationId = $"resolved:{drift.Occurrence}",
        Condition = SourceCondition.Resolved,
        At = drift.ResolvedAt,
        Title = $"{drift.Type}: {drift.Subject}",
        Severity = Severity.Medium,
    };

    /// <summary>Governance closed the finding because a person resolved this signal: the source condition clears.</summary>
    public static SignalObservation FromGuardrail(GuardrailResolved resolved) => new()
    {
        Kind = SignalKinds.Guardrail,
        DedupKey = $"guardrail:{resolved.FindingId}",
        ObservationId = $"resolved:{resolved.Occurrence}",
        Condition = SourceCondition.Resolved,
        At = resolved.ResolvedAt,
        Title = $"{resolved.ControlId}: {resolved.Subject}",
        Severity = Severity.Medium,
    };

    public static SignalObservation FromGuardrail(GuardrailViolated violation) => new()
    {
        Kind = SignalKinds.Guardrail,
        DedupKey = $"guardrail:{violation.FindingId}",
        ObservationId = violation.EvidenceEventId,
        Condition = SourceCondition.Firing,
        At = violation.EventTime,
        Title = $"{violation.ControlId}: {violation.Subject}",
        Summary = $"Event {violation.EvidenceEventId} broke control {violation.ControlId} (occurrence {violation.Occurrence}).",
        OriginalSeverity = violation.Severity,
        Severity = SignalKeys.Canonical(violation.Severity),
        Provider = violation.Provider,
        Account = violation.Account,
        Resource = violation.Subject,
        Details = JsonSerializer.Serialize(new { violation.FindingId, violation.Occurrence, violation.ControlId, violation.EvidenceEventId, violation.DetectedAt }, Json),
    };

    /// <summary>Pass and PassWithWaiver clear the service × environment's signal; every other decision fires it.</summary>
    public static SignalObservation FromVerdict(ReleaseVerdictIssued verdict)
    {
        var passed = verdict.Decision is "Pass" or "PassWithWaiver";
        var severity = verdict.Decision switch
        {
            "Fail" or "Error" => Severity.High,
            "Inconclusive" => Severity.Medium,
            _ => Severity.Low,
        };
        return new SignalObservation
        {
            Kind = SignalKinds.Release,
            DedupKey = $"release:{verdict.Service.ToLowerInvariant()}:{verdict.Environment.ToLowerInvariant()}",
            ObservationId = verdict.EvaluationId.ToString(),
            Condition = passed ? SourceCondition.Resolved : SourceCondition.Firing,
            At = verdict.EvaluatedAt,
            Title = $"Release gate {verdict.Decision}: {verdict.Service} {verdict.Version} to {verdict.Environment}",
            Summary = verdict.Summary,
            OriginalSeverity = verdict.Decision,
            Severity = severity,
            Resource = $"{verdict.Service}@{verdict.Environment}",
            Environment = verdict.Environment,
            Details = JsonSerializer.Serialize(new
            {
                verdict.EvaluationId, verdict.ReleaseId, verdict.Version, verdict.Commit, verdict.Decision, verdict.RawOutcome,
                verdict.PolicyId, verdict.PolicyVersion, verdict.Digest,
            }, Json),
        };
    }

    public static SignalObservation FromDeadLetters(DeadLettersObserved observed) => new()
    {
        Kind = SignalKinds.DeadLetter,
        DedupKey = $"dead-letter:{observed.Queue}",
        ObservationId = $"{observed.ObservedAt.UtcTicks}:{observed.Count}",
        Condition = observed.Count > 0 ? SourceCondition.Firing : SourceCondition.Resolved,
        At = observed.ObservedAt,
        Title = observed.Count > 0 ? $"{observed.Count} message(s) in {observed.Queue}" : $"{observed.Queue} emptied",
        Summary = observed.Error,
        Severity = Severity.High,
        Resource = observed.Queue,
        Details = JsonSerializer.Serialize(new { observed.Queue, observed.Count, observed.MessageType, observed.Error }, Json),
    };

    private static bool IsAwsAccount(string subject) => subject.Length == 12 && subject.All(char.IsAsciiDigit);

    private static string Last(string resourceId) => resourceId.TrimEnd('/') is var trimmed && trimmed.LastIndexOf('/') is var i and >= 0
        ? trimmed[(i + 1)..]
        : resourceId;
}
