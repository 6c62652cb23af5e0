using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;

namespace ControlTower.Benchmarks.ReleaseGate;

/// <summary>
/// One gate verdict for a policy of 20 rules (every kind, all three severities) over 200 evidence items for the
/// release and its neighbours (other commits, other services, stale runs, waivers). <see cref="Evaluate"/> is the
/// verdict with the evidence digests already known, as the service stores them at ingestion;
/// <see cref="HashEvidence"/> is what hashing all 200 items from scratch adds.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PercentilesConfig))]
public class GateEvaluationBenchmarks
{
    public const int Rules = 20;
    public const int EvidenceItems = 200;

    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private const string Commit = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0";
    private const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private GatePolicySnapshot policy = null!;
    private EvidenceSnapshot evidence = null!;
    private ReleaseClaim release = null!;

    private sealed class PercentilesConfig : ManualConfig
    {
        public PercentilesConfig() => AddColumn(StatisticColumn.P50, StatisticColumn.P95, StatisticColumn.P100);
    }

    [GlobalSetup]
    public void Setup()
    {
        (policy, evidence, release) = Inputs();
        // The digests are remembered per item, as the service keeps them beside each stored item.
        Evaluate();
    }

    [Benchmark(Description = "Evaluate 20 rules over 200 evidence items")]
    public GateDecision Evaluate() => GateEvaluator.Evaluate(policy, evidence, release, Now).Decision;

    [Benchmark(Description = "Hash 200 evidence items")]
    public int HashEvidence()
    {
        var length = 0;
        foreach (var item in evidence.Items)
        {
            length += CanonicalJson.Sha256(item.Canonical()).Length;
        }
        return length;
    }

    /// <summary>
    /// Per-call latency of single evaluations timed one by one, for the percentiles BenchmarkDotNet does not give
    /// (its statistics are over iterations of many calls). Printed, never asserted.
    /// </summary>
    public static SingleCallTimes SingleCalls() => SingleCalls(5000);

