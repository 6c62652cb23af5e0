using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client;

namespace ControlTower.Testing.Infrastructure;

/// <summary>
/// Listens on the broker to every <c>CloudActivityBatch</c> published, through a queue of its own bound to
/// MassTransit's exchange for that message type, and records the event ids it saw.
/// </summary>
public sealed class BatchSpy : IAsyncDisposable
{
    public const string Exchange = "ControlTower.Contracts.Activity:CloudActivityBatch";

    private readonly IConnection connection;
    private readonly IChannel channel;
    private readonly string queue;
    private readonly ConcurrentDictionary<string, int> seen = new();
    private readonly ConcurrentDictionary<string, JsonElement> activities = new();
    private readonly ConcurrentDictionary<string, string> sources = new();

    private BatchSpy(IConnection connection, IChannel channel, string queue)
    {
        this.connection = connection;
        this.channel = channel;
        this.queue = queue;
    }

    /// <summary>How many times each event id arrived in a published batch.</summary>
    public IReadOnlyDictionary<string, int> Seen => seen;

    public int Messages { get; private set; }

    /// <summary>The last published form of each activity, by event id.</summary>
    public IReadOnlyDictionary<string, JsonElement> Activities => activities;

    /// <summary>The source named by the batch each activity last arrived in, by event id.</summary>
    public IReadOnlyDictionary<string, string> Sources => sources;

    public static async Task<BatchSpy> StartAsync(RabbitMqServer server, CancellationToken cancellationToken)
    {
        var connection = await server.ConnectAsync(cancellationToken);
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        // Declared as MassTransit declares it, so whichever comes first, both agree.
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        var declared = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(declared.QueueName, Exchange, "", cancellationToken: cancellationToken);
        return new BatchSpy(connection, channel, declared.QueueName);
    }

    /// <summary>Drains the queue until every id was seen, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(IEnumerable<string> eventIds, TimeSpan timeout)
    {
        var wanted = eventIds.ToList();
        using var cancel = new CancellationTokenSource(timeout);
        while (!wanted.All(seen.ContainsKey))
        {
            if (!await DrainOnceAsync(cancel.Token))
            {
                try
                {
                    await Task.Delay(100, cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    var missing = wanted.Where(id => !seen.ContainsKey(id)).ToList();
                    throw new TimeoutException($"{missing.Count} event(s) were not published within {timeout}: {string.Join(", ", missing.Take(5))}");
                }
            }
        }
        while (await DrainOnceAsync(CancellationToken.None))
        {
        }
    }

    private async Task<bool> DrainOnceAsync(CancellationToken cancellationToken)
    {
        var result = await channel.BasicGetAsync(queue, autoAck: true, cancellationToken);
        if (result is null)
        {
            return false;
        }
        Messages++;
        using var envelope = JsonDocument.Parse(result.Body);
        var message = envelope.RootElement.GetProperty("message");
        var source = message.GetProperty("source").GetString()!;
        foreach (var activity in message.GetProperty("activities").EnumerateArray())
        {
            var eventId = activity.GetProperty("eventId").GetString()!;
            seen.AddOrUpdate(eventId, 1, (_, n) => n + 1);
            activities[eventId] = activity.Clone();
            sources[eventId] = source;
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await channel.DisposeAsync();
        await connection.DisposeAsync();
    }
}
