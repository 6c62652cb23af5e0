using System.Text.Json;
using ControlTower.ReleaseGate.Evaluation.Checks;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;
using static ControlTower.ReleaseGate.Evaluation.Checks.Words;

namespace ControlTower.ReleaseGate.Evaluation;

/// <summary>
/// The release gate: a pure function of a pinned policy, a snapshot of evidence, the release and the evaluation
/// time. No clock, network, database or randomness inside, and nothing depends on the order of the evidence, so
/// evaluating the same inputs again gives the same verdict and the same digest byte for byte.
/// </summary>
public static class GateEvaluator
{
    public static GateVerdict Evaluate(GatePolicySnapshot policySnapshot, EvidenceSnapshot evidence, ReleaseClaim release, DateTimeOffset evaluationTime)
    {
        var at = evaluationTime.ToUniversalTime();
        var policy = policySnapshot.Policy;
        var context = new CheckContext(policy, release, at, evidence.Items);

        // 1. Every rule answers; its severity decides what it contributes.
        var results = new List<RuleResult>(policy.Rules.Count);
        foreach (var rule in policy.Rules)
        {
            var check = Check(rule, context);
            results.Add(new RuleResult
            {
                RuleId = rule.Id,
                Kind = rule.Kind,
                Severity = SeverityName(rule.Severity),
                Outcome = check.Outcome,
                Counted = rule.Severity switch
                {
                    RuleSeverity.DryRun => null,
                    RuleSeverity.Warning => check.Outcome == GateOutcome.Pass ? GateOutcome.Pass : GateOutcome.Warn,
                    _ => check.Outcome,
                },
                ReasonCode = check.Reason,
                Explanation = check.Explanation,
                Observed = check.Observed,
                Expected = check.Expected,
                EvidenceIds = check.EvidenceIds,
            });
        }

        // 2. The raw verdict: worst counted outcome; with no blocking rule nothing can vouch for the release.
        var hasBlocking = policy.Rules.Any(r => r.Severity == RuleSeverity.Blocking);
        var raw = Worst(results.Select(r => r.Counted), hasBlocking);

        // 3. Waivers, after the raw verdict: a valid one sets aside the rules it covers that did not pass.
        var waiverResults = new List<WaiverResult>();
        foreach (var waiver in context.Waivers
                     .Where(w => InScope(w.Service, release.Service) && InScope(w.Environment, release.Environment))
                     .OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            var covered = results.Where(r => r.Counted is { } c && c != GateOutcome.Pass && Covers(waiver, r)).ToList();
            var (status, why) = Validity(waiver, at);
            if (status is null && covered.Count == 0)
            {
                (status, why) = ("NothingToWaive", "valid, but no rule it covers needed it");
            }
            if (status is not null)
            {
                waiverResults.Add(new WaiverResult(waiver.Id, status, [], why));
                continue;
            }
            foreach (var result in covered.Where(r => r.WaivedBy is null))
            {
                results[results.IndexOf(result)] = result with { WaivedBy = waiver.Id };
            }
            waiverResults.Add(new WaiverResult(waiver.Id, "Applied", [.. covered.Select(r => r.RuleId)],
                Invariant($"approved by {waiver.ApprovedBy} for {waiver.RequestedBy} until {Time(waiver.ExpiresAt)}: {waiver.Reason}")));
        }
        var final = Worst(results.Select(r => r.WaivedBy is null ? r.Counted : GateOutcome.Pass), hasBlocking);
        var decision = final switch
        {
            GateOutcome.Pass when results.Any(r => r.WaivedBy is not null) => GateDecision.PassWithWaiver,
            GateOutcome.Pass => GateDecision.Pass,
            GateOutcome.Warn => GateDecision.Warn,
            GateOutcome.Inconclusive => GateDecision.Inconclusive,
            GateOutcome.Error => GateDecision.Error,
            _ => GateDecision.Fail,
        };
        var summary = Summary(results, raw, decision, hasBlocking);

        // 4. The digest pins every input and every answer.
        var digests = evidence.Items.Select(i => i.Digest).Order(StringComparer.Ordinal).ToList();
        var (canonical, digest) = CanonicalJson.Utf8AndSha256(
            writer => WriteCanonical(writer, policySnapshot, digests, release, at, results, raw, waiverResults, decision, summary),
            sizeHint: 2048 + 1024 * results.Count + 72 * digests.Count);
        return new GateVerdict
        {
            EvaluatorVersion = GatePolicySnapshot.EvaluatorVersion,
            PolicyId = policy.Id,
            PolicyVersion = policy.Version,
            PolicyHash = policySnapshot.Hash,
            Release = release,
            EvaluatedAt = at,
            EvidenceDigests = digests,
            Rules = results,
            RawOutcome = raw,
            Decision = decision,
            Waivers = waiverResults,
            Summary = summary,
            CanonicalUtf8 = canonical,
            Digest = digest,
        };
    }

    private static CheckResult Check(GateRule rule, CheckContext context) => rule switch
    {
        SmokePassRateRule r => SmokeChecks.PassRate(r, context),
        RequiredSuitesRule r => SmokeChecks.RequiredSuites(r, context),
        DeploymentTruthRule r => TruthChecks.Deployment(r, context),
        OpenFindingsRule r => FindingsChecks.MaxSeverity(r, context),
        FreezeWindowRule r => FreezeChecks.Calendars(r, context),
        ApprovalRule r => ApprovalChecks.Required(r, context),
        MetricThresholdRule r => MetricChecks.Threshold(r, context),
        _ => new CheckResult(GateOutcome.Error, "UnknownRuleKind", $"this evaluator cannot check rules of kind {rule.Kind}",
            CheckResult.Facts(), CheckResult.Facts(), []),
    };