    /// <summary>The single-call percentiles in microseconds, as <c>gate-single-calls.json</c> in the results folder carries them.</summary>
    public sealed record SingleCallTimes(int Calls, double P50, double P90, double P99, double Max)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"Gate evaluation, {Calls} single calls: p50 {P50:N1} µs, p90 {P90:N1} µs, p99 {P99:N1} µs, max {Max:N1} µs");
    }

    public static SingleCallTimes SingleCalls(int calls)
    {
        var (p, e, r) = Inputs();
        for (var i = 0; i < 500; i++)
        {
            GateEvaluator.Evaluate(p, e, r, Now);
        }
        var ticks = new long[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            GateEvaluator.Evaluate(p, e, r, Now);
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }
        Array.Sort(ticks);
        double Micro(double q) => ticks[Math.Min(calls - 1, (int)Math.Ceiling(q * calls) - 1)] * 1e6 / Stopwatch.Frequency;
        return new SingleCallTimes(calls, Micro(0.50), Micro(0.90), Micro(0.99), Micro(1.0));
    }

    private static (GatePolicySnapshot, EvidenceSnapshot, ReleaseClaim) Inputs()
    {
        var yaml = new StringBuilder("""
            policy: benchmark
            version: 1
            calendars:
              - { name: weekend, timeZone: Europe/London, windows: [{ cron: "0 16 * * 5", duration: 64h }, { from: "2026-12-21", to: "2027-01-04" }] }
              - { name: us-peak, timeZone: America/New_York, windows: [{ from: "2026-11-26", to: "2026-12-01" }] }
              - { name: nightly, timeZone: Asia/Tokyo, windows: [{ cron: "0 2 * * *", duration: 2h }] }
            rules:

            """);
        string[] rules =
        [
            "{ id: smoke-all, kind: smoke.passRate, minPassRate: 0.9, maxAge: 2h }",
            "{ id: smoke-strict, kind: smoke.passRate, minPassRate: 0.99, maxAge: 1h, severity: warning }",
            "{ id: smoke-shadow, kind: smoke.passRate, minPassRate: 1, maxAge: 30m, severity: dryRun }",
            "{ id: suites-core, kind: smoke.requiredSuites, suites: [suite-0, suite-1, suite-2], maxAge: 2h }",
            "{ id: suites-extra, kind: smoke.requiredSuites, suites: [suite-3, suite-4, suite-5, suite-6], maxAge: 2h, severity: warning }",
            "{ id: suites-shadow, kind: smoke.requiredSuites, suites: [suite-7, suite-8, suite-9], maxAge: 1h, severity: dryRun }",
            "{ id: truth-all, kind: truth.deployment, minReplicas: 10, maxAge: 30m }",
            "{ id: truth-version, kind: truth.deployment, check: [version], minReplicas: 3, maxAge: 1h, severity: warning }",
            "{ id: findings-high, kind: findings.maxSeverity, maxSeverity: medium, maxAge: 1h }",
            "{ id: findings-any, kind: findings.maxSeverity, maxSeverity: info, maxAge: 1h, severity: dryRun }",
            "{ id: freeze-all, kind: freeze.calendars }",
            "{ id: freeze-us, kind: freeze.calendars, calendars: [us-peak], severity: warning }",
            "{ id: approvals, kind: approval.required, count: 2 }",
            "{ id: approvals-three, kind: approval.required, count: 3, severity: dryRun }",
            "{ id: error-rate, kind: metric.threshold, metric: m-0, operator: '<=', value: 0.5, maxAge: 15m }",
            "{ id: latency, kind: metric.threshold, metric: m-1, operator: '<', value: 400, maxAge: 15m }",
            "{ id: saturation, kind: metric.threshold, metric: m-2, operator: '<', value: 0.9, maxAge: 15m, severity: warning }",
            "{ id: apdex, kind: metric.threshold, metric: m-3, operator: '>=', value: 0.5, maxAge: 15m }",
            "{ id: queue, kind: metric.threshold, metric: m-4, operator: '<', value: 1000, maxAge: 15m, severity: dryRun }",
            "{ id: absent, kind: metric.threshold, metric: m-missing, operator: '<', value: 1, maxAge: 15m, severity: warning }",
        ];
        foreach (var rule in rules)
        {
            yaml.Append("  - ").Append(rule).Append('\n');
        }
        var parsed = GatePolicyParser.Parse(yaml.ToString());
        var snapshot = parsed.Snapshot ?? throw new InvalidOperationException(string.Join("; ", parsed.Errors));
        if (snapshot.Policy.Rules.Count != Rules)
        {
            throw new InvalidOperationException("the benchmark policy must have 20 rules");
        }

        var random = new Random(20261120);
        var items = new List<EvidenceItem>(EvidenceItems);
        string Service(int i) => i % 5 == 0 ? "payments" : "billing";
        string CommitFor(int i) => i % 7 == 0 ? "ffffeeeeddddccccbbbbaaaa9999888877776666" : Commit;
        TimeSpan Age() => TimeSpan.FromMinutes(random.Next(1, 150));
        for (var i = 0; i < 70; i++)
        {
            var suite = $"suite-{i % 10}";
            var cases = Enumerable.Range(0, 20).Select(c => new SmokeCase(suite, $"case-{c}", random.Next(100) < 2 ? SmokeCaseStatus.Failed : SmokeCaseStatus.Passed)).ToList();
            var original = Encoding.UTF8.GetBytes($"run-{i}");
            items.Add(new SmokeRunEvidence
            {
                Id = $"smoke-{i:D3}", Service = Service(i), Environment = "prod", CollectedAt = Now - Age(), Commit = CommitFor(i), Version = "2.4.1",
                Run = new SmokeRun
                {
                    Format = SmokeFormat.JUnit, Suites = [new SmokeSuite(suite, SmokeCounts.Of(cases))], Cases = cases, Counts = SmokeCounts.Of(cases),
                    Original = original, OriginalSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(original)),
                },
            });
        }
        for (var i = 0; i < 50; i++)
        {
            items.Add(new TruthObservation
            {
                Id = $"truth-{i:D3}", Service = Service(i), Environment = "prod", CollectedAt = Now - TimeSpan.FromMinutes(random.Next(1, 40)),
                Replica = $"pod-{i % 12}", Version = "2.4.1", Commit = Commit, ImageDigest = Digest,
            });
        }
        for (var i = 0; i < 20; i++)
        {
            items.Add(new FindingsSnapshot
            {
                Id = $"findings-{i:D3}", Service = "billing", Environment = "prod", CollectedAt = Now - TimeSpan.FromMinutes(random.Next(1, 90)),
                Scope = $"1111222233{i % 4:D2}",
                Findings = [.. Enumerable.Range(0, i % 3).Select(f => new OpenFinding($"F-{i}-{f}", "CONFIG_RECORDER_STOPPED", (FindingSeverity)(f % 3), "eu-west-1"))],
            });
        }
        for (var i = 0; i < 20; i++)
        {
            items.Add(new ApprovalEvidence
            {
                Id = $"approval-{i:D3}", Service = Service(i), Environment = "prod", CollectedAt = Now - Age(),
                Approver = i % 6 == 0 ? "pipeline@ci" : $"person-{i % 8}", Commit = CommitFor(i), Approved = i % 11 != 3,
            });
        }
        for (var i = 0; i < 35; i++)
        {
            items.Add(new MetricSample
            {
                Id = $"metric-{i:D3}", Service = Service(i), Environment = "prod", CollectedAt = Now - TimeSpan.FromMinutes(random.Next(1, 30)),
                Metric = $"m-{i % 5}", Value = i % 9 == 0 ? null : Math.Round((decimal)random.NextDouble(), 4),
            });
        }
        for (var i = 0; i < 5; i++)
        {
            items.Add(new Waiver
            {
                Id = $"waiver-{i:D3}", Service = i % 2 == 0 ? "billing" : "*", Environment = "prod", CollectedAt = Now - TimeSpan.FromHours(1),
                RuleId = i % 2 == 0 ? "latency" : null, RuleKind = i % 2 == 0 ? null : "smoke.requiredSuites", Reason = "benchmark",
                RequestedBy = "pipeline@ci", ApprovedBy = i == 3 ? "pipeline@ci" : "lead@ops", ExpiresAt = Now.AddHours(i - 2),
            });
        }
        if (items.Count != EvidenceItems)
        {
            throw new InvalidOperationException($"the benchmark needs {EvidenceItems} evidence items, not {items.Count}");
        }
        var claim = new ReleaseClaim
        {
            Service = "billing", Environment = "prod", Version = "2.4.1", Commit = Commit, ArtifactDigests = [Digest],
            RequestedBy = "pipeline@ci", Targets = ["111122223300", "111122223301", "111122223302"],
        };
        return (snapshot, new EvidenceSnapshot(items), claim);
    }
}
