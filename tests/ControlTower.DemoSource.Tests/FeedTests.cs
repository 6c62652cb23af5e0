using System.Net;
using System.Text;
using System.Text.Json;
using ControlTower.ReleaseGate.Apis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ControlTower.DemoSource.Tests;

/// <summary>
/// The feeds against a stand-in gateway: what is refused is sent again on the next tick, an unreachable gateway
/// never stops the feed, the release pipeline resumes where it stopped and sends what ReleaseGate's API reads,
/// and each thing sent is logged once.
/// </summary>
public sealed class FeedTests
{
    private const string IngestKey = "ingest-key-0123456789abcdefghij";
    private const string PipelineKey = "pipeline-key-0123456789abcdefgh";
    private static readonly DateTimeOffset Start = new(2026, 12, 8, 10, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static IOptions<DemoSourceOptions> Options() => Microsoft.Extensions.Options.Options.Create(new DemoSourceOptions
    {
        ApiKey = IngestKey, PipelineApiKey = PipelineKey, Seed = 9,
    });

    [Fact]
    public async Task AFileTheGatewayRefusesIsSentAgainUnchangedOnTheNextTick()
    {
        var gateway = new StandIn(request => request.Number == 1 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.Accepted);
        var options = Options();
        var logger = new Lines<CloudTrailPusher>();
        var feed = new CloudTrailPusher(gateway.Client, options, new DemoSeeds(options), new FakeTimeProvider(Start), logger);

        await feed.TickAsync(Start, TestContext.Current.CancellationToken);
        await feed.TickAsync(Start.AddSeconds(3), TestContext.Current.CancellationToken);
        await feed.TickAsync(Start.AddSeconds(6), TestContext.Current.CancellationToken);

        Assert.Equal(3, gateway.Requests.Count);
        Assert.All(gateway.Requests, r => Assert.Equal(("/ingest/aws/cloudtrail", IngestKey), (r.Path, r.Key)));
        Assert.Equal(gateway.Requests[0].Body, gateway.Requests[1].Body);
        Assert.NotEqual(gateway.Requests[1].Body, gateway.Requests[2].Body);
        Assert.Single(logger.Messages, m => m.Contains("not taken", StringComparison.Ordinal));
        Assert.Equal(2, logger.Messages.Count(m => m.StartsWith("Sent CloudTrail file", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AnUnreachableGatewayNeverStopsAFeed()
    {
        var clock = new FakeTimeProvider(Start);
        var gateway = new StandIn(_ => throw new HttpRequestException("Connection refused (gateway:80)"));
        var options = Options();
        using var feed = new AzureAlertFeed(gateway.Client, options, new DemoSeeds(options), clock, new Lines<AzureAlertFeed>());

        await feed.StartAsync(TestContext.Current.CancellationToken);
        for (var tick = 1; tick <= 3; tick++)
        {
            await gateway.Called.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            clock.Advance(options.Value.AzureAlerts.Interval);
        }
        await gateway.Called.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.False(feed.ExecuteTask!.IsCompleted);
        // The alert that could not be sent is the one tried every time.
        Assert.Single(gateway.Requests.Select(r => r.Body).Distinct());
        await feed.StopAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task TheReleasePipelineSendsWhatReleaseGateReadsAndResumesWhereItStopped()
    {
        var releaseId = Guid.Parse("01900000-0000-7000-8000-000000000001");
        var truthRefused = false;
        var gateway = new StandIn(request =>
        {
            if (request.Path.EndsWith("/truth", StringComparison.Ordinal) && !truthRefused)
            {
                truthRefused = true;
                return HttpStatusCode.InternalServerError;
            }
            return HttpStatusCode.Created;
        }, request => request.Path switch
        {
            "/api/releases" => JsonSerializer.Serialize(new { id = releaseId }),
            var p when p.EndsWith("/evaluations", StringComparison.Ordinal) =>
                """{"decision":"Pass","gitHub":{"state":"approved","conclusion":"success"},"summary":"all rules pass"}""",
            _ => "{}",
        });
        var options = Options();
        var logger = new Lines<ReleaseFeed>();
        var feed = new ReleaseFeed(gateway.Client, options, new DemoSeeds(options), new FakeTimeProvider(Start), logger);

        // Ticks until one release went through with truth (the step refused once), then one more release.
        for (var tick = 0; tick < 40 && !gateway.Requests.Any(r => r.Path.EndsWith("/evaluations", StringComparison.Ordinal) && truthRefused); tick++)
        {
            await feed.TickAsync(Start.AddMinutes(3 * tick), TestContext.Current.CancellationToken);
        }

        Assert.True(truthRefused);
        Assert.All(gateway.Requests, r => Assert.Equal(PipelineKey, r.Key));
        var refusedAt = gateway.Requests.FindIndex(r => r.Path.EndsWith("/truth", StringComparison.Ordinal));
        Assert.EndsWith("/truth", gateway.Requests[refusedAt + 1].Path);
        // One registration per verdict: the retry did not register the release again.
        Assert.Equal(gateway.Requests.Count(r => r.Path.EndsWith("/evaluations", StringComparison.Ordinal)), gateway.Requests.Count(r => r.Path == "/api/releases"));
        foreach (var request in gateway.Requests)
        {
            switch (request.Path)
            {
                case "/api/releases":
                    var registration = JsonSerializer.Deserialize<RegisterReleaseRequest>(request.Body, Web)!;
                    Assert.NotNull(registration.Service);
                    Assert.Matches("^[0-9a-f]{40}$", registration.Commit);
                    Assert.All(registration.ArtifactDigests!, d => Assert.Matches("^sha256:[0-9a-f]{64}$", d));
                    Assert.NotNull(registration.Targets);
                    break;
                case var p when p.EndsWith("/truth", StringComparison.Ordinal):
                    var truth = JsonSerializer.Deserialize<TruthRequest>(request.Body, Web)!;
                    Assert.All(truth.Observations!, o => Assert.True(o!.Replica is not null && o.Commit is not null && o.ObservedAt >= Start));
                    break;
                case var p when p.EndsWith("/approvals", StringComparison.Ordinal):
                    var approval = JsonSerializer.Deserialize<ApprovalRequest>(request.Body, Web)!;
                    Assert.True(approval.Approved);
                    Assert.EndsWith("@example.com", approval.Approver);
                    break;
                case var p when p.EndsWith("/metrics", StringComparison.Ordinal):
                    var metrics = JsonSerializer.Deserialize<MetricsRequest>(request.Body, Web)!;
                    Assert.All(metrics.Samples!, s => Assert.True(s!.Metric is not null && s.Value is not null));
                    break;
                case var p when p.EndsWith("/evaluations", StringComparison.Ordinal):
                    Assert.StartsWith("demo-", request.IdempotencyKey);
                    break;
                case var p:
                    Assert.StartsWith($"/api/releases/{releaseId}/smoke?format=", p);
                    break;
            }
        }
        Assert.Contains(logger.Messages, m => m.Contains(": Pass, GitHub approved: all rules pass", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheOrganizationFeedLogsOneLinePerEventItSends()
    {
        var gateway = new StandIn(_ => HttpStatusCode.Accepted);
        var options = Options();
        var logger = new Lines<OrganizationFeed>();
        var feed = new OrganizationFeed(gateway.Client, options, new DemoSeeds(options), new FakeTimeProvider(Start), logger);

        for (var tick = 0; tick < 40; tick++)
        {
            await feed.TickAsync(Start + (options.Value.Organization.Interval * tick), TestContext.Current.CancellationToken);
        }

        var sent = gateway.Requests.Sum(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("Records").GetArrayLength());
        Assert.InRange(sent, 5, 40);
        Assert.Equal(sent, logger.Messages.Count(m => m.StartsWith("Sent ", StringComparison.Ordinal)));
    }

    private sealed record Request(int Number, string Path, string? Key, string? IdempotencyKey, string Body);

    /// <summary>A gateway that answers each request as told and remembers what it was sent.</summary>
    private sealed class StandIn(Func<Request, HttpStatusCode> status, Func<Request, string>? body = null) : HttpMessageHandler
    {
        public List<Request> Requests { get; } = [];

        public SemaphoreSlim Called { get; } = new(0);

        public DemoGateway Client => new(new HttpClient(this) { BaseAddress = new Uri("http://gateway") });

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
        {
            var text = message.Content is null ? "" : await message.Content.ReadAsStringAsync(cancellationToken);
            var path = message.RequestUri!.PathAndQuery;
            var request = new Request(Requests.Count + 1, path, Header(message, "X-Api-Key"), Header(message, "Idempotency-Key"),
                message.Content?.Headers.ContentEncoding.Contains("gzip") == true ? Gunzip(await message.Content.ReadAsByteArrayAsync(cancellationToken)) : text);
            Requests.Add(request);
            Called.Release();
            return new HttpResponseMessage(status(request)) { Content = new StringContent(body?.Invoke(request) ?? "{}", Encoding.UTF8, "application/json") };
        }

        private static string? Header(HttpRequestMessage message, string name) =>
            message.Headers.TryGetValues(name, out var values) ? values.Single() : null;

        private static string Gunzip(byte[] bytes)
        {
            using var zip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
            using var reader = new StreamReader(zip);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Keeps every formatted log line.</summary>
    private sealed class Lines<T> : ILogger<T>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
