using System.Text;
using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;

namespace ControlTower.ReleaseGate.Tests.Gates;

/// <summary>Builders for the pure gate tests: a release, policies from YAML snippets, and evidence items.</summary>
internal static class Gate
{
    public const string Service = "billing";
    public const string Environment = "prod";
    public const string Commit = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0";
    public const string OtherCommit = "ffffeeeeddddccccbbbbaaaa9999888877776666";
    public const string Version = "2.4.1";
    public const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    public const string Requester = "pipeline@ci";
    public const string Account = "111122223333";

    /// <summary>Friday 20 November 2026, noon UTC: outside every calendar the tests define unless they say so.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public static ReleaseClaim Release(string[]? digests = null, string[]? targets = null) => new()
    {
        Service = Service,
        Environment = Environment,
        Version = Version,
        Commit = Commit,
        ArtifactDigests = digests ?? [Digest],
        RequestedBy = Requester,
        Targets = targets ?? [Account],
        PipelineRun = "github:run/42/1",
    };

    /// <summary>A policy whose rules (and calendars) are the YAML given, indented as list items under <c>rules:</c>.</summary>
    public static GatePolicySnapshot Policy(string rules, string calendars = "")
    {
        var yaml = new StringBuilder("policy: test\nversion: 1\n");
        if (calendars.Length > 0)
        {
            yaml.Append("calendars:\n").Append(calendars.TrimEnd()).Append('\n');
        }
        yaml.Append(rules.Trim().Length == 0 ? "rules: []\n" : "rules:\n" + rules.TrimEnd() + "\n");
        var result = GatePolicyParser.Parse(yaml.ToString());
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Snapshot!;
    }

    public static GateVerdict Evaluate(GatePolicySnapshot policy, params EvidenceItem[] evidence) =>
        GateEvaluator.Evaluate(policy, new EvidenceSnapshot(evidence), Release(), Now);

    public static RuleResult Only(GateVerdict verdict) => Assert.Single(verdict.Rules);

    public static SmokeRunEvidence Smoke(string id, int passed, int failed = 0, int errored = 0, int skipped = 0, TimeSpan? age = null,
        string commit = Commit, string suite = "api-smoke", string service = Service)
    {
        var cases = new List<SmokeCase>();
        for (var i = 0; i < passed; i++) { cases.Add(new SmokeCase(suite, $"p{i}", SmokeCaseStatus.Passed)); }
        for (var i = 0; i < failed; i++) { cases.Add(new SmokeCase(suite, $"f{i}", SmokeCaseStatus.Failed)); }
        for (var i = 0; i < errored; i++) { cases.Add(new SmokeCase(suite, $"e{i}", SmokeCaseStatus.Errored)); }
        for (var i = 0; i < skipped; i++) { cases.Add(new SmokeCase(suite, $"s{i}", SmokeCaseStatus.Skipped)); }
        var original = Encoding.UTF8.GetBytes($"{id}:{suite}:{passed}/{failed}/{errored}/{skipped}");
        return new SmokeRunEvidence
        {
            Id = id,
            Service = service,
            Environment = Environment,
            CollectedAt = Now - (age ?? TimeSpan.FromMinutes(10)),
            Commit = commit,
            Version = Version,
            Run = new SmokeRun
            {
                Format = SmokeFormat.JUnit,
                Suites = [new SmokeSuite(suite, SmokeCounts.Of(cases))],
                Cases = cases,
                Counts = SmokeCounts.Of(cases),
                Original = original,
                OriginalSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(original)),
            },
        };
    }

    public static TruthObservation Truth(string id, string replica, string version = Version, string commit = Commit, string digest = Digest,
        TimeSpan? age = null, string? error = null) => new()
    {
        Id = id,
        Service = Service,
        Environment = Environment,
        CollectedAt = Now - (age ?? TimeSpan.FromMinutes(5)),
        Replica = replica,
        Version = error is null ? version : null,
        Commit = error is null ? commit : null,
        ImageDigest = error is null ? digest : null,
        Error = error,
    };

    public static FindingsSnapshot Findings(string id, string scope = Account, TimeSpan? age = null, params OpenFinding[] findings) => new()
    {
        Id = id,
        Service = Service,
        Environment = Environment,
        CollectedAt = Now - (age ?? TimeSpan.FromMinutes(5)),
        Scope = scope,
        Findings = findings,
    };

    public static ApprovalEvidence Approval(string id, string approver, bool approved = true, string commit = Commit, TimeSpan? age = null) => new()
    {
        Id = id,
        Service = Service,
        Environment = Environment,
        CollectedAt = Now - (age ?? TimeSpan.FromMinutes(30)),
        Approver = approver,
        Commit = commit,
        Approved = approved,
    };

    public static MetricSample Metric(string id, string metric, decimal? value, TimeSpan? age = null) => new()
    {
        Id = id,
        Service = Service,
        Environment = Environment,
        CollectedAt = Now - (age ?? TimeSpan.FromMinutes(1)),
        Metric = metric,
        Value = value,
    };

    public static Waiver Waiver(string id, string? ruleId = null, string? ruleKind = null, string requestedBy = Requester, string approvedBy = "lead@ops",
        DateTimeOffset? expiresAt = null, string service = Service, string reason = "hotfix for INC-1234", TimeSpan? age = null) => new()
    {
        Id = id,
        Service = service,
        Environment = Environment,
        CollectedAt = Now - (age ?? TimeSpan.FromHours(1)),
        RuleId = ruleId,
        RuleKind = ruleKind,
        Reason = reason,
        RequestedBy = requestedBy,
        ApprovedBy = approvedBy,
        ExpiresAt = expiresAt ?? Now.AddHours(4),
    };

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The repository root, found from the test's output folder.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ControlTower.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("ControlTower.sln not found above the test output folder");
    }
}
