using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ControlTower.LoadDriver;

/// <summary>
/// Keeps <see cref="LoadOptions.Concurrency"/> requests in flight until <see cref="LoadOptions.Duration"/> has
/// passed, then waits for those still out, for at most one request timeout. Nothing is retried: a refused batch
/// is counted as refused. On 503 or 429 a worker honours Retry-After before its next request, as a real source would.
/// </summary>
public sealed class LoadRun(LoadOptions options, HttpClient client, LoadStatistics statistics)
{
    private readonly Pacer pacer = new(options.Rate);

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken stopSending, CancellationToken hardStop)
    {
        var workers = Enumerable.Range(0, options.Concurrency)
            .Select(i => Task.Run(() => WorkAsync(Generator(new Random(options.Seed * 7919 + i)), stopSending, hardStop), CancellationToken.None))
            .ToArray();
        await Task.WhenAll(workers);
    }

    private Func<int, byte[]> Generator(Random random) => options.Azure
        ? new ActivityLogExportGenerator(random).NextExport
        : new CloudTrailFileGenerator(random).NextFile;

    private async Task WorkAsync(Func<int, byte[]> generator, CancellationToken stopSending, CancellationToken hardStop)
    {
        while (!stopSending.IsCancellationRequested)
        {
            try
            {
                await pacer.WaitAsync(options.Batch, stopSending);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var json = generator(options.Batch);
            var body = options.Gzip ? Compress(json) : json;
            using var request = new HttpRequestMessage(HttpMethod.Post, options.Endpoint) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (options.Gzip)
            {
                request.Content.Headers.ContentEncoding.Add("gzip");
            }
            request.Headers.Add("X-Api-Key", options.Key);

            statistics.Sent(options.Batch, body.Length);
            var started = Stopwatch.GetTimestamp();
            TimeSpan? retryAfter = null;
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, hardStop);
                var answer = await response.Content.ReadAsByteArrayAsync(hardStop);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    statistics.Answered202(options.Batch, ReadAnswer(answer), elapsed);
                }
                else
                {
                    statistics.Failed(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), elapsed);
                    if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
                    {
                        retryAfter = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    }
                }
            }
            catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
            {
                statistics.Failed("unfinished at the end", null);
                return;
            }
            catch (TaskCanceledException)
            {
                statistics.Failed($"timeout ({options.RequestTimeout.TotalSeconds:0} s)", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (HttpRequestException ex)
            {
                statistics.Failed($"no response ({ex.HttpRequestError})", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                // A refused connection fails at once; without a pause the loop would spin.
                retryAfter = TimeSpan.FromMilliseconds(200);
            }

            if (retryAfter is { } wait)
            {
                statistics.WaitedForRetryAfter();
                try
                {
                    await Task.Delay(wait < MaxRetryAfter ? wait : MaxRetryAfter, stopSending);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static IngestAnswer? ReadAnswer(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            static int Count(JsonElement root, string name) =>
                root.TryGetProperty(name, out var value) ? value.ValueKind switch
                {
                    JsonValueKind.Number => value.GetInt32(),
                    JsonValueKind.Array => value.GetArrayLength(),
                    _ => 0,
                } : 0;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("accepted", out _)
                ? new IngestAnswer(Count(root, "accepted"), Count(root, "duplicates"), Count(root, "rejected"), Count(root, "warnings"))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] Compress(byte[] json)
    {
        using var output = new MemoryStream(json.Length / 8);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(json);
        }
        return output.ToArray();
    }
}
