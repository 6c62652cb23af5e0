using System.Diagnostics;
using System.Net;
using System.Text;
using ControlTower.ActivityBench;
using ControlTower.LoadDriver;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ControlTower.Bench;

/// <summary>What this machine does with no Control Tower code in the way: the figures the system's are read against.</summary>
public static class Limits
{
    public sealed record PostgresLimit(long Rows, double Seconds, double RowsPerSecond);

    public sealed record RabbitLimit(int MessageBytes, long Published, double PublishSeconds, double PublishedPerSecond, long Consumed, double ConsumeSeconds, double ConsumedPerSecond);

    public sealed record KestrelLimit(long Requests, double Seconds, double RequestsPerSecond, double EventsPerSecond, int Batch, int Concurrency,
        double P50Milliseconds, double P99Milliseconds, long TrivialRequests, double TrivialRequestsPerSecond);

    /// <summary>
    /// Binary COPY of activity rows (ActivityBench's <see cref="Seeder"/>, two connections) into a fresh database migrated
    /// with the Operations schema: the real table, its partitions and indexes, from a plain Npgsql client.
    /// </summary>
    public static async Task<PostgresLimit> PostgresAsync(string adminConnectionString, long rows, CancellationToken cancellationToken)
    {
        var database = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = $"bench_copy_{Guid.NewGuid():N}"[..24] }.ConnectionString;
        try
        {
            var result = await Seeder.RunAsync(database, rows, days: 1, writers: 2, cancellationToken, finish: false);
            return new PostgresLimit(result.Rows, result.Copying.TotalSeconds, result.RowsPerSecond);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(adminConnectionString);
            await admin.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(database).Database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// 1 KB persistent messages to a quorum queue with publisher confirms tracked (RabbitMQ.Client 7), 256 awaiting their
    /// confirm at a time, for <paramref name="duration"/>; then the backlog consumed with manual acks and a prefetch of 256.
    /// </summary>
    public static async Task<RabbitLimit> RabbitMqAsync(string uri, TimeSpan duration, CancellationToken cancellationToken)
    {
        const int size = 1024, window = 256;
        var queue = $"bench-limit-{Guid.NewGuid():N}"[..24];
        var factory = new ConnectionFactory { Uri = new Uri(uri) };
        await using var connection = await factory.CreateConnectionAsync("ct-bench", cancellationToken);
        await using var publisher = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
        var body = new ReadOnlyMemory<byte>(Encoding.ASCII.GetBytes(new string('x', size)));
        var properties = new BasicProperties { Persistent = true, ContentType = "application/octet-stream" };

        long published = 0;
        var clock = Stopwatch.StartNew();
        var pending = new List<Task>(window);
        while (clock.Elapsed < duration)
        {
            pending.Clear();
            for (var i = 0; i < window; i++)
            {
                pending.Add(publisher.BasicPublishAsync("", queue, mandatory: false, properties, body, cancellationToken).AsTask());
            }
            await Task.WhenAll(pending);
            published += window;
        }
        var publishSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"limits: RabbitMQ {published:N0} confirmed publishes of {size} B in {publishSeconds:N1} s, {published / publishSeconds:N0}/s; consuming them");

        await using var consumerChannel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await consumerChannel.BasicQosAsync(0, 256, false, cancellationToken);
        long consumed = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await consumerChannel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
            if (Interlocked.Increment(ref consumed) == published)
            {
                done.TrySetResult();
            }
        };
        clock.Restart();
        var tag = await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(10), cancellationToken);
        var consumeSeconds = clock.Elapsed.TotalSeconds;
        await consumerChannel.BasicCancelAsync(tag, cancellationToken: cancellationToken);
        await publisher.QueueDeleteAsync(queue, cancellationToken: cancellationToken);
        return new RabbitLimit(size, published, publishSeconds, published / publishSeconds, consumed, consumeSeconds, consumed / consumeSeconds);
    }

    /// <summary>
    /// A bare Kestrel app on a loopback port whose one endpoint reads the body to its end and answers 202 with a count,
    /// driven by the load driver itself (<see cref="LoadRun"/>: its HttpClient, its CloudTrail files, its batch and
    /// concurrency), so the only difference from the ingest figure is everything Control Tower does.
    /// </summary>
    public static async Task<KestrelLimit> KestrelAsync(TimeSpan duration, int batch, int concurrency, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        var answer = Encoding.UTF8.GetBytes($$"""{"accepted":{{batch}},"duplicates":0,"rejected":0}""");
        app.MapGet("/", () => "ok");
        app.MapPost("/" + LoadOptions.IngestPath, async (HttpContext context) =>
        {
            var buffer = new byte[16384];
            while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted) > 0)
            {
            }
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        try
        {
            var options = new LoadOptions { Gateway = address, Key = "none", Duration = duration, Batch = batch, Concurrency = concurrency };
            var statistics = await Load.RunAsync(options, probes: 0, progress: null, cancellationToken);
            var seconds = statistics.Wall.TotalSeconds;
            var latencies = statistics.Statistics.Samples.Select(s => s.Milliseconds).Order().ToArray();
            var (trivial, trivialSeconds) = await TrivialAsync(address, duration, concurrency, cancellationToken);
            return new KestrelLimit(statistics.Statistics.Accepted202, seconds, statistics.Statistics.Accepted202 / seconds,
                statistics.Statistics.EventsAccepted / seconds, batch, concurrency, Load.Percentile(latencies, 50), Load.Percentile(latencies, 99),
                trivial, trivial / trivialSeconds);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary><c>GET /</c> answering "ok", from <paramref name="concurrency"/> loops on one HttpClient set up as the load driver's is.</summary>
    private static async Task<(long Requests, double Seconds)> TrivialAsync(Uri address, TimeSpan duration, int concurrency, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, AutomaticDecompression = DecompressionMethods.None, UseProxy = false };
        using var client = new HttpClient(handler);
        long requests = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                using var response = await client.GetAsync(address, cancellationToken);
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref requests);
            }
        }, cancellationToken)));
        return (requests, clock.Elapsed.TotalSeconds);
    }
}
