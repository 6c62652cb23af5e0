using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using static ControlTower.DemoSource.DemoLandscape;

namespace ControlTower.DemoSource;

/// <summary>What a demo release is meant to show at the gate.</summary>
public enum ReleaseScenario
{
    /// <summary>Every piece of evidence, all good: passes unless a freeze is on or a target has a high finding open.</summary>
    Healthy,

    /// <summary>Two smoke cases fail: blocked by the pass rate and the required suites.</summary>
    FailingSmoke,

    /// <summary>Nobody observed the replicas: blocked, the deployment truth rule has no data and fails.</summary>
    MissingTruth,

    /// <summary>Control Tower's own release, under its own gate (deploy/release-gates/controltower.yaml): a freeze only warns.</summary>
    OwnGate,
}

/// <summary>A smoke report as a pipeline would post it.</summary>
public sealed record SmokeReport(string Format, string ContentType, byte[] Bytes, int Cases, int Failed);

/// <summary>What one replica reports running.</summary>
public sealed record ReplicaReport(string Replica, string Version, string Commit, string ImageDigest);

public sealed record MetricReading(string Metric, decimal Value);

/// <summary>One release and all the evidence its pipeline posts before asking for a verdict.</summary>
public sealed record ReleasePlan(
    string Id, ReleaseScenario Scenario, string Service, string Environment, string Version, string Commit, IReadOnlyList<string> ArtifactDigests,
    IReadOnlyList<string> Targets, DateTimeOffset CommittedAt, SmokeReport Smoke, IReadOnlyList<ReplicaReport> Replicas,
    IReadOnlyList<string> Approvers, IReadOnlyList<MetricReading> Metrics)
{
    public string PipelineRun => $"https://ci.example.com/{Service}/runs/{Id}";
}

/// <summary>
/// Makes the releases of the demo pipeline: a few services to dev, staging and prod, each with smoke evidence
/// (JUnit XML or CTRF, the suites the default gate requires), what the replicas run, two approvals and metric
/// samples, or deliberately without some of it (<see cref="ReleaseScenario"/>), so that some releases pass and
/// some are blocked with a reason anyone can read. Targets are the baseline's accounts and subscriptions, so
/// that the gate's findings rule sees the drift and guardrail findings the other feeds cause. Deterministic for a
/// seed and a time.
/// </summary>
public sealed class ReleasePlanner(Random random)
{
    public const string OwnService = "controltower";

    private static readonly string[] Services = ["payments-api", "ledger", "web-shop"];
    private static readonly string[] Environments = ["dev", "staging", "prod"];
    private static readonly string[] Approvers = ["maria.lead@example.com", "tom.sre@example.com", "priya.security@example.com"];

    private static readonly (ReleaseScenario Scenario, int Weight)[] Scenarios =
    [
        (ReleaseScenario.Healthy, 5), (ReleaseScenario.FailingSmoke, 2), (ReleaseScenario.MissingTruth, 2), (ReleaseScenario.OwnGate, 3),
    ];

    private static readonly (string Suite, string[] Cases)[] Suites =
    [
        ("api-smoke", ["health answers 200", "alive answers 200", "a request without a key is refused", "activity is readable", "governance is readable"]),
        ("ingestion-roundtrip", ["an event posted is accepted", "the event is read back within 60 s"]),
    ];

    public ReleasePlan Next(DateTimeOffset now)
    {
        var scenario = PickScenario();
        var service = scenario == ReleaseScenario.OwnGate ? OwnService : Services[random.Next(Services.Length)];
        var environment = scenario == ReleaseScenario.OwnGate ? Environments[1 + random.Next(2)] : Environments[random.Next(Environments.Length)];
        // The time makes the version unique across restarts, as the data outlives the demo source.
        var version = string.Create(CultureInfo.InvariantCulture, $"{1 + random.Next(3)}.{random.Next(10)}.{now.UtcDateTime:yyMMddHHmm}");
        var commit = Convert.ToHexStringLower(RandomBytes(20));
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{service}@{commit}")));
        var failing = scenario == ReleaseScenario.FailingSmoke ? 2 : 0;
        var smoke = random.Next(2) == 0 ? JUnit(now, service, failing) : Ctrf(now, service, failing);
        var replicas = scenario == ReleaseScenario.MissingTruth ? [] : Enumerable.Range(0, 2)
            .Select(i => new ReplicaReport($"{service}-{environment}-{(char)('a' + i)}", version, commit, digest)).ToList();
        var approvers = scenario == ReleaseScenario.OwnGate ? [] : Approvers.OrderBy(_ => random.Next()).Take(2).ToList();
        var metrics = scenario == ReleaseScenario.OwnGate ? [] : new List<MetricReading>
        {
            new("http.error_rate", Math.Round(random.Next(1, 9) / 1000m, 3)),
            new("http.latency_p99_ms", random.Next(180, 380)),
        };
        return new ReleasePlan(NewGuid(random).ToString("N")[..12], scenario, service, environment, version, commit, [digest],
            Targets(service, environment), now.AddMinutes(-random.Next(20, 600)), smoke, replicas, approvers, metrics);
    }

