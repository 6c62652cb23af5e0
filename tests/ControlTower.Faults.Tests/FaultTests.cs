using ControlTower.Bench;

namespace ControlTower.Faults.Tests;

/// <summary>
/// Issue #11, faults: the whole system through the real AppHost, a 100,000-event ingest, each service killed and each
/// server restarted along the way; nothing lost, nothing doubled, nothing stuck. Set <c>CONTROLTOWER_FAULT_EVENTS</c>,
/// <c>CONTROLTOWER_FAULT_ROUNDS</c> and <c>CONTROLTOWER_FAULT_RATE</c> for a soak (README, "Reliability and security").
/// </summary>
public sealed class FaultTests
{
    [Fact]
    public async Task EveryEventIsStoredOnceAndEveryFindingAndSignalCountsOnceThroughKillsAndServerRestarts()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper!;
        // The run's lines go to the test's output and, as they come, to a file (progress to watch; figures to keep).
        var file = Path.Combine(ControlTower.Testing.Repository.Root, "artifacts", "faults", $"faults-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var gate = new object();
        void Log(string line)
        {
            lock (gate)
            {
                File.AppendAllLines(file, [line]);
            }
            output.WriteLine(line);
        }

        await using var system = await SystemUnderTest.StartAsync(keptData: null, postgresSettings: [], cancellationToken);
        var report = await new FaultRun(system, FaultRunOptions.FromEnvironment(), Log).RunAsync(cancellationToken);
        foreach (var problem in report.Problems)
        {
            Log("problem: " + problem);
        }

        Assert.Empty(report.Problems);
        Assert.Equal(report.EventsSent, report.Stored);
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.DuplicatesStored);
    }
}
