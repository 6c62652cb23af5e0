using System.Text;
using System.Text.Json.Nodes;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using ControlTower.Collector.Azure.EventHubs;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Hosting;

namespace ControlTower.Collector.Azure.Tests;

/// <summary>What the Event Hubs consumer does with a partition's events, against a real broker, without a hub.</summary>
public sealed class EventHubsTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    internal const string Namespace = "ct-test.servicebus.windows.net";
    internal const string Hub = "insights-activity-logs";
    internal const string ConsumerGroup = "$Default";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string folder = EventHubsFiles.NewFolder();
    private ServiceFactory<Program> factory = null!;

    public ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await factory.DisposeAsync();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ThePartitionIsCheckpointedAfterItsLastEventOnlyOnceTheBrokerConfirmedTheActivities()
    {
        var batches = factory.Services.GetRequiredService<ActivityLogEventBatches>();
        await using var spy = await BatchSpy.StartAsync(infrastructure.RabbitMq, TestContext.Current.CancellationToken);
        using var store = new FileCheckpointStore(folder, TimeProvider.System);
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid().ToString()).ToList();
        var events = new List<EventData>
        {
            EventHubsFiles.Event(10, EventHubsFiles.Export(ids[0], ids[1])),
            EventHubsFiles.Event(11, EventHubsFiles.Export(ids[2])),
            EventHubsFiles.Event(12, EventHubsFiles.Export(ids[3], ids[4])),
        };
        var publishedWhenCheckpointed = false;

        var handled = await batches.HandleAsync("eventhubs:" + Hub, "0", events, async (position, token) =>
        {
            // Confirmed means on the broker: the spy's queue already holds every activity when the checkpoint is asked for.
            await spy.WaitForAsync(ids, TimeSpan.FromSeconds(5));
            publishedWhenCheckpointed = true;
            await EventHubsFiles.Checkpoint(store, "0", position, token);
        }, TestContext.Current.CancellationToken);

        Assert.True(handled);
        Assert.True(publishedWhenCheckpointed);
        Assert.All(ids, id => Assert.Equal(1, spy.Seen[id]));
        Assert.Equal("eventhubs:" + Hub, spy.Sources[ids[0]]);
        var checkpoint = await store.GetCheckpointAsync(Namespace, Hub, ConsumerGroup, "0", TestContext.Current.CancellationToken);
        Assert.NotNull(checkpoint);
        Assert.Equal(EventPosition.FromOffset(EventHubsFiles.OffsetOf(12), isInclusive: false), checkpoint.StartingPosition);
        var progress = batches.Progress.Read();
        Assert.Equal((3, 5, 0, 0), (progress.Events, progress.Published, progress.Refused, progress.Unreadable));
        Assert.Contains("0@12", progress.Checkpoints, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadRecordsAndUnreadableEventsAreSkippedWhileTheGoodOnesArePublishedAndTheirPartitionMovesOn()
    {
        var batches = factory.Services.GetRequiredService<ActivityLogEventBatches>();
        await using var spy = await BatchSpy.StartAsync(infrastructure.RabbitMq, TestContext.Current.CancellationToken);
        using var store = new FileCheckpointStore(folder, TimeProvider.System);
        var good = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString()).ToList();
        var noOperation = Guid.NewGuid().ToString();
        var mixed = EventHubsFiles.Export(good[0], noOperation);
        ((JsonObject)mixed["records"]![1]!).Remove("operationName");
        var events = new List<EventData>
        {
            EventHubsFiles.Event(20, mixed),
            EventHubsFiles.Event(21, "this is not JSON"),
            EventHubsFiles.Event(22, """{"somethingElse":[1,2,3]}"""),
            EventHubsFiles.Event(23, EventHubsFiles.Export(good[1], good[2])),
        };

        var handled = await batches.HandleAsync("eventhubs:" + Hub, "1", events,
            (position, token) => EventHubsFiles.Checkpoint(store, "1", position, token), TestContext.Current.CancellationToken);

        Assert.True(handled);
        await spy.WaitForAsync(good, Timeout);
        Assert.False(spy.Seen.ContainsKey(noOperation));
        var checkpoint = await store.GetCheckpointAsync(Namespace, Hub, ConsumerGroup, "1", TestContext.Current.CancellationToken);
        Assert.Equal(EventPosition.FromOffset(EventHubsFiles.OffsetOf(23), isInclusive: false), checkpoint?.StartingPosition);
        var progress = batches.Progress.Read();
        Assert.Equal((4, 3, 1, 2), (progress.Events, progress.Published, progress.Refused, progress.Unreadable));

        // A batch with nothing readable publishes nothing and still moves the partition on: it can never block it.
        var messagesBefore = spy.Messages;
        var unreadable = await batches.HandleAsync("eventhubs:" + Hub, "1", [EventHubsFiles.Event(24, "{\"records\":")],
            (position, token) => EventHubsFiles.Checkpoint(store, "1", position, token), TestContext.Current.CancellationToken);
        Assert.True(unreadable);
        checkpoint = await store.GetCheckpointAsync(Namespace, Hub, ConsumerGroup, "1", TestContext.Current.CancellationToken);
        Assert.Equal(EventPosition.FromOffset(EventHubsFiles.OffsetOf(24), isInclusive: false), checkpoint?.StartingPosition);
        Assert.Equal(messagesBefore, spy.Messages);
    }

    [Fact]
    public async Task TheConsumerIsOffUnlessAConnectionStringIsSetAndThenNeedsACheckpointFolder()
    {
        Assert.DoesNotContain(factory.Services.GetServices<IHostedService>(), s => s is EventHubsConsumer);

        // A faulty setting stops the start. (Which exception a failed start surfaces through WebApplicationFactory
        // depends on timing, an ObjectDisposedException at times, so the faults are read from the options below.)
        await using var missingFolder = ServiceFactory<Program>.OnServers(infrastructure, settings: new Dictionary<string, string?>
        {
            ["EventHubs:ConnectionString"] = EventHubsFiles.ConnectionString,
        });
        Assert.NotNull(Record.Exception(() => missingFolder.Services));

        Assert.Contains("EventHubs:CheckpointPath is required", Refusal(new() { ["EventHubs:ConnectionString"] = EventHubsFiles.ConnectionString }),
            StringComparison.Ordinal);
        Assert.Contains("EventHubs:EventHubName is required", Refusal(new()
        {
            ["EventHubs:ConnectionString"] = EventHubsFiles.ConnectionString.Replace(";EntityPath=" + Hub, "", StringComparison.Ordinal),
            ["EventHubs:CheckpointPath"] = folder,
        }), StringComparison.Ordinal);
        Assert.Contains("EventHubs:ConnectionString holds no SharedAccessKeyName", Refusal(new()
        {
            ["EventHubs:ConnectionString"] = "Endpoint=sb://" + Namespace + "/;EntityPath=" + Hub,
            ["EventHubs:CheckpointPath"] = folder,
        }), StringComparison.Ordinal);

        // Configured, the consumer runs and holds the checkpoint folder (no hub answers here, so it only retries starting).
        // The lock file says who holds it once the lock is held; it is created a moment earlier.
        if (Directory.Exists(folder))
        {
            File.Delete(Path.Combine(folder, FileCheckpointStore.LockFileName));
        }
        await using var configured = ServiceFactory<Program>.OnServers(infrastructure, settings: new Dictionary<string, string?>
        {
            ["EventHubs:ConnectionString"] = EventHubsFiles.ConnectionString.Replace(EventHubsTests.Namespace, "127.0.0.1:1", StringComparison.Ordinal),
            ["EventHubs:CheckpointPath"] = folder,
        });
        Assert.Contains(configured.Services.GetServices<IHostedService>(), s => s is EventHubsConsumer);
        using var timeout = new CancellationTokenSource(Timeout);
        var lockFile = new FileInfo(Path.Combine(folder, FileCheckpointStore.LockFileName));
        while (!lockFile.Exists || lockFile.Length == 0)
        {
            lockFile.Refresh();
            await Task.Delay(50, timeout.Token);
        }
        Assert.Throws<InvalidOperationException>(() => new FileCheckpointStore(folder, TimeProvider.System));
    }

    /// <summary>What the service's own options validation says of these settings (the message of the refused start).</summary>
    private static string Refusal(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddOptions<EventHubsOptions>().BindConfiguration(EventHubsOptions.SectionName).ValidateDataAnnotations();
        using var provider = services.BuildServiceProvider();
        var refused = Record.Exception(() => provider.GetRequiredService<IOptions<EventHubsOptions>>().Value);
        Assert.IsType<OptionsValidationException>(refused);
        return refused.Message;
    }
}

