using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ControlTower.Bench;
using ControlTower.LoadDriver;
using ControlTower.Testing;

namespace ControlTower.Faults.Tests;

/// <summary>
/// Issue #11, backpressure: with PostgreSQL down the consumers stop storing, their queues fill to the broker's cap, and the
/// collectors then answer 503 with Retry-After instead of accepting more; then, with RabbitMQ down, they answer 503 at once. The
/// memory of the collector, the gateway and the broker is sampled throughout (the figures go to the output and to
/// artifacts/faults/). Once the servers are back, every event that got a 202 is stored and nothing is dead-lettered.
/// </summary>
[Collection(WholeSystem.Collection)]
public sealed class BackpressureTests
{
    /// <summary>Each work queue's cap here: small, so that it fills in seconds (the default is 1 GiB).</summary>
    private const long QueueMaxBytes = 16_000_000;

    [Fact]
    public async Task CollectorsAnswer503WithRetryAfterWhileADatabaseOrBrokerIsDownAndEveryAcceptedEventIsStoredOnceTheyReturn()
    {
        // Bounded, so that a system that never recovers fails the test rather than hanging the run.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(15));
        var cancellationToken = limit.Token;
        var log = FaultLog.Open("backpressure", TestContext.Current.TestOutputHelper!);
        await using var system = await SystemUnderTest.StartAsync(keptData: null, postgresSettings: [], cancellationToken,
            [$"--Infrastructure:QueueMaxBytes={QueueMaxBytes}"]);
        using var management = system.ManagementClient();

        // The broker's cap is on every work queue (deploy/local/rabbitmq.sh sets it as a policy once the node is up).
        var queues = await Eventually.Async(async () =>
        {
            var all = await QueuesAsync(management, cancellationToken);
            var work = all.Where(q => !q.Name.EndsWith("_error", StringComparison.Ordinal) && !q.Name.EndsWith("_skipped", StringComparison.Ordinal) && q.Durable).ToList();
            return work.Count > 0 && work.All(q => q.Policy == "ct-backlog") ? work : null;
        }, TimeSpan.FromSeconds(60));
        log($"{queues.Count} work queues under the ct-backlog policy (max-length-bytes {QueueMaxBytes:N0}, overflow reject-publish)");

        var memory = new MemorySampler(system, log);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 4, UseProxy = false };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        var sender = new OneShotSender(client, new Uri(system.Gateway, LoadOptions.IngestPath), system.Key);

        // A source that has been sending: the gateway has checked its key against the database before the outage.
        var before = await sender.RunAsync(TimeSpan.FromSeconds(2), workers: 1, memory, log, cancellationToken);
        log($"before: {before}");

        // PostgreSQL down: accepted until the queues are full, then refused.
        var postgres = await system.StopAsync("postgres", "INT", cancellationToken);
        log("PostgreSQL stopped");
        var withoutDatabase = await sender.RunAsync(TimeSpan.FromSeconds(40), workers: 4, memory, log, cancellationToken);
        var fullest = (await QueuesAsync(management, cancellationToken)).Max(q => q.Bytes);
        log($"PostgreSQL down: {withoutDatabase}; fullest queue {fullest:N0} bytes");

        await system.StartAgainAsync("postgres", postgres, cancellationToken);
        log("PostgreSQL started again");
        await Eventually.Async(async () => await system.QueuedAsync(cancellationToken) is { Working: 0 } ? "drained" : null, TimeSpan.FromMinutes(5));
        log("the backlog is drained");

        // RabbitMQ down: refused at once. (One outage at a time, after the backlog drained: stopping the broker while
        // consumers wait out a database outage makes MassTransit give up their retries and move those messages to their
        // error queues as it stops. Nothing is lost, an Admin can replay them, but they are not waited out. README,
        // "Backpressure".)
        var rabbit = await system.StopAsync("rabbitmq", "TERM", cancellationToken);
        log("RabbitMQ stopped");
        var withoutBroker = await sender.RunAsync(TimeSpan.FromSeconds(15), workers: 4, memory, log, cancellationToken);
        log($"RabbitMQ down: {withoutBroker}");
        await system.StartAgainAsync("rabbitmq", rabbit, cancellationToken);
        log("RabbitMQ started again");
        log(memory.Summary());

