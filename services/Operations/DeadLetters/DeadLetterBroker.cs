using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ControlTower.Operations.DeadLetters;

/// <summary>
/// The error queues on the broker, read and moved over AMQP. Names come from the management API (AMQP cannot list
/// queues) and configuration; counts from passive declares, which are exact and immediate where the management API
/// lags by its statistics interval. Peeking takes messages without acknowledging them and gives them back by closing
/// the channel: a classic queue puts each at its original position either way, but a quorum queue (RabbitMQ 3.10)
/// puts a <c>basic.nack</c>ed message at its tail, and only a closed channel's messages back at its head, in order,
/// and a moment later; so the queue is held until its count is whole again.
/// </summary>
public sealed class DeadLetterBroker(
    IConfiguration configuration,
    IOptions<DeadLettersOptions> options,
    IHttpClientFactory httpClients,
    SingletonJobs jobs,
    ILogger<DeadLetterBroker> logger) : IAsyncDisposable
{
    public const string ManagementClient = "rabbitmq-management";
    private const int NotFound = 404;

    /// <summary>How long a peek or replay waits for another replica's to finish with the same queue.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim connecting = new(1, 1);
    // A message one peek holds is invisible to another until it is given back, so the monitor and the API take an error
    // queue one at a time: within this process by a semaphore, and across the replicas of Operations by an advisory
    // lock on their database (else one replica's peek or replay would see fewer messages while another's holds some).
    private readonly ConcurrentDictionary<string, SemaphoreSlim> queueLocks = new(StringComparer.Ordinal);
    private readonly Uri broker = new(configuration.GetConnectionString(BusExtensions.ConnectionName)
        ?? throw new InvalidOperationException($"ConnectionStrings:{BusExtensions.ConnectionName} is not configured."));
    private IConnection? connection;

    public string VirtualHost
    {
        get
        {
            var path = Uri.UnescapeDataString(broker.AbsolutePath.TrimStart('/'));
            return path.Length == 0 ? "/" : path;
        }
    }

    /// <summary>Every error queue the management API lists in this virtual host, with the configured ones.</summary>
    public async Task<IReadOnlyList<string>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(options.Value.Queues, StringComparer.Ordinal);
        if (options.Value.ManagementUrl is { Length: > 0 })
        {
            var client = httpClients.CreateClient(ManagementClient);
            using var response = await client.GetAsync(
                $"api/queues/{Uri.EscapeDataString(VirtualHost)}?columns=name", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            foreach (var queue in document.RootElement.EnumerateArray())
            {
                if (queue.TryGetProperty("name", out var name) && name.GetString() is { } value && ErrorQueues.IsErrorQueue(value))
                {
                    names.Add(value);
                }
            }
        }
        return [.. names];
    }

    /// <summary>The number of messages ready in <paramref name="queue"/>, or null when it does not exist.</summary>
    public async Task<long?> CountAsync(string queue, CancellationToken cancellationToken)
    {
        await using var channel = await OpenChannelAsync(confirms: false, cancellationToken);
        try
        {
            var declared = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            return declared.MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> messages after the first <paramref name="skip"/>, oldest first, left where they
    /// were; null when the queue does not exist.
    /// </summary>
    public async Task<IReadOnlyList<DeadLetter>?> PeekAsync(string queue, int skip, int limit, CancellationToken cancellationToken)
    {
        await using var held = await LockAsync(queue, cancellationToken);
        await using var channel = await OpenChannelAsync(confirms: false, cancellationToken);
        if (await ExistsAsync(queue, cancellationToken) is not { } count)
        {
            return null;
        }
        var found = new List<DeadLetter>();
        var taken = 0;
        try
        {
            for (; taken < skip + limit && taken < count; taken++)
            {
                var result = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
                if (result is null)
                {
                    break;
                }
                if (taken >= skip)
                {
                    found.Add(DeadLetter.From(result.BasicProperties, result.Body));
                }
            }
        }
        finally
        {
            await GiveBackAsync(channel, queue, taken > 0 ? count : 0);
        }
        return found;
    }

    /// <summary>
    /// Moves messages from <paramref name="queue"/> back to its input queue, oldest first: each is published there
    /// (mandatory, confirmed by the broker) before it is acknowledged here, so a failure leaves it in the error queue.
    /// With <paramref name="messageId"/> only that message moves and the others keep their places.
    /// </summary>
    public async Task<ReplayOutcome> ReplayAsync(string queue, string? messageId, int? limit, CancellationToken cancellationToken)
    {
        var input = ErrorQueues.InputQueueOf(queue);
        await using var held = await LockAsync(queue, cancellationToken);
        await using var channel = await OpenChannelAsync(confirms: true, cancellationToken);
        if (await ExistsAsync(queue, cancellationToken) is not { } count)
        {
            return new ReplayOutcome(ReplayStatus.UnknownQueue, input, 0, 0);
        }
        if (await ExistsAsync(input, cancellationToken) is null)
        {
            return new ReplayOutcome(ReplayStatus.NoInputQueue, input, 0, count);
        }

        // Bounded by the count at the start: a replayed message that fails again returns to the tail and is not taken twice.
        var budget = messageId is null ? Math.Min(count, limit ?? long.MaxValue) : count;
        long replayed = 0;
        long passedOver = 0;
        try
        {
            for (long taken = 0; taken < budget; taken++)
            {
                var result = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
                if (result is null)
                {
                    break;
                }
                if (messageId is not null && DeadLetter.IdOf(result.BasicProperties, result.Body) != messageId)
                {
                    passedOver++;
                    continue;
                }
                var properties = new BasicProperties(result.BasicProperties);
                if (properties.Headers is { } headers)
                {
                    foreach (var fault in headers.Keys.Where(IsFaultHeader).ToList())
                    {
                        headers.Remove(fault);
                    }
                }
                await channel.BasicPublishAsync("", input, mandatory: true, properties, result.Body, cancellationToken);
                await channel.BasicAckAsync(result.DeliveryTag, multiple: false, cancellationToken);
                replayed++;
                if (messageId is not null)
                {
                    break;
                }
            }
        }
        finally
        {
            // Messages passed over on the way to the one asked for go back to their places.
            await GiveBackAsync(channel, queue, passedOver > 0 ? count - replayed : 0);
        }
        var remaining = await CountAsync(queue, cancellationToken) ?? 0;
        var status = messageId is not null && replayed == 0 ? ReplayStatus.UnknownMessage : ReplayStatus.Replayed;
        return new ReplayOutcome(status, input, replayed, remaining);
    }

    // The fault MassTransit recorded belongs to the failed attempt; a replayed message starts clean, and gets new ones if it fails again.
    private static bool IsFaultHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase) || name.Equals("MT-Reason", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Closes <paramref name="channel"/>, which returns what it holds unacknowledged, and waits (a few seconds at most)
    /// until <paramref name="queue"/> holds at least <paramref name="expected"/> ready messages again, so that nothing
    /// this process reads next overtakes the returned messages.
    /// </summary>
    private async Task GiveBackAsync(IChannel channel, string queue, long expected)
    {
        if (channel.IsOpen)
        {
            await channel.CloseAsync(CancellationToken.None);
        }
        if (expected == 0)
        {
            return;
        }
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (await CountAsync(queue, patience.Token) is { } count && count < expected)
            {
                await Task.Delay(20, patience.Token);
            }
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            logger.LogWarning("{Queue} did not show its {Expected} message(s) again within 5 s of a peek or replay", queue, expected);
        }
    }

    // A passive declare of a missing queue closes the channel, so CountAsync asks on a channel of its own.
    private Task<long?> ExistsAsync(string queue, CancellationToken cancellationToken) => CountAsync(queue, cancellationToken);

    private async Task<IAsyncDisposable> LockAsync(string queue, CancellationToken cancellationToken)
    {
        var gate = queueLocks.GetOrAdd(queue, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            return new Release(gate, await jobs.LockAsync("operations:dead-letters:" + queue, LockWait, cancellationToken));
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private sealed class Release(SemaphoreSlim gate, IAsyncDisposable replicas) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await replicas.DisposeAsync();
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private async Task<IChannel> OpenChannelAsync(bool confirms, CancellationToken cancellationToken)
    {
        var open = await ConnectAsync(cancellationToken);
        return await open.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: confirms, publisherConfirmationTrackingEnabled: confirms),
            cancellationToken);
    }

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (connection is { IsOpen: true } current)
        {
            return current;
        }
        await connecting.WaitAsync(cancellationToken);
        try
        {
            if (connection is { IsOpen: true } raced)
            {
                return raced;
            }
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
            var factory = new ConnectionFactory
            {
                Uri = broker,
                ClientProvidedName = "operations-dead-letters",
                RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            };
            connection = await factory.CreateConnectionAsync(cancellationToken);
            logger.LogDebug("Connected to {Host} for the error queues", broker.Host);
            return connection;
        }
        finally
        {
            connecting.Release();
        }
    }

    /// <summary>The management API client: the configured URL, with its credentials or those of the messaging connection string.</summary>
    public static void ConfigureManagementClient(HttpClient client, IConfiguration configuration, DeadLettersOptions options)
    {
        if (options.ManagementUrl is not { Length: > 0 } url)
        {
            return;
        }
        var management = new Uri(url.EndsWith('/') ? url : url + "/");
        var userInfo = management.UserInfo.Length > 0 ? management.UserInfo
            : configuration.GetConnectionString(BusExtensions.ConnectionName) is { } amqp ? new Uri(amqp).UserInfo : "";
        client.BaseAddress = new UriBuilder(management) { UserName = "", Password = "" }.Uri;
        client.Timeout = TimeSpan.FromSeconds(5);
        if (userInfo.Length > 0)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(userInfo))));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
        connecting.Dispose();
    }
}

public enum ReplayStatus
{
    Replayed,
    UnknownQueue,
    NoInputQueue,
    UnknownMessage,
}

public sealed record ReplayOutcome(ReplayStatus Status, string InputQueue, long Replayed, long Remaining);
