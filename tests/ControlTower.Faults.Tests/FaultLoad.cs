using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ControlTower.LoadDriver;

namespace ControlTower.Faults.Tests;

/// <summary>
/// The fault run's input: CloudTrail log files made up front, so that a file refused or lost on the way is sent again
/// byte for byte. Each file carries one marker event: StopLogging on Control Tower's own trail in one of
/// <see cref="MarkerAccounts"/> accounts, which the mandatory control <see cref="MarkerControl"/> must turn into exactly one
/// finding per account, counting each marker once.
/// </summary>
public sealed class FaultLoad
{
    public const string MarkerControl = "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED";
    public const string MarkerTrail = "aws-controltower-BaselineCloudTrail";
    public const int MarkerAccounts = 20;

    private FaultLoad(IReadOnlyList<byte[]> files, IReadOnlySet<string> eventIds, IReadOnlyDictionary<string, int> markersByAccount)
    {
        Files = files;
        EventIds = eventIds;
        MarkersByAccount = markersByAccount;
    }

    public IReadOnlyList<byte[]> Files { get; }

    /// <summary>Every event's id, markers included.</summary>
    public IReadOnlySet<string> EventIds { get; }

    /// <summary>How many marker events each marker account has: the occurrences its one finding must count.</summary>
    public IReadOnlyDictionary<string, int> MarkersByAccount { get; }

    /// <summary><paramref name="events"/> events in files of <paramref name="perFile"/> (one a marker).</summary>
    public static FaultLoad Make(int events, int perFile, int seed)
    {
        var generator = new CloudTrailFileGenerator(new Random(seed));
        var files = new List<byte[]>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var markers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var made = 0; made < events; made += perFile)
        {
            var count = Math.Min(perFile, events - made);
            var account = MarkerAccount(files.Count % MarkerAccounts);
            var markerId = Guid.NewGuid().ToString();
            var file = WithMarker(count > 1 ? generator.NextFile(count - 1) : """{"Records":[]}"""u8.ToArray(), Marker(account, markerId));
            foreach (var id in ControlTower.Testing.CloudTrailFiles.EventIds(file))
            {
                if (!ids.Add(id))
                {
                    throw new InvalidOperationException("the generator repeated an event id");
                }
            }
            markers[account] = markers.GetValueOrDefault(account) + 1;
            files.Add(file);
        }
        return new FaultLoad(files, ids, markers);
    }

    private static string MarkerAccount(int i) => (710_000_000_000L + i).ToString(CultureInfo.InvariantCulture);

    private static byte[] WithMarker(byte[] file, string marker)
    {
        var json = Encoding.UTF8.GetString(file);
        var end = json.LastIndexOf(']');
        var separator = json[..end].TrimEnd().EndsWith('[') ? "" : ",";
        return Encoding.UTF8.GetBytes(string.Concat(json.AsSpan(0, end), separator, marker, json.AsSpan(end)));
    }

    private static string Marker(string account, string eventId)
    {
        var record = ControlTower.Testing.CloudTrailFiles.Record(eventId, account, "StopLogging",
            DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        record["eventSource"] = "cloudtrail.amazonaws.com";
        record["requestParameters"] = new System.Text.Json.Nodes.JsonObject { ["name"] = MarkerTrail };
        return record.ToJsonString();
    }
}

/// <summary>
/// Sends files as a careful source does: a file refused with 429 or 5xx, or whose answer never came (refused connection,
/// dropped connection, timeout), is sent again, the same bytes, after Retry-After or a growing pause, until it gets its
/// 202. A 4xx other than 429 means the input itself was refused, which this run never expects.
/// </summary>
public sealed class RetryingSender(HttpClient client, Uri endpoint, string key)
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(5);

    private long requests, filesAccepted, eventsAccepted, duplicatesReported, resends;
    private readonly ConcurrentDictionary<string, long> answers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> refusals = new();

    public long Requests => Interlocked.Read(ref requests);
    public long FilesAccepted => Interlocked.Read(ref filesAccepted);
    /// <summary>Events the 202 answers counted as accepted (new to the collector).</summary>
    public long EventsAccepted => Interlocked.Read(ref eventsAccepted);
    /// <summary>Events the 202 answers counted as repeats of what the collector had already published.</summary>
    public long DuplicatesReported => Interlocked.Read(ref duplicatesReported);
    /// <summary>Files sent again after a refusal or a lost answer.</summary>
    public long Resends => Interlocked.Read(ref resends);
    /// <summary>Every answer by status (or by the failure, for answers that never came).</summary>
    public IReadOnlyDictionary<string, long> Answers => answers;
    /// <summary>Files refused outright (4xx other than 429): the run fails if there is one.</summary>
    public IReadOnlyCollection<string> Refusals => refusals;

    public async Task SendAsync(byte[] file, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            if (attempt > 1)
            {
                Interlocked.Increment(ref resends);
            }
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(file) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-Api-Key", key);
            Interlocked.Increment(ref requests);
            TimeSpan? wait;
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                Count(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    using var answer = JsonDocument.Parse(body);
                    Interlocked.Add(ref filesAccepted, 1);
                    Interlocked.Add(ref eventsAccepted, answer.RootElement.GetProperty("accepted").GetInt32());
                    Interlocked.Add(ref duplicatesReported, answer.RootElement.GetProperty("duplicates").GetInt32());
                    return;
                }
                if (response.StatusCode != HttpStatusCode.TooManyRequests && (int)response.StatusCode < 500)
                {
                    refusals.Enqueue($"{(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
                    return;
                }
                wait = response.Headers.RetryAfter?.Delta;
            }
            catch (HttpRequestException ex)
            {
                Count($"no answer ({ex.HttpRequestError})");
                wait = null;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Count("timeout");
                wait = null;
            }
            var delay = wait is { } retryAfter ? (retryAfter < MaxPause ? retryAfter : MaxPause) : pause;
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, MaxPause.TotalMilliseconds));
            await Task.Delay(delay, cancellationToken);
        }
    }

    private void Count(string answer) => answers.AddOrUpdate(answer, 1, (_, n) => n + 1);
}

/// <summary>Releases file <c>i</c> at <c>start + i × interval</c> to a fixed number of workers, so the load keeps its pace while faults come and go.</summary>
public static class PacedWorkers
{
    public static Task RunAsync(int items, TimeSpan interval, int workers, Func<int, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        return Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < items; i = Interlocked.Increment(ref next))
            {
                var due = interval * i - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cancellationToken);
                }
                await work(i, cancellationToken);
            }
        }, cancellationToken)));
    }
}
