using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;
using YamlDotNet.RepresentationModel;
using static ControlTower.ReleaseGate.Tests.Gates.Gate;

namespace ControlTower.ReleaseGate.Tests.Gates;

/// <summary>
/// Replays give the same digest byte for byte: the order evidence arrives in and the way the policy is written
/// never matter, and the canonical form is pinned by a golden digest so an accidental change to it is caught.
/// </summary>
public sealed class DeterminismTests
{
    /// <summary>A policy with every rule kind, severities of all three sorts, and a calendar.</summary>
    private const string PolicyYaml = """
        policy: replay
        version: 7
        scope: { service: billing, environment: prod }
        calendars:
          - name: weekend
            timeZone: Europe/London
            windows:
              - { cron: "0 16 * * 5", duration: 64h, reason: weekend freeze }
              - { from: "2026-12-21", to: "2027-01-04" }
        rules:
          - { id: smoke, kind: smoke.passRate, minPassRate: 0.9, maxAge: 2h }
          - { id: suites, kind: smoke.requiredSuites, suites: [ingestion, extra], maxAge: 2h }
          - { id: truth, kind: truth.deployment, minReplicas: 2, maxAge: 30m }
          - { id: findings, kind: findings.maxSeverity, maxSeverity: medium, maxAge: 1h }
          - { id: freeze, kind: freeze.calendars }
          - { id: approvals, kind: approval.required, count: 2 }
          - { id: errors, kind: metric.threshold, metric: http.error_rate, operator: "<=", value: 0.01, maxAge: 15m, severity: warning }
          - { id: latency, kind: metric.threshold, metric: http.latency_p99_ms, operator: "<", value: 300, maxAge: 15m, severity: dryRun, noData: fail }
        """;

    private static EvidenceItem[] Evidence() =>
    [
        Smoke("smoke-1", passed: 18, failed: 1, suite: "api-smoke"),
        Smoke("smoke-2", passed: 6, suite: "ingestion", age: TimeSpan.FromMinutes(20)),
        Smoke("smoke-0", passed: 2, failed: 8, suite: "api-smoke", commit: OtherCommit, age: TimeSpan.FromMinutes(40)),
        // Two runs of one suite posted at the same instant: the tie is broken by id, never by arrival order.
        Smoke("smoke-same-time-a", passed: 2, failed: 1, suite: "extra"),
        Smoke("smoke-same-time-b", passed: 3, suite: "extra"),
        Truth("truth-1", "pod-a"),
        Truth("truth-2", "pod-b"),
        Truth("truth-0", "pod-b", version: "2.4.0", age: TimeSpan.FromMinutes(25)),
        Findings("findings-1", findings: new OpenFinding("F-9", "CONFIG_RECORDER_STOPPED", FindingSeverity.Medium, "eu-west-1")),
        Approval("approval-1", "alice"),
        Approval("approval-2", Requester),
        Approval("approval-3", "bob", age: TimeSpan.FromMinutes(2)),
        Metric("metric-1", "http.error_rate", 0.02m),
        Metric("metric-2", "http.latency_p99_ms", 250.5m),
        Waiver("waiver-1", ruleId: "errors"),
        Waiver("waiver-2", ruleId: "approvals", approvedBy: Requester),
    ];

    private static GateVerdict Run(string yaml, IEnumerable<EvidenceItem> evidence)
    {
        var parsed = GatePolicyParser.Parse(yaml);
        Assert.True(parsed.Succeeded, string.Join("\n", parsed.Errors));
        return GateEvaluator.Evaluate(parsed.Snapshot!, new EvidenceSnapshot([.. evidence]), Release(), Now);
    }

    [Fact]
    public void TheFixedInputGivesTheGoldenDigest()
    {
        var verdict = Run(PolicyYaml, Evidence());

        // If this changes, the canonical form (or the evaluator's semantics) changed: old verdicts no longer replay.
        // Bump GatePolicySnapshot.EvaluatorVersion and update the literal only when that is intended.
        Assert.True(verdict.Decision == GateDecision.PassWithWaiver, verdict.Summary);
        Assert.Equal(GateOutcome.Warn, verdict.RawOutcome);
        Assert.Equal("d69315e0af6e3d33627ebabc80e6158d4849e38cf727934ac79612fe2b8bf0b4", verdict.Digest);
    }

