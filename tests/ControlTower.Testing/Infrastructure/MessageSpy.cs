using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client;

namespace ControlTower.Testing.Infrastructure;

/// <summary>
/// Listens on the broker to every message of one type, through a queue of its own bound to MassTransit's
/// exchange for that type (<c>Namespace:TypeName</c>), and keeps each message's <c>message</c> body.
/// </summary>
public sealed class MessageSpy : IAsyncDisposable
{
    private readonly IConnection connection;
    private readonly IChannel channel;
    private readonly string queue;
    private readonly ConcurrentQueue<JsonElement> messages = new();

    private MessageSpy(IConnection connection, IChannel channel, string queue)
    {
        this.connection = connection;
        this.channel = channel;
        this.queue = queue;
    }

    public IReadOnlyCollection<JsonElement> Messages => messages;

    public static async Task<MessageSpy> StartAsync(RabbitMqServer server, Type messageType, CancellationToken cancellationToken)
    {
        var exchange = $"{messageType.Namespace}:{messageType.Name}";
        var connection = await server.ConnectAsync(cancellationToken);
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        var declared = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(declared.QueueName, exchange, "", cancellationToken: cancellationToken);
        return new MessageSpy(connection, channel, declared.QueueName);
    }

    /// <summary>Drains the queue until a message matches, and returns it; fails after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan timeout)
    {
        await WaitUntilAsync(all => all.Any(match), timeout);
        return messages.First(match);
    }

    /// <summary>Drains the queue until what arrived so far satisfies <paramref name="until"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyCollection<JsonElement>, bool> until, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (!until(messages))
        {
            var result = await channel.BasicGetAsync(queue, autoAck: true, CancellationToken.None);
            if (result is not null)
            {
                using var envelope = JsonDocument.Parse(result.Body);
                messages.Enqueue(envelope.RootElement.GetProperty("message").Clone());
                continue;
            }
            try
            {
                await Task.Delay(100, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"what arrived within {timeout} is not what was awaited; {messages.Count} message(s) arrived");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await channel.DisposeAsync();
        await connection.DisposeAsync();
    }
}