        // Everything accepted is stored; nothing is dead-lettered.
        var accepted = sender.AcceptedEventIds;
        var stored = await Eventually.Async(async () =>
        {
            var (ids, _) = await FaultRun.StoredEventIdsAsync(system, cancellationToken);
            var queued = await system.QueuedAsync(cancellationToken);
            return accepted.All(ids.Contains) && queued is { Working: 0 } ? ids : null;
        }, TimeSpan.FromMinutes(5));
        var queuedAtEnd = await system.QueuedAsync(cancellationToken);
        log($"after both outages: {accepted.Count:N0} accepted events, all {stored.Count(accepted.Contains):N0} stored; {stored.Count - stored.Count(accepted.Contains):N0} stored from refused requests; in error queues {queuedAtEnd?.Errors}");
        foreach (var line in await ErrorQueuesAsync(management, cancellationToken))
        {
            log("error queue " + line);
        }

        Assert.True(withoutDatabase.Accepted > 0, "nothing was accepted before the queues filled");
        Assert.True(withoutDatabase.Refused("backlog-full") > 0, $"the collector never said its backlog was full: {withoutDatabase}");
        Assert.Equal(0, withoutDatabase.Other);
        // A quorum queue sees that it is over its cap as it applies a message, so the messages in flight then still land:
        // a few of up to 512 KB each (Ingestion:MaxRawBytesPerMessage), never a growing backlog.
        Assert.True(fullest <= 2 * QueueMaxBytes, $"a queue holds {fullest:N0} bytes, far over its cap of {QueueMaxBytes:N0}");
        Assert.Equal(0, withoutBroker.Accepted);
        Assert.True(withoutBroker.Refused("broker-unavailable") > 0, $"the collector never said the broker was down: {withoutBroker}");
        Assert.Equal(withoutBroker.Requests, withoutBroker.Refused("broker-unavailable"));
        Assert.Equal(0, withoutDatabase.WithoutRetryAfter + withoutBroker.WithoutRetryAfter);
        Assert.Equal(0, queuedAtEnd?.Errors);
    }

    private sealed record Queue(string Name, bool Durable, string? Policy, long Bytes);

    private static async Task<List<Queue>> QueuesAsync(HttpClient management, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await management.GetStringAsync("/api/queues?columns=name,durable,policy,message_bytes", cancellationToken));
        return [.. document.RootElement.EnumerateArray().Select(q => new Queue(
            q.GetProperty("name").GetString()!,
            q.TryGetProperty("durable", out var d) && d.GetBoolean(),
            q.TryGetProperty("policy", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null,
            q.TryGetProperty("message_bytes", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt64() : 0))];
    }

    /// <summary>Each error queue that holds messages: its count and the fault of its first message (peeked, put back).</summary>
    public static async Task<List<string>> ErrorQueuesAsync(HttpClient management, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        using var queues = JsonDocument.Parse(await management.GetStringAsync("/api/queues?columns=name,messages", cancellationToken));
        foreach (var queue in queues.RootElement.EnumerateArray())
        {
            var name = queue.GetProperty("name").GetString()!;
            var count = queue.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
            if (!name.EndsWith("_error", StringComparison.Ordinal) || count == 0)
            {
                continue;
            }
            using var peek = await management.PostAsync($"/api/queues/%2F/{Uri.EscapeDataString(name)}/get",
                new StringContent("""{"count":1,"ackmode":"ack_requeue_true","encoding":"auto","truncate":200}""", Encoding.UTF8, "application/json"), cancellationToken);
            using var got = JsonDocument.Parse(await peek.Content.ReadAsStringAsync(cancellationToken));
            var fault = got.RootElement.EnumerateArray().Select(message =>
            {
                var headers = message.GetProperty("properties").TryGetProperty("headers", out var h) ? h : default;
                string Header(string key) => headers.ValueKind == JsonValueKind.Object && headers.TryGetProperty(key, out var v) ? v.ToString() : "?";
                return $"{Header("MT-Fault-ExceptionType")}: {Header("MT-Fault-Message")}";
            }).FirstOrDefault();
            lines.Add($"{name}: {count} ({fault})");
        }
        return lines;
    }
}

/// <summary>What one phase of sending got back.</summary>
public sealed record PhaseResult(long Requests, long Accepted, IReadOnlyDictionary<string, long> Refusals, long Other, long WithoutRetryAfter, double SlowestMs)
{
    public long Refused(string type) => Refusals.GetValueOrDefault(type);

    public override string ToString() =>
        $"{Requests:N0} requests, {Accepted:N0} accepted (202), refused: {(Refusals.Count == 0 ? "none" : string.Join(", ", Refusals.Select(r => $"503 {r.Key} × {r.Value:N0}")))}, " +
        $"other answers {Other:N0}, refusals without Retry-After {WithoutRetryAfter:N0}, slowest answer {SlowestMs:N0} ms";
}