    /// <summary>Where a service runs: payments-api and web-shop in the AWS payments accounts, the ledger in the corp-payments subscription.</summary>
    public static IReadOnlyList<string> Targets(string service, string environment) => (service, environment) switch
    {
        (OwnService, _) => [],
        ("ledger", _) => [CorpPaymentsSubscription],
        (_, "prod") => [PaymentsProdAccount],
        _ => [PaymentsDevAccount],
    };

    private ReleaseScenario PickScenario()
    {
        var roll = random.Next(Scenarios.Sum(s => s.Weight));
        foreach (var (scenario, weight) in Scenarios)
        {
            if ((roll -= weight) < 0)
            {
                return scenario;
            }
        }
        return ReleaseScenario.Healthy;
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>The cases in order, with the last <paramref name="failing"/> of api-smoke failed.</summary>
    private static IEnumerable<(string Suite, string Case, bool Failed)> Cases(int failing) =>
        Suites.SelectMany(s => s.Cases.Select((c, i) => (s.Suite, c, s.Suite == "api-smoke" && i >= s.Cases.Length - failing)));

    private SmokeReport JUnit(DateTimeOffset now, string service, int failing)
    {
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var xml = new XElement("testsuites", new XAttribute("name", $"{service} post-deploy smoke"),
            Suites.Select(s => new XElement("testsuite",
                new XAttribute("name", s.Suite), new XAttribute("timestamp", stamp),
                Cases(failing).Where(c => c.Suite == s.Suite).Select(c => new XElement("testcase",
                    new XAttribute("classname", $"{service}.{s.Suite}"), new XAttribute("name", c.Case),
                    new XAttribute("time", (random.Next(5, 900) / 1000.0).ToString(CultureInfo.InvariantCulture)),
                    c.Failed ? new XElement("failure", new XAttribute("message", "expected 200, got 503"), "HTTP 503 Service Unavailable") : null)))));
        var bytes = Encoding.UTF8.GetBytes(new XDocument(new XDeclaration("1.0", "utf-8", null), xml).ToString());
        return new SmokeReport("junit", "application/xml", bytes, Cases(0).Count(), failing);
    }

    private SmokeReport Ctrf(DateTimeOffset now, string service, int failing)
    {
        var cases = Cases(failing).ToList();
        var report = new Dictionary<string, object?>
        {
            ["reportFormat"] = "CTRF",
            ["specVersion"] = "0.0.0",
            ["results"] = new Dictionary<string, object?>
            {
                ["tool"] = new Dictionary<string, object?> { ["name"] = $"{service}-smoke" },
                ["summary"] = new Dictionary<string, object?>
                {
                    ["tests"] = cases.Count,
                    ["passed"] = cases.Count(c => !c.Failed),
                    ["failed"] = failing,
                    ["skipped"] = 0,
                    ["pending"] = 0,
                    ["other"] = 0,
                    ["start"] = now.AddSeconds(-20).ToUnixTimeMilliseconds(),
                    ["stop"] = now.ToUnixTimeMilliseconds(),
                },
                ["tests"] = cases.Select(c => new Dictionary<string, object?>
                {
                    ["name"] = c.Case,
                    ["status"] = c.Failed ? "failed" : "passed",
                    ["duration"] = random.Next(5, 900),
                    ["suite"] = c.Suite,
                    ["message"] = c.Failed ? "expected 200, got 503" : null,
                }).ToList(),
            },
        };
        return new SmokeReport("ctrf", "application/json", JsonSerializer.SerializeToUtf8Bytes(report), cases.Count, failing);
    }
}
