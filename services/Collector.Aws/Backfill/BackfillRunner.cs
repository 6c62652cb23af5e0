using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Collector.Aws.Parsing;

namespace ControlTower.Collector.Aws.Backfill;

/// <summary>
/// Pushes log files through the public ingestion door (the gateway), several at a time, saving after each file
/// how far it got. A file the gateway refuses (4xx) is recorded and skipped; overload and outages (429, 5xx,
/// a dropped connection) are retried with back-off; a refused key stops the run, which resumes later.
/// </summary>
public sealed class BackfillRunner(HttpClient gateway, string apiKey, TextWriter progress, TimeProvider clock)
{
    public int Parallel { get; init; } = 4;
    public int MaxAttempts { get; init; } = 8;
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public async Task<BackfillState> RunAsync(ILogFileSource source, BackfillState state, string statePath, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var gate = new SemaphoreSlim(Parallel);
        var inFlight = new List<Task>();
        var finished = new SortedDictionary<long, string>();
        var next = 0L;
        var watermark = 0L;
        var started = clock.GetTimestamp();
        var lastReport = started;
        var sync = new object();
        Exception? fatal = null;

        void Finish(long sequence, string key)
        {
            lock (sync)
            {
                finished[sequence] = key;
                while (finished.Remove(watermark, out var done))
                {
                    state.DoneThrough = done;
                    watermark++;
                }
                state.Files++;
                state.Save(statePath);
                if (clock.GetElapsedTime(lastReport) >= TimeSpan.FromSeconds(1))
                {
                    lastReport = clock.GetTimestamp();
                    Report(state, clock.GetElapsedTime(started));
                }
            }
        }

        try
        {
            await foreach (var file in source.ListAsync(state.DoneThrough, stop.Token))
            {
                await gate.WaitAsync(stop.Token);
                var sequence = next++;
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        await PushAsync(file, state, sync, stop.Token);
                        Finish(sequence, file.Key);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        // The run is stopping; this file stays unfinished and is pushed again on resume.
                    }
                    catch (Exception ex)
                    {
                        fatal ??= ex;
                        await stop.CancelAsync();
                    }
                    finally
                    {
                        gate.Release();
                    }
                }, CancellationToken.None));
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // A file failed for good, or the run was interrupted: stop listing, let the others finish.
        }
        await Task.WhenAll(inFlight);
        Report(state, clock.GetElapsedTime(started));
        cancellationToken.ThrowIfCancellationRequested();
        if (fatal is not null)
        {
            throw new BackfillStoppedException($"stopped: {fatal.Message} Run again to resume after {state.DoneThrough ?? "the start"}.", fatal);
        }
        return state;
    }

    private async Task PushAsync(LogFile file, BackfillState state, object sync, CancellationToken cancellationToken)
    {
        var body = await file.ReadAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage? response = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(file.Key.EndsWith(".gz", StringComparison.Ordinal) ? "application/gzip" : "application/json");
                request.Headers.Add("X-Api-Key", apiKey);
                if (S3Key.TryParse(file.Key, out _))
                {
                    request.Headers.Add("X-Amz-S3-Key", file.Key);
                }
                response = await gateway.SendAsync(request, cancellationToken);

                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    var result = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                    lock (sync)
                    {
                        state.Accepted += result.GetProperty("accepted").GetInt64();
                        state.Duplicates += result.GetProperty("duplicates").GetInt64();
                        state.Rejected += result.GetProperty("rejected").GetInt64();
                    }
                    return;
                }
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    throw new InvalidOperationException($"the gateway refused the API key ({(int)response.StatusCode}): {await Detail(response, cancellationToken)}");
                }
                if ((int)response.StatusCode is >= 400 and < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    var detail = await Detail(response, cancellationToken);
                    lock (sync)
                    {
                        state.Refused.Add($"{file.Key}: {(int)response.StatusCode} {detail}");
                    }
                    await progress.WriteLineAsync($"backfill: {file.Key} refused ({(int)response.StatusCode}): {detail}");
                    return;
                }
            }
            catch (HttpRequestException) when (attempt < MaxAttempts)
            {
                // A dropped connection: retry below.
            }
            finally
            {
                response?.Dispose();
            }
            if (attempt >= MaxAttempts)
            {
                throw new InvalidOperationException($"{file.Key} was not accepted after {MaxAttempts} attempts (last: {(int?)response?.StatusCode}).");
            }
            var wait = response?.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, attempt - 1)));
            await Task.Delay(wait < MaxBackoff ? wait : MaxBackoff, cancellationToken);
        }
    }

    private void Report(BackfillState state, TimeSpan elapsed) =>
        progress.WriteLine($"backfill: {state.Files:N0} files, {state.Accepted:N0} events accepted, {state.Duplicates:N0} duplicates, "
            + $"{state.Rejected:N0} rejected records, {state.Refused.Count:N0} refused files; {state.Files / Math.Max(elapsed.TotalSeconds, 0.001):F1} files/s");

    private static async Task<string> Detail(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return JsonDocument.Parse(text).RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            return text.Length > 200 ? text[..200] : text;
        }
    }
}

public sealed class BackfillStoppedException(string message, Exception inner) : Exception(message, inner);