/// <summary>Sends fresh CloudTrail files, each once, for a while; keeps the ids of every event a 202 accepted.</summary>
public sealed class OneShotSender(HttpClient client, Uri endpoint, string key)
{
    private const int PerFile = 250;
    private readonly ConcurrentBag<string> accepted = [];
    private int seed;

    public IReadOnlySet<string> AcceptedEventIds => accepted.ToHashSet(StringComparer.Ordinal);

    public async Task<PhaseResult> RunAsync(TimeSpan duration, int workers, MemorySampler memory, Action<string> log, CancellationToken cancellationToken)
    {
        long requests = 0, acceptedFiles = 0, other = 0, withoutRetryAfter = 0, slowestTicks = 0;
        var refusals = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        using var sampling = new Timer(_ => memory.Sample(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            var generator = new CloudTrailFileGenerator(new Random(Interlocked.Increment(ref seed)));
            while (clock.Elapsed < duration)
            {
                var file = generator.NextFile(PerFile);
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(file) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add("X-Api-Key", key);
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var elapsed = Stopwatch.GetElapsedTime(started).Ticks;
                InterlockedMax(ref slowestTicks, elapsed);
                Interlocked.Increment(ref requests);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref acceptedFiles);
                    foreach (var id in CloudTrailFiles.EventIds(file))
                    {
                        accepted.Add(id);
                    }
                }
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    using var problem = JsonDocument.Parse(body);
                    var type = problem.RootElement.TryGetProperty("type", out var t) ? t.GetString()!.Split('/', ':').Last() : "untyped";
                    refusals.AddOrUpdate(type, 1, (_, n) => n + 1);
                    if (response.Headers.RetryAfter?.Delta is not { } wait)
                    {
                        Interlocked.Increment(ref withoutRetryAfter);
                    }
                    else
                    {
                        // A source honours Retry-After; this one waits a tenth of it, to keep the refusals coming.
                        await Task.Delay(wait / 10, cancellationToken);
                    }
                }
                else
                {
                    Interlocked.Increment(ref other);
                    log($"unexpected answer {(int)response.StatusCode}: {body}");
                }
            }
        }, cancellationToken)));
        return new PhaseResult(requests, acceptedFiles * PerFile, refusals, other, withoutRetryAfter, TimeSpan.FromTicks(slowestTicks).TotalMilliseconds);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var current = Interlocked.Read(ref target); value > current; current = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }
}

/// <summary>Resident memory of the collector, the gateway and the broker, sampled each second while a phase runs.</summary>
public sealed class MemorySampler(SystemUnderTest system, Action<string> log)
{
    private static readonly string[] Watched = ["Collector.Aws", "Gateway", "rabbitmq (beam.smp)"];
    private readonly ConcurrentDictionary<string, List<double>> samples = new(StringComparer.Ordinal);
    private int taken;

    public void Sample()
    {
        var now = Footprint.Sample(Repository.Root, system.DataPath);
        foreach (var name in Watched)
        {
            if (now.TryGetValue(name, out var mib))
            {
                var list = samples.GetOrAdd(name, _ => []);
                lock (list)
                {
                    list.Add(mib);
                }
            }
        }
        if (Interlocked.Increment(ref taken) % 10 == 0)
        {
            log("resident MiB: " + string.Join(", ", Watched.Where(now.ContainsKey).Select(n => $"{n} {now[n]:N0}")));
        }
    }

    public string Summary() => "resident MiB (first sample, before the outages; largest; last, with RabbitMQ down): " + string.Join("; ", Watched
        .Where(samples.ContainsKey)
        .Select(n =>
        {
            var list = samples[n];
            lock (list)
            {
                return $"{n} {list[0]:N0}, {list.Max():N0}, {list[^1]:N0}";
            }
        }));
}

/// <summary>A run's log: each line to the test's output and, as it comes, to artifacts/faults/NAME-TIME.txt.</summary>
public static class FaultLog
{
    public static Action<string> Open(string name, ITestOutputHelper output)
    {
        var file = Path.Combine(Repository.Root, "artifacts", "faults", $"{name}-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var gate = new object();
        return line =>
        {
            lock (gate)
            {
                File.AppendAllLines(file, [line]);
            }
            output.WriteLine(line);
        };
    }
}
