using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ControlTower.LoadDriver;

/// <summary>
/// Measures how long a drift takes from the collector's door to a finding the gateway serves. Over and over,
/// it posts a CloudTrail <c>MoveAccount</c> of the example baseline's audit account (out of its Security OU,
/// then back), and polls <c>GET /api/governance/findings</c> until the finding opened with that event as its
/// evidence (or resolved). One probe at a time a lane, so each latency is one event's; more lanes (other accounts of
/// the baseline, each moved to the Sandbox OU and back) gather samples faster.
/// </summary>
public sealed class DriftProbe(LoadOptions options, HttpClient client, DriftProbe.Lane lane)
{
    public const string Account = "333344445555";
    public const string HomeOu = "ou-ab12-sec00001";
    public const string AwayOu = "ou-ab12-wkl00001";
    private const string SandboxOu = "ou-ab12-sbx00001";
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(10);

    /// <summary>An account of the example baseline, its home OU and where a probe moves it.</summary>
    public sealed record Lane(string Account, string HomeOu, string AwayOu);

    /// <summary>The lanes in order; the first is the one a single probe uses.</summary>
    public static readonly IReadOnlyList<Lane> Lanes =
    [
        new(Account, HomeOu, AwayOu),
        new("222233334444", HomeOu, SandboxOu),
        new("444455556666", "ou-ab12-inf00001", SandboxOu),
        new("555566667777", "ou-ab12-prd00001", SandboxOu),
        new("666677778888", "ou-ab12-npd00001", SandboxOu),
    ];

    private int samples;

    public DriftProbe(LoadOptions options, HttpClient client) : this(options, client, Lanes[0])
    {
    }

    public List<double> OpenedMilliseconds { get; } = [];
    public List<double> ResolvedMilliseconds { get; } = [];
    public int TimedOut { get; private set; }
    public int Refused { get; private set; }

    /// <summary>Latencies measured so far (opened and resolved); safe to read while the probe runs.</summary>
    public int Samples => Volatile.Read(ref samples);

    public async Task RunAsync(CancellationToken stop)
    {
        // Start from home, so that the first probe is a move away that opens the finding.
        await MoveAsync(lane.HomeOu, stop);
        await Task.Delay(options.ProbeInterval, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var away = true;
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            var sentAt = DateTimeOffset.UtcNow;
            var eventId = await MoveAsync(away ? lane.AwayOu : lane.HomeOu, stop);
            if (eventId is null)
            {
                Refused++;
            }
            else if (await WaitForFindingAsync(away, eventId, sentAt, stop) is { } done)
            {
                (away ? OpenedMilliseconds : ResolvedMilliseconds).Add(Stopwatch.GetElapsedTime(started, done).TotalMilliseconds);
                Interlocked.Increment(ref samples);
                away = !away;
            }
            else if (!stop.IsCancellationRequested)
            {
                TimedOut++;
                away = !away;
            }
            await Task.Delay(options.ProbeInterval, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Posts one MoveAccount as a CloudTrail log file; its event id, or null if not accepted.</summary>
    private async Task<string?> MoveAsync(string destination, CancellationToken stop)
    {
        var eventId = Guid.NewGuid().ToString();
        var record = new JsonObject
        {
            ["eventVersion"] = "1.08",
            ["userIdentity"] = new JsonObject
            {
                ["type"] = "AssumedRole",
                ["principalId"] = "AROAEXAMPLEADMINROLE1:probe@example.com",
                ["arn"] = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess/probe@example.com",
                ["accountId"] = "111122223333",
            },
            ["eventTime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["eventSource"] = "organizations.amazonaws.com",
            ["eventName"] = "MoveAccount",
            ["awsRegion"] = "us-east-1",
            ["sourceIPAddress"] = "198.51.100.7",
            ["userAgent"] = "control-tower-load-driver/drift-probe",
            ["requestParameters"] = new JsonObject
            {
                ["accountId"] = lane.Account,
                ["sourceParentId"] = destination == lane.AwayOu ? lane.HomeOu : lane.AwayOu,
                ["destinationParentId"] = destination,
            },
            ["responseElements"] = null,
            ["requestID"] = Guid.NewGuid().ToString(),
            ["eventID"] = eventId,
            ["readOnly"] = false,
            ["eventType"] = "AwsApiCall",
            ["managementEvent"] = true,
            ["recipientAccountId"] = "111122223333",
            ["eventCategory"] = "Management",
        };
        var body = new JsonObject { ["Records"] = new JsonArray(record) }.ToJsonString();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Gateway, LoadOptions.IngestPath))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", options.Key);
        try
        {
            using var response = await client.SendAsync(request, stop);
            return response.IsSuccessStatusCode ? eventId : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The moment the finding showed the move (opened with it as evidence, or resolved after it was sent), or null.</summary>
    private async Task<long?> WaitForFindingAsync(bool opened, string eventId, DateTimeOffset sentAt, CancellationToken stop)
    {
        var giveUp = Stopwatch.GetTimestamp() + (long)(GiveUpAfter.TotalSeconds * Stopwatch.Frequency);
        while (!stop.IsCancellationRequested && Stopwatch.GetTimestamp() < giveUp)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.Gateway, "api/governance/findings"));
            request.Headers.Add("X-Api-Key", options.ReadKey);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            try
            {
                using var response = await client.SendAsync(request, stop);
                if (response.IsSuccessStatusCode)
                {
                    await using var stream = await response.Content.ReadAsStreamAsync(stop);
                    using var findings = await JsonDocument.ParseAsync(stream, cancellationToken: stop);
                    var now = Stopwatch.GetTimestamp();
                    foreach (var finding in findings.RootElement.EnumerateArray())
                    {
                        if (finding.GetProperty("type").GetString() != "ACCOUNT_MOVED_BETWEEN_OUS" || finding.GetProperty("subject").GetString() != lane.Account)
                        {
                            continue;
                        }
                        var status = finding.GetProperty("status").GetString();
                        if (opened && status == "open" && finding.GetProperty("evidenceEventId").GetString() == eventId)
                        {
                            return now;
                        }
                        if (!opened && status == "resolved" && finding.GetProperty("resolvedAt").GetDateTimeOffset() >= sentAt)
                        {
                            return now;
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or OperationCanceledException)
            {
                // Counted as a timeout if it never shows; a read cut short by the end of the run is simply unfinished.
            }
            await Task.Delay(options.ProbePoll, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        return null;
    }
}
