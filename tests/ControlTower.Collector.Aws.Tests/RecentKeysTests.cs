using ControlTower.Collector.Ingestion;
using Microsoft.Extensions.Options;

namespace ControlTower.Collector.Aws.Tests;

public sealed class RecentKeysTests
{
    private static RecentKeys Window(int capacity) => new(Options.Create(new IngestionOptions { RecentKeys = capacity }));

    [Fact]
    public void PublishedKeysAreRememberedAndTheOldestForgottenPastTheCapacity()
    {
        var recent = Window(2);

        recent.Add(["a", "b"]);
        Assert.Equal([true, true, false], recent.Contains(["a", "b", "c"]));

        recent.Add(["c", "b"]);
        Assert.Equal([false, true, true], recent.Contains(["a", "b", "c"]));
        Assert.Equal(2, recent.Count);
    }

    [Fact]
    public void AWindowOfZeroRemembersNothing()
    {
        var recent = Window(0);

        recent.Add(["a"]);

        Assert.Equal([false], recent.Contains(["a"]));
        Assert.Equal(0, recent.Count);
    }
}
