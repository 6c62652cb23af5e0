using ControlTower.Bench;

namespace ControlTower.Faults.Tests;

/// <summary>
/// Issue #11, faults: the whole system through the real AppHost, a 100,000-event ingest, each service killed and each
/// server restarted along the way; nothing lost, nothing doubled, nothing stuck. Set <c>CONTROLTOWER_FAULT_EVENTS</c>,
/// <c>CONTROLTOWER_FAULT_ROUNDS</c> and <c>CONTROLTOWER_FAULT_RATE</c> for a soak (README, "Reliability and security").
/// </summary>
[Collection(WholeSystem.Collection)]
public sealed class FaultTests
{
    [Fact]
    public async Task EveryEventIsStoredOnceAndEveryFindingAndSignalCountsOnceThroughKillsAndServerRestarts()
    {
        // Bounded, so that a system that never settles fails the test rather than hanging the run: 10 minutes and three
        // times the planned load.
        var options = FaultRunOptions.FromEnvironment();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(3.0 * options.Events / options.Rate * options.Rounds));
        var cancellationToken = limit.Token;
        var log = FaultLog.Open("faults", TestContext.Current.TestOutputHelper!);
        await using var system = await SystemUnderTest.StartAsync(keptData: null, postgresSettings: [], cancellationToken);
        var report = await new FaultRun(system, options, log).RunAsync(cancellationToken);
        foreach (var problem in report.Problems)
        {
            log("problem: " + problem);
        }

        Assert.Empty(report.Problems);
        Assert.Equal(report.EventsSent, report.Stored);
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.DuplicatesStored);
    }
}

/// <summary>Each test here starts a whole system of its own and stops parts of it; they run one at a time, so that two systems never share this machine's cores.</summary>
public static class WholeSystem
{
    public const string Collection = "one whole system at a time";
}
