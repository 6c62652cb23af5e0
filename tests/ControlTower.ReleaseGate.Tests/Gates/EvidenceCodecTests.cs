using System.Text;
using ControlTower.ReleaseGate.Data;
using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Verdicts;
using static ControlTower.ReleaseGate.Tests.Gates.Gate;

namespace ControlTower.ReleaseGate.Tests.Gates;

/// <summary>Stored evidence rebuilds to the very item that was evaluated: same digest, so a replay pins the same inputs.</summary>
public sealed class EvidenceCodecTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 11, 59, 58, 123, TimeSpan.Zero);

    private static EvidenceRecord Stored(EvidenceItem item, byte[]? original = null, string? format = null, string? tapSuite = null) => new()
    {
        Id = Guid.NewGuid(),
        Kind = item.Kind,
        ContentKey = EvidenceCodec.ContentKey(item, withTime: true),
        Digest = item.Digest,
        Canonical = CanonicalJson.ToText(item.Canonical()),
        Original = original,
        SmokeFormat = format,
        TapSuite = tapSuite,
        SubmittedBy = "test",
    };

    public static TheoryData<string> Kinds() => ["truth", "truth error", "approval", "waiver", "metric", "metric without a value", "metric with trailing zeros"];

    private static EvidenceItem Item(string kind) => kind switch
    {
        "truth" => new TruthObservation { Id = "e1", Service = Gate.Service, Environment = Gate.Environment, CollectedAt = At, Replica = "pod-a", Version = Gate.Version, Commit = Gate.Commit, ImageDigest = Digest },
        "truth error" => new TruthObservation { Id = "e2", Service = Gate.Service, Environment = Gate.Environment, CollectedAt = At, Replica = "pod-b", Error = "connection refused" },
        "approval" => new ApprovalEvidence { Id = "e3", Service = Gate.Service, Environment = Gate.Environment, CollectedAt = At, Approver = "alice", Commit = Gate.Commit, Approved = false, Comment = "not today" },
        "waiver" => new Waiver
        {
            Id = "e4", Service = Gate.Service, Environment = Gate.Environment, CollectedAt = At, RuleKind = "smoke.passRate", Reason = "INC-42",
            RequestedBy = "carol", ApprovedBy = "dave", ExpiresAt = At.AddDays(1),
        },
        "metric" => new MetricSample { Id = "e5", Service = Gate.Service, Environment = Gate.Environment, CollectedAt = At, Metric = "http.error_rate", Value = 0.0042m },
        "metric without a value" => new MetricSample { Id = "e6", Service = Gate.Service, Environment = Gate.Environment, CollectedAt = At, Metric = "http.error_rate" },
        _ => new MetricSample { Id = "e7", Service = Gate.Service, Environment = Gate.Environment, CollectedAt = At, Metric = "latency", Value = 400.000m },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EachKindRebuildsToItsDigest(string kind)
    {
        var item = Item(kind);

        var rebuilt = EvidenceCodec.ToItem(Stored(item));

        Assert.Equal(item.Digest, rebuilt.Digest);
        Assert.Equal(item.GetType(), rebuilt.GetType());
        Assert.Equal(CanonicalJson.ToText(item.Canonical()), CanonicalJson.ToText(rebuilt.Canonical()));
    }

    [Fact]
    public void ASmokeRunIsReparsedFromItsOriginalReport()
    {
        var bytes = Encoding.UTF8.GetBytes("TAP version 14\n1..2\nok 1 - ready\nnot ok 2 - version\n");
        var run = SmokeReportParser.Parse(SmokeFormat.Tap, bytes, tapSuite: "api-smoke").Run!;
        var item = new SmokeRunEvidence { Id = "s1", Service = Gate.Service, Environment = Gate.Environment, CollectedAt = At, Commit = Gate.Commit, Version = Gate.Version, Run = run };

        var rebuilt = Assert.IsType<SmokeRunEvidence>(EvidenceCodec.ToItem(Stored(item, bytes, "Tap", "api-smoke")));

        Assert.Equal(item.Digest, rebuilt.Digest);
        Assert.Equal(new SmokeCounts(2, 1, 1, 0, 0), rebuilt.Run.Suites.Single(s => s.Name == "api-smoke").Counts);
    }

    [Fact]
    public void EvidenceThatNoLongerMatchesItsDigestIsRefused()
    {
        var record = Stored(Item("approval"));
        record.Canonical = record.Canonical.Replace("alice", "mallory", StringComparison.Ordinal);

        var error = Assert.Throws<InvalidOperationException>(() => EvidenceCodec.ToItem(record));

        Assert.Contains("no longer rebuilds to its digest", error.Message);
    }

    [Fact]
    public void TimesAreCutToTheMicrosecondPostgreSqlKeeps()
    {
        var time = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(1)).AddTicks(1_234_567);

        var cut = EvidenceCodec.Microseconds(time);

        Assert.Equal(TimeSpan.Zero, cut.Offset);
        Assert.Equal(time.UtcTicks - 7, cut.UtcTicks);
    }
}