/// <summary>Runs alone, after the other tests, so that no spy of theirs is bound to the activity batch exchange.</summary>
[CollectionDefinition(nameof(NoActivityConsumerBound), DisableParallelization = true)]
public sealed class NoActivityConsumerBound;

[Collection(nameof(NoActivityConsumerBound))]
public sealed class EventHubsUnroutableTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task WhileTheBrokerRefusesTheActivitiesNothingIsCheckpointedAndTheSameEventsGoThroughOnceAQueueIsBound()
    {
        var folder = EventHubsFiles.NewFolder();
        try
        {
            await using var factory = ServiceFactory<Program>.OnServers(infrastructure);
            var batches = factory.Services.GetRequiredService<ActivityLogEventBatches>();
            using var store = new FileCheckpointStore(folder, TimeProvider.System);
            var ids = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
            List<EventData> events = [EventHubsFiles.Event(30, EventHubsFiles.Export(ids[0])), EventHubsFiles.Event(31, EventHubsFiles.Export(ids[1]))];
            var checkpoints = 0;
            Task Checkpoint(CheckpointPosition position, CancellationToken token)
            {
                checkpoints++;
                return EventHubsFiles.Checkpoint(store, "2", position, token);
            }

            // No queue is bound to activity batches: the broker returns them, so the partition must not move on.
            var refused = await batches.HandleAsync("eventhubs:" + EventHubsTests.Hub, "2", events, Checkpoint, TestContext.Current.CancellationToken);

            Assert.False(refused);
            Assert.Equal(0, checkpoints);
            Assert.Null(await store.GetCheckpointAsync(EventHubsTests.Namespace, EventHubsTests.Hub, EventHubsTests.ConsumerGroup, "2", TestContext.Current.CancellationToken));
            Assert.Equal(1, batches.Progress.Read().PublishFailures);

            // Read again (as the processor hands a failed batch over again) once something consumes activities.
            await using var spy = await BatchSpy.StartAsync(infrastructure.RabbitMq, TestContext.Current.CancellationToken);
            var accepted = await batches.HandleAsync("eventhubs:" + EventHubsTests.Hub, "2", events, Checkpoint, TestContext.Current.CancellationToken);

            Assert.True(accepted);
            await spy.WaitForAsync(ids, TimeSpan.FromSeconds(30));
            Assert.Equal(1, checkpoints);
            var checkpoint = await store.GetCheckpointAsync(EventHubsTests.Namespace, EventHubsTests.Hub, EventHubsTests.ConsumerGroup, "2", TestContext.Current.CancellationToken);
            Assert.Equal(EventPosition.FromOffset(EventHubsFiles.OffsetOf(31), isInclusive: false), checkpoint?.StartingPosition);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>Events as the SDK hands them over, and the checkpoint call the processor makes.</summary>
internal static class EventHubsFiles
{
    /// <summary>A made-up namespace and a made-up key (not a secret): nothing here connects to it.</summary>
    public const string ConnectionString =
        "Endpoint=sb://" + EventHubsTests.Namespace + "/;SharedAccessKeyName=listen;SharedAccessKey=dGVzdC1rZXktbm90LWEtc2VjcmV0;EntityPath=" + EventHubsTests.Hub;

    public static string NewFolder() => Path.Combine(Path.GetTempPath(), "ct-eventhubs-" + Guid.NewGuid().ToString("N"));

    /// <summary>An Activity Log export as a diagnostic setting writes it, with one record per id (in <c>properties.eventDataId</c>).</summary>
    public static JsonObject Export(params string[] eventDataIds)
    {
        var records = new JsonArray();
        foreach (var id in eventDataIds)
        {
            var record = AzureSamples.ActivityRecord();
            record["properties"] = new JsonObject { ["eventDataId"] = id };
            records.Add(record);
        }
        return new JsonObject { ["records"] = records };
    }

    public static string OffsetOf(long sequenceNumber) => (sequenceNumber * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static EventData Event(long sequenceNumber, JsonObject body) => Event(sequenceNumber, body.ToJsonString());

    public static EventData Event(long sequenceNumber, string body) => EventHubsModelFactory.EventData(
        new BinaryData(Encoding.UTF8.GetBytes(body)), partitionKey: null, sequenceNumber: sequenceNumber,
        offsetString: OffsetOf(sequenceNumber), enqueuedTime: DateTimeOffset.UtcNow);

    public static Task Checkpoint(CheckpointStore store, string partitionId, CheckpointPosition position, CancellationToken cancellationToken) =>
        store.UpdateCheckpointAsync(EventHubsTests.Namespace, EventHubsTests.Hub, EventHubsTests.ConsumerGroup, partitionId, "test-processor", position, cancellationToken);
}