    private static GateOutcome Worst(IEnumerable<GateOutcome?> counted, bool hasBlocking)
    {
        var worst = hasBlocking ? GateOutcome.Pass : GateOutcome.Inconclusive;
        foreach (var outcome in counted)
        {
            if (outcome is { } o && o > worst)
            {
                worst = o;
            }
        }
        return worst;
    }

    private static bool InScope(string scope, string value) => scope == "*" || scope == value;

    private static bool Covers(Waiver waiver, RuleResult result) =>
        (waiver.RuleId is null || waiver.RuleId == result.RuleId) && (waiver.RuleKind is null || waiver.RuleKind == result.Kind)
        && (waiver.RuleId is not null || waiver.RuleKind is not null);

    private static (string? Status, string Why) Validity(Waiver waiver, DateTimeOffset at)
    {
        if (waiver.RuleId is null && waiver.RuleKind is null)
        {
            return ("NoScope", "names neither a rule nor a rule kind");
        }
        if (string.IsNullOrWhiteSpace(waiver.Reason))
        {
            return ("NoReason", "has no reason");
        }
        if (string.Equals(waiver.ApprovedBy, waiver.RequestedBy, StringComparison.OrdinalIgnoreCase))
        {
            return ("SelfApproved", $"approved by its own requester {waiver.RequestedBy}");
        }
        if (waiver.ExpiresAt <= at)
        {
            return ("Expired", $"expired at {Time(waiver.ExpiresAt)}");
        }
        return (null, "");
    }

    private static string SeverityName(RuleSeverity severity) => severity switch
    {
        RuleSeverity.Blocking => "blocking",
        RuleSeverity.Warning => "warning",
        _ => "dryRun",
    };

    private static string Summary(List<RuleResult> results, GateOutcome raw, GateDecision decision, bool hasBlocking)
    {
        var counted = results.Where(r => r.Counted is not null).ToList();
        var notPassing = counted.Where(r => r.Counted != GateOutcome.Pass).Select(r => $"{r.RuleId} {r.Outcome.ToString().ToLowerInvariant()}{(r.WaivedBy is null ? "" : " (waived)")}").ToList();
        var dryRun = results.Where(r => r.Counted is null).ToList();
        var text = Invariant($"{decision}: {counted.Count - notPassing.Count} of {counted.Count} counted rule(s) passed");
        if (notPassing.Count > 0)
        {
            text += $"; {List(notPassing)}";
        }
        if (!hasBlocking)
        {
            text += "; no blocking rule, so nothing vouches for the release";
        }
        if (raw.ToString() != decision.ToString())
        {
            text += $"; {raw.ToString().ToLowerInvariant()} before waivers";
        }
        if (dryRun.Count > 0)
        {
            text += Invariant($"; dry run: {dryRun.Count(r => r.Outcome != GateOutcome.Pass)} of {dryRun.Count} would not pass");
        }
        return text;
    }

    /// <summary>The verdict's canonical JSON, written directly; every object's keys are in ordinal order.</summary>
    private static void WriteCanonical(Utf8JsonWriter w, GatePolicySnapshot policySnapshot, List<string> digests, ReleaseClaim release, DateTimeOffset at,
        List<RuleResult> results, GateOutcome raw, List<WaiverResult> waivers, GateDecision decision, string summary)
    {
        w.WriteStartObject();
        w.WriteString("decision", decision.ToString());
        w.WriteString("evaluatedAt", Time(at));
        w.WriteString("evaluatorVersion", GatePolicySnapshot.EvaluatorVersion);
        w.WriteStartArray("evidence");
        foreach (var digest in digests)
        {
            w.WriteStringValue(digest);
        }
        w.WriteEndArray();
        w.WriteStartObject("policy");
        w.WriteString("hash", policySnapshot.Hash);
        w.WriteString("id", policySnapshot.Policy.Id);
        w.WriteNumber("version", policySnapshot.Policy.Version);
        w.WriteEndObject();
        w.WriteString("rawOutcome", raw.ToString());
        w.WritePropertyName("release");
        CanonicalJson.WriteNode(w, release.Canonical());
        w.WriteStartArray("rules");
        foreach (var result in results)
        {
            w.WriteStartObject();
            WriteNullable(w, "counted", result.Counted?.ToString());
            WriteStrings(w, "evidence", result.EvidenceIds.Order(StringComparer.Ordinal));
            WriteFacts(w, "expected", result.Expected);
            w.WriteString("explanation", result.Explanation);
            w.WriteString("kind", result.Kind);
            WriteFacts(w, "observed", result.Observed);
            w.WriteString("outcome", result.Outcome.ToString());
            w.WriteString("reason", result.ReasonCode);
            w.WriteString("ruleId", result.RuleId);
            w.WriteString("severity", result.Severity);
            WriteNullable(w, "waivedBy", result.WaivedBy);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("summary", summary);
        w.WriteStartArray("waivers");
        foreach (var waiver in waivers)
        {
            w.WriteStartObject();
            w.WriteString("explanation", waiver.Explanation);
            w.WriteString("id", waiver.WaiverId);
            WriteStrings(w, "rules", waiver.RuleIds);
            w.WriteString("status", waiver.Status);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }
        w.WriteEndArray();
    }

    private static void WriteFacts(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string> facts)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in facts.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }
        w.WriteEndObject();
    }
}