    [Fact]
    public void EvaluatingTheSameInputsAgainGivesTheSameBytes()
    {
        var first = Run(PolicyYaml, Evidence());
        var second = Run(PolicyYaml, Evidence());

        Assert.Equal(first.CanonicalJson, second.CanonicalJson);
        Assert.Equal(first.Digest, second.Digest);
    }

    [Fact]
    public void ShufflingEvidenceAndRewritingThePolicyNeverChangesVerdictOrDigest()
    {
        var baseline = Run(PolicyYaml, Evidence());
        for (var seed = 1; seed <= 40; seed++)
        {
            var random = new Random(seed);
            var evidence = Evidence();
            random.Shuffle(evidence);
            var yaml = Rewrite(PolicyYaml, random);

            var verdict = Run(yaml, evidence);

            Assert.True(baseline.Digest == verdict.Digest, $"seed {seed} changed the digest; policy was:\n{yaml}\nevidence order: {string.Join(", ", evidence.Select(e => e.Id))}");
            Assert.Equal(baseline.Decision, verdict.Decision);
            Assert.Equal(baseline.CanonicalJson, verdict.CanonicalJson);
        }
    }

    [Fact]
    public void TheDigestPinsEveryInput()
    {
        var baseline = Run(PolicyYaml, Evidence()).Digest;

        Assert.NotEqual(baseline, GateEvaluator.Evaluate(GatePolicyParser.Parse(PolicyYaml).Snapshot!, new EvidenceSnapshot(Evidence()), Release(), Now.AddTicks(1)).Digest);
        Assert.NotEqual(baseline, Run(PolicyYaml, Evidence().Append(Metric("metric-3", "unrelated", 1m))).Digest);
        Assert.NotEqual(baseline, Run(PolicyYaml.Replace("version: 7", "version: 8", StringComparison.Ordinal), Evidence()).Digest);
        Assert.NotEqual(baseline, GateEvaluator.Evaluate(GatePolicyParser.Parse(PolicyYaml).Snapshot!, new EvidenceSnapshot(Evidence()), Release() with { Version = "2.4.2" }, Now).Digest);
    }

    [Fact]
    public void TheEvaluationTimeIsReadInUtcWhateverOffsetItCameWith()
    {
        var utc = Run(PolicyYaml, Evidence());
        var tokyo = GateEvaluator.Evaluate(GatePolicyParser.Parse(PolicyYaml).Snapshot!, new EvidenceSnapshot(Evidence()), Release(), Now.ToOffset(TimeSpan.FromHours(9)));

        Assert.Equal(utc.Digest, tokyo.Digest);
    }

    /// <summary>The same policy written differently: every mapping's keys shuffled, and emitted again by YamlDotNet in block style.</summary>
    private static string Rewrite(string yaml, Random random)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var document = new YamlDocument(Shuffle(stream.Documents[0].RootNode, random));
        using var writer = new StringWriter();
        new YamlStream(document).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static YamlNode Shuffle(YamlNode node, Random random) => node switch
    {
        YamlMappingNode map => new YamlMappingNode(map.Children.OrderBy(_ => random.Next()).Select(p => new KeyValuePair<YamlNode, YamlNode>(p.Key, Shuffle(p.Value, random)))),
        YamlSequenceNode sequence => new YamlSequenceNode(sequence.Children.Select(c => Shuffle(c, random))),
        YamlScalarNode scalar => new YamlScalarNode(scalar.Value) { Style = scalar.Value is "<=" or "<" || scalar.Value!.Contains('*', StringComparison.Ordinal) ? YamlDotNet.Core.ScalarStyle.DoubleQuoted : YamlDotNet.Core.ScalarStyle.Any },
        _ => node,
    };

    [Fact]
    public void AReleaseRowBecomesAClaimWhoseRequesterIsWhoRegisteredIt()
    {
        var row = new ControlTower.ReleaseGate.Data.Release
        {
            Service = Service, Environment = Gate.Environment, Version = Gate.Version, Commit = Commit, ArtifactDigests = [Digest],
            PipelineRun = "github:run/42/1", RegisteredBy = Requester, RegisteredAt = Now.AddHours(-1),
        };

        var claim = ReleaseClaim.From(row, [Account]);

        Assert.Equal(Release().Canonical().ToJsonString(), claim.Canonical().ToJsonString());
        Assert.Equal(Run(PolicyYaml, Evidence()).Digest, GateEvaluator.Evaluate(GatePolicyParser.Parse(PolicyYaml).Snapshot!, new EvidenceSnapshot(Evidence()), claim, Now).Digest);
    }
}
