using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using ControlTower.Collector.Azure.EventHubs;

namespace ControlTower.Collector.Azure.Tests;

public sealed class FileCheckpointStoreTests : IDisposable
{
    private const string Namespace = EventHubsTests.Namespace;
    private const string Hub = EventHubsTests.Hub;
    private const string ConsumerGroup = EventHubsTests.ConsumerGroup;

    private readonly string folder = EventHubsFiles.NewFolder();
    private readonly CancellationToken cancellationToken = TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task ACheckpointSurvivesTheStoreAndIsReadBackAsThePositionAfterTheCheckpointedEvent()
    {
        using (var store = new FileCheckpointStore(folder, TimeProvider.System))
        {
            Assert.Null(await store.GetCheckpointAsync(Namespace, Hub, ConsumerGroup, "0", cancellationToken));
            await store.UpdateCheckpointAsync(Namespace, Hub, ConsumerGroup, "0", "processor-a", new CheckpointPosition("4096", 7), cancellationToken);
            // A checkpoint with a sequence number only (the SDK's older form).
            var legacy = store.PathOf(Namespace, Hub, ConsumerGroup, "1");
            Directory.CreateDirectory(Path.GetDirectoryName(legacy)!);
            await File.WriteAllTextAsync(legacy, """{"partitionId":"1","sequenceNumber":42,"lastModified":"2026-11-28T10:00:00Z"}""", cancellationToken);
        }

        using var reopened = new FileCheckpointStore(folder, TimeProvider.System);
        var zero = await reopened.GetCheckpointAsync(Namespace, Hub, ConsumerGroup, "0", cancellationToken);
        var one = await reopened.GetCheckpointAsync(Namespace.ToUpperInvariant(), Hub, ConsumerGroup, "1", cancellationToken);
        Assert.NotNull(zero);
        Assert.Equal(EventPosition.FromOffset("4096", isInclusive: false), zero.StartingPosition);
        Assert.Equal(("0", Hub, ConsumerGroup, "processor-a"), (zero.PartitionId, zero.EventHubName, zero.ConsumerGroup, zero.ClientIdentifier));
        Assert.NotNull(zero.LastModified);
        // Without an offset, the sequence number places the reader; names compare without case, as Event Hubs does.
        Assert.Equal(EventPosition.FromSequenceNumber(42, isInclusive: false), one?.StartingPosition);
        // Another consumer group or hub has checkpoints of its own.
        Assert.Null(await reopened.GetCheckpointAsync(Namespace, Hub, "other-group", "0", cancellationToken));
        Assert.Null(await reopened.GetCheckpointAsync(Namespace, "other-hub", ConsumerGroup, "0", cancellationToken));
    }

    [Fact]
    public async Task EachUpdateReplacesThePartitionsFileWholeAndATornTemporaryFileChangesNothing()
    {
        using var store = new FileCheckpointStore(folder, TimeProvider.System);
        for (var sequence = 1; sequence <= 20; sequence++)
        {
            await store.UpdateCheckpointAsync(Namespace, Hub, ConsumerGroup, "3", "p", new CheckpointPosition((sequence * 100).ToString(System.Globalization.CultureInfo.InvariantCulture), sequence), cancellationToken);
        }
        var path = store.PathOf(Namespace, Hub, ConsumerGroup, "3");
        var directory = Path.GetDirectoryName(path)!;

        // One file per partition, the last position in it, no temporary file left behind.
        Assert.Equal([path], Directory.GetFiles(directory));
        Assert.Contains("\"offset\": \"2000\"", await File.ReadAllTextAsync(path, cancellationToken), StringComparison.Ordinal);

        // A write that died half-way leaves only its temporary file: the checkpoint read is still the last whole one.
        await File.WriteAllTextAsync(path + ".deadbeef.tmp", "{\"offset\": \"99", cancellationToken);
        var checkpoint = await store.GetCheckpointAsync(Namespace, Hub, ConsumerGroup, "3", cancellationToken);
        Assert.Equal(EventPosition.FromOffset("2000", isInclusive: false), checkpoint?.StartingPosition);

        // A damaged checkpoint stops the partition instead of re-reading the hub from the start without a word.
        await File.WriteAllTextAsync(path, "{\"offset\": \"20", cancellationToken);
        var damaged = await Assert.ThrowsAsync<InvalidDataException>(() => store.GetCheckpointAsync(Namespace, Hub, ConsumerGroup, "3", cancellationToken));
        Assert.Contains(path, damaged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASecondStoreOnTheSameFolderIsRefusedUntilTheFirstIsClosed()
    {
        var first = new FileCheckpointStore(folder, TimeProvider.System);
        var refused = Assert.Throws<InvalidOperationException>(() => new FileCheckpointStore(folder, TimeProvider.System));
        Assert.Contains("one instance only", refused.Message, StringComparison.Ordinal);

        first.Dispose();
        using var second = new FileCheckpointStore(folder, TimeProvider.System);
        Assert.True(File.Exists(Path.Combine(folder, FileCheckpointStore.LockFileName)));
    }

    [Fact]
    public async Task OwnershipIsGrantedOnlyToAClaimThatNamesTheCurrentVersion()
    {
        using var store = new FileCheckpointStore(folder, TimeProvider.System);
        EventProcessorPartitionOwnership Claim(string owner, string? version) => new()
        {
            FullyQualifiedNamespace = Namespace,
            EventHubName = Hub,
            ConsumerGroup = ConsumerGroup,
            PartitionId = "0",
            OwnerIdentifier = owner,
            Version = version,
        };

        var first = Assert.Single(await store.ClaimOwnershipAsync([Claim("a", null)], cancellationToken));
        Assert.False(string.IsNullOrEmpty(first.Version));
        // A claim as if the partition were unowned, or naming no longer current version, is not granted.
        Assert.Empty(await store.ClaimOwnershipAsync([Claim("b", null)], cancellationToken));
        Assert.Empty(await store.ClaimOwnershipAsync([Claim("b", "stale")], cancellationToken));
        var renewed = Assert.Single(await store.ClaimOwnershipAsync([Claim("a", first.Version)], cancellationToken));
        Assert.NotEqual(first.Version, renewed.Version);
        Assert.Empty(await store.ClaimOwnershipAsync([Claim("a", first.Version)], cancellationToken));

        var listed = Assert.Single(await store.ListOwnershipAsync(Namespace, Hub, ConsumerGroup, cancellationToken));
        Assert.Equal(("a", renewed.Version), (listed.OwnerIdentifier, listed.Version));
        Assert.Empty(await store.ListOwnershipAsync(Namespace, Hub, "other-group", cancellationToken));
    }
}
