using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlTower.Gateway.Tests;

/// <summary>The gateway in front of a real loopback server: who gets in, and what reaches the services.</summary>
public sealed class GatewayTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string IngestKey = "ingest-key-for-tests-0123456789abcdef";
    private const string ReaderKey = "reader-key-for-tests-0123456789abcdef";
    private const string AdminKey = "admin-key-for-tests-0123456789abcdef0";
    private const string AzureKey = "azure-key-for-tests-0123456789abcdef0";
    private const string PipelineKey = "pipeline-key-for-tests-0123456789abcd";

    private EchoService echo = null!;
    private string database = null!;
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        echo = await EchoService.StartAsync();
        database = infrastructure.Postgres.NewDatabase("gateway");
        factory = Gateway(IngestKey);
        client = factory.CreateClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
        await echo.DisposeAsync();
    }

    private ServiceFactory<Program> Gateway(string ingestKey) => new(Settings(ingestKey));

    private Dictionary<string, string?> Settings(string ingestKey)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:gatewaydb"] = database,
            ["ConnectionStrings:messaging"] = infrastructure.RabbitMq.ConnectionString,
            ["Gateway:ApiKeys:Keys:2:Name"] = "admin",
            ["Gateway:ApiKeys:Keys:2:Key"] = AdminKey,
            ["Gateway:ApiKeys:Keys:2:Scopes:0"] = "admin:keys",
            ["Gateway:ApiKeys:Keys:2:Scopes:1"] = "governance:write",
            ["Gateway:ApiKeys:Keys:2:Scopes:2"] = "governance:suppress",
            ["Gateway:ApiKeys:Keys:0:Name"] = "aws-eventbridge",
            ["Gateway:ApiKeys:Keys:0:Key"] = ingestKey,
            ["Gateway:ApiKeys:Keys:0:Scopes:0"] = "ingest:aws",
            ["Gateway:ApiKeys:Keys:1:Name"] = "portal",
            ["Gateway:ApiKeys:Keys:1:Key"] = ReaderKey,
            ["Gateway:ApiKeys:Keys:1:Scopes:0"] = "activity:read",
            ["Gateway:ApiKeys:Keys:1:Scopes:1"] = "governance:read",
            ["Gateway:ApiKeys:Keys:1:Scopes:2"] = "releases:read",
            ["Gateway:ApiKeys:Keys:3:Name"] = "azure-eventgrid",
            ["Gateway:ApiKeys:Keys:3:Key"] = AzureKey,
            ["Gateway:ApiKeys:Keys:3:Scopes:0"] = "ingest:azure",
            ["Gateway:ApiKeys:Keys:4:Name"] = "pipeline",
            ["Gateway:ApiKeys:Keys:4:Key"] = PipelineKey,
            ["Gateway:ApiKeys:Keys:4:Scopes:0"] = "releases:read",
            ["Gateway:ApiKeys:Keys:4:Scopes:1"] = "releases:write",
        };
        foreach (var cluster in new[] { "collector-aws", "collector-azure", "operations", "governance", "releasegate" })
        {
            settings[$"ReverseProxy:Clusters:{cluster}:Destinations:primary:Address"] = echo.Address;
        }
        return settings;
    }

    private static HttpRequestMessage Ingest(string? key = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail")
        {
            Content = new StringContent("{\"Records\":[]}", new MediaTypeHeaderValue("application/json")),
        };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }
        configure?.Invoke(request);
        return request;
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task MissingKeyIsUnauthorisedAndSaysWhereTheKeyGoes()
    {
        using var response = await client.SendAsync(Ingest(), TestContext.Current.CancellationToken);

        var problem = await Problem(response, HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString());
        Assert.Contains("ApiKey", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task WrongKeyIsUnauthorisedAsNotRecognised()
    {
        using var response = await client.SendAsync(Ingest("wrong-key-wrong-key-wrong-key-0000"), TestContext.Current.CancellationToken);

        var problem = await Problem(response, HttpStatusCode.Unauthorized);
        Assert.Contains("not recognised", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task KeyWithoutTheRoutesScopeIsForbiddenNamingTheScope()
    {
        using var response = await client.SendAsync(Ingest(ReaderKey), TestContext.Current.CancellationToken);

        var problem = await Problem(response, HttpStatusCode.Forbidden);
        Assert.Contains("ingest:aws", problem.GetProperty("detail").GetString());
        Assert.Contains("portal", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AuthenticatedRequestReachesTheServiceWithTheGatewaysIdentityAndWithoutTheKey()
    {
        using var response = await client.SendAsync(Ingest(IngestKey, r =>
        {
            // A caller trying to pass itself off as the gateway or as another source.
            r.Headers.Add(GatewayTrust.TokenHeader, "forged");
            r.Headers.Add(GatewayTrust.SourceHeader, "someone-else");
        }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>(TestContext.Current.CancellationToken);
        Assert.Equal("/ingest/aws/cloudtrail", echoed!.Path);
        Assert.Equal("{\"Records\":[]}", echoed.Body);
        Assert.Equal(ServiceFactory<Program>.InternalToken, echoed.Headers[GatewayTrust.TokenHeader]);
        Assert.Equal("aws-eventbridge", echoed.Headers[GatewayTrust.SourceHeader]);
        Assert.False(echoed.Headers.ContainsKey("X-Api-Key"));
    }

    [Fact]
    public async Task ClientSentGatewayHeadersAreReplacedByWhatTheGatewayKnows()
    {
        var forged = new Dictionary<string, string>
        {
            [GatewayTrust.TokenHeader] = "forged",
            [GatewayTrust.SourceHeader] = "someone-else",
            [GatewayTrust.ScopesHeader] = "admin:keys governance:write",
            [GatewayTrust.CallerKindHeader] = "user",
            [GatewayTrust.ClientAddressHeader] = "10.0.0.1",
            ["X-ControlTower-Anything-Else"] = "made up",
        };

        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/api/activity";
            c.Request.Headers["X-Api-Key"] = ReaderKey;
            c.Request.Headers["X-ControlTower-Reason"] = "checking the forwarded headers";
            c.Request.Headers.Cookie = "tracking=1";
            foreach (var (name, value) in forged)
            {
                c.Request.Headers[name] = value;
            }
            c.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        }, TestContext.Current.CancellationToken);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        var echoed = await JsonSerializer.DeserializeAsync<EchoedRequest>(context.Response.Body, JsonSerializerOptions.Web, TestContext.Current.CancellationToken);
        var headers = echoed!.Headers;
        Assert.Equal(ServiceFactory<Program>.InternalToken, headers[GatewayTrust.TokenHeader]);
        Assert.Equal("portal", headers[GatewayTrust.SourceHeader]);
        Assert.Equal("activity:read governance:read releases:read", headers[GatewayTrust.ScopesHeader]);
        Assert.Equal("key", headers[GatewayTrust.CallerKindHeader]);
        Assert.Equal("203.0.113.7", headers[GatewayTrust.ClientAddressHeader]);
        Assert.False(headers.ContainsKey("X-ControlTower-Anything-Else"));
        Assert.False(headers.ContainsKey("Cookie"));
        Assert.False(headers.ContainsKey("X-Api-Key"));
        // The one X-ControlTower- header a caller may send: why it makes a change, for the audit log.
        Assert.Equal("checking the forwarded headers", headers["X-ControlTower-Reason"]);
    }

    [Fact]
    public async Task ABackendThatTrustsOnlyTheGatewayRefusesADirectCallAndServesTheForwardedOne()
    {
        await using var guarded = await EchoService.StartAsync(ServiceFactory<Program>.InternalToken);
        var settings = Settings(IngestKey);
        settings["ReverseProxy:Clusters:operations:Destinations:primary:Address"] = guarded.Address;
        await using var gateway = new ServiceFactory<Program>(settings);
        using var gatewayClient = gateway.CreateClient();
        await gateway.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        using var direct = new HttpClient { BaseAddress = new Uri(guarded.Address) };

        using var around = await direct.GetAsync("/api/activity", TestContext.Current.CancellationToken);
        var problem = await Problem(around, HttpStatusCode.Unauthorized);
        Assert.Contains("only through the Control Tower gateway", problem.GetProperty("detail").GetString());
        using var forgedRequest = new HttpRequestMessage(HttpMethod.Get, "/api/activity");
        forgedRequest.Headers.Add(GatewayTrust.TokenHeader, "forged-token");
        using var forged = await direct.SendAsync(forgedRequest, TestContext.Current.CancellationToken);
        await Problem(forged, HttpStatusCode.Unauthorized);

        using var through = new HttpRequestMessage(HttpMethod.Get, "/api/activity");
        through.Headers.Add("X-Api-Key", ReaderKey);
        using var forwarded = await gatewayClient.SendAsync(through, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/api/governance/inventory", "application/json", "{\"takenAt\":\"2026-11-28T12:00:00Z\"}", "governance:write")]
    [InlineData("PUT", "/api/governance/baseline", "application/yaml", "version: 1\n", "governance:write")]
    [InlineData("POST", "/api/governance/suppressions", "application/json", "{\"type\":\"SCP_*\"}", "governance:suppress")]
    [InlineData("DELETE", "/api/governance/suppressions/0194b7a2-0000-7000-8000-000000000001", null, null, "governance:suppress")]
    public async Task ChangingGovernanceNeedsItsWriteScopeWhichReadingGovernanceDoesNotGive(string method, string path, string? type, string? body, string scope)
    {
        HttpRequestMessage Change(string key)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = new StringContent(body, new MediaTypeHeaderValue(type!));
            }
            request.Headers.Add("X-Api-Key", key);
            return request;
        }

        using var reader = await client.SendAsync(Change(ReaderKey), TestContext.Current.CancellationToken);
        var problem = await Problem(reader, HttpStatusCode.Forbidden);
        Assert.Contains(scope, problem.GetProperty("detail").GetString());

        // The same key still reads governance.
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/governance/drift");
        read.Headers.Add("X-Api-Key", ReaderKey);
        using var readResponse = await client.SendAsync(read, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, readResponse.StatusCode);

        using var admin = await client.SendAsync(Change(AdminKey), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        var echoed = await admin.Content.ReadFromJsonAsync<EchoedRequest>(TestContext.Current.CancellationToken);
        Assert.Equal(path, echoed!.Path);
        Assert.Equal("admin", echoed.Headers[GatewayTrust.SourceHeader]);
    }

    [Theory]
    [InlineData("/api/releases/0194b7a2-0000-7000-8000-000000000001/smoke", "application/xml", "<testsuite name=\"api-smoke\"/>")]
    [InlineData("/api/releases/0194b7a2-0000-7000-8000-000000000001/truth", "application/json", "{\"observations\":[]}")]
    [InlineData("/api/releases/0194b7a2-0000-7000-8000-000000000001/evaluations", null, null)]
    [InlineData("/api/releases/evaluations/0194b7a2-0000-7000-8000-000000000002/replay", null, null)]
    public async Task PostingReleaseEvidenceOrAskingForVerdictsNeedsReleasesWriteWhichReadingReleasesDoesNotGive(string path, string? type, string? body)
    {
        HttpRequestMessage Post(string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, new MediaTypeHeaderValue(type!));
            }
            request.Headers.Add("X-Api-Key", key);
            return request;
        }

        using var reader = await client.SendAsync(Post(ReaderKey), TestContext.Current.CancellationToken);
        var problem = await Problem(reader, HttpStatusCode.Forbidden);
        Assert.Contains("releases:write", problem.GetProperty("detail").GetString());

        // The reader still reads verdicts and readiness.
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/releases/readiness");
        read.Headers.Add("X-Api-Key", ReaderKey);
        using var readResponse = await client.SendAsync(read, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, readResponse.StatusCode);

        using var pipeline = await client.SendAsync(Post(PipelineKey), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, pipeline.StatusCode);
        var echoed = await pipeline.Content.ReadFromJsonAsync<EchoedRequest>(TestContext.Current.CancellationToken);
        Assert.Equal(path, echoed!.Path);
        Assert.Equal("pipeline", echoed.Headers[GatewayTrust.SourceHeader]);
    }

    [Fact]
    public async Task EveryAnswerCarriesTheSecurityHeadersProxiedProblemsAndHealthAlike()
    {
        using var proxied = new HttpRequestMessage(HttpMethod.Get, "/api/activity?limit=5");
        proxied.Headers.Add("X-Api-Key", ReaderKey);
        using var ok = await client.SendAsync(proxied, TestContext.Current.CancellationToken);
        using var refused = await client.SendAsync(Ingest(), TestContext.Current.CancellationToken);
        using var alive = await client.GetAsync("/alive", TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK), (ok.StatusCode, refused.StatusCode, alive.StatusCode));
        foreach (var response in new[] { ok, refused, alive })
        {
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
            Assert.Equal("DENY", Header(response, "X-Frame-Options"));
            Assert.Equal("frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
            Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
            Assert.Equal(SecurityHeaders.PermissionsPolicy, Header(response, "Permissions-Policy"));
            Assert.Contains("no-store", Header(response, "Cache-Control"), StringComparison.Ordinal);
            // Plain HTTP here: HSTS is only for answers that came over TLS.
            Assert.Null(Header(response, "Strict-Transport-Security"));
        }
        using var overTls = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });
        using var secure = await overTls.GetAsync("/alive", TestContext.Current.CancellationToken);
        Assert.Equal("max-age=31536000", Header(secure, "Strict-Transport-Security"));

        static string? Header(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
                ? string.Join(", ", values) : null;
    }

    [Fact]
    public async Task BearerKeyIsAcceptedAndNotForwarded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/activity?limit=5");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReaderKey);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>(TestContext.Current.CancellationToken);
        Assert.Equal("/api/activity?limit=5", echoed!.Path);
        Assert.Equal("portal", echoed.Headers[GatewayTrust.SourceHeader]);
        Assert.False(echoed.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task UnknownRouteIsNotFoundWithAProblem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no/such/route");
        request.Headers.Add("X-Api-Key", IngestKey);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        await Problem(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ASourceOverItsRateLimitGets429WithRetryAfter()
    {
        var settings = Settings(IngestKey);
        settings["Gateway:RateLimit:PermitsPerSecond"] = "1";
        settings["Gateway:RateLimit:Burst"] = "3";
        await using var limited = new ServiceFactory<Program>(settings);
        using var limitedClient = limited.CreateClient();
        await limited.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 10 && refused is null; i++)
        {
            var response = await limitedClient.SendAsync(Ingest(IngestKey), TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 3, string.Join(",", statuses));
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        var problem = await Problem(refused, HttpStatusCode.TooManyRequests);
        Assert.Contains("rate limit", problem.GetProperty("detail").GetString());
        refused.Dispose();
    }

    [Fact]
    public async Task OversizedBodyIsRefusedBeforeAnyoneReadsIt()
    {
        var settings = Settings(IngestKey);
        settings["Gateway:MaxRequestBodyBytes"] = "1024";
        await using var small = new ServiceFactory<Program>(settings);
        using var smallClient = small.CreateClient();
        await small.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail")
        {
            Content = new StringContent(new string('x', 2048), new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-Api-Key", "not-checked-yet-because-the-body-is-too-big");

        using var response = await smallClient.SendAsync(request, TestContext.Current.CancellationToken);

        // Limits come before authentication, which may read the body to check a signature.
        var problem = await Problem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("1024 bytes", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task KeysShorterThanTheMinimumStopTheGatewayFromStarting()
    {
        await using var weak = Gateway("short");

        var error = Assert.IsType<OptionsValidationException>(weak.StartupFailure());
        Assert.Contains("at least", error.Message);
    }

    [Fact]
    public async Task AKeyInTheQueryStringIsAcceptedAndTakenOutOfTheForwardedUrl()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ingest/azure/eventgrid?other=1&apiKey={AzureKey}")
        {
            Content = new StringContent("[]", new MediaTypeHeaderValue("application/json")),
        };

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>(TestContext.Current.CancellationToken);
        Assert.Equal("/ingest/azure/eventgrid?other=1", echoed!.Path);
        Assert.Equal("azure-eventgrid", echoed.Headers[GatewayTrust.SourceHeader]);
        Assert.DoesNotContain(AzureKey, string.Join(" ", echoed.Headers.Values));
    }

    [Fact]
    public async Task AWrongKeyInTheQueryStringIsUnauthorisedAsNotRecognised()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/azure/eventgrid?apiKey=wrong-key-wrong-key-wrong-key-0000")
        {
            Content = new StringContent("[]", new MediaTypeHeaderValue("application/json")),
        };

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        var problem = await Problem(response, HttpStatusCode.Unauthorized);
        Assert.Contains("not recognised", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnAwsIngestKeyCannotIngestAzureEvents()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/azure/activity-log")
        {
            Content = new StringContent("{\"records\":[]}", new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-Api-Key", IngestKey);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        var problem = await Problem(response, HttpStatusCode.Forbidden);
        Assert.Contains("ingest:azure", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheCloudEventsHandshakeReachesTheCollectorWithoutAKeyButNothingElseDoes()
    {
        using var handshake = new HttpRequestMessage(HttpMethod.Options, "/ingest/azure/cloudevents");
        handshake.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");
        using var post = new HttpRequestMessage(HttpMethod.Post, "/ingest/azure/cloudevents")
        {
            Content = new StringContent("[]", new MediaTypeHeaderValue("application/cloudevents-batch+json")),
        };
        using var otherOptions = new HttpRequestMessage(HttpMethod.Options, "/ingest/azure/eventgrid");

        using var handshakeResponse = await client.SendAsync(handshake, TestContext.Current.CancellationToken);
        using var postResponse = await client.SendAsync(post, TestContext.Current.CancellationToken);
        using var otherResponse = await client.SendAsync(otherOptions, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, handshakeResponse.StatusCode);
        var echoed = await handshakeResponse.Content.ReadFromJsonAsync<EchoedRequest>(TestContext.Current.CancellationToken);
        Assert.Equal("OPTIONS", echoed!.Method);
        Assert.Equal("eventgrid.azure.net", echoed.Headers["WebHook-Request-Origin"]);
        Assert.Equal(ServiceFactory<Program>.InternalToken, echoed.Headers[GatewayTrust.TokenHeader]);
        await Problem(postResponse, HttpStatusCode.Unauthorized);
        await Problem(otherResponse, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AKeyInTheQueryStringIsNeverWrittenToTheLogEvenAtTraceLevel()
    {
        var settings = Settings(IngestKey);
        // Every category at its most talkative, including those the gateway's own settings quieten.
        foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Yarp", "Microsoft.AspNetCore.Hosting.Diagnostics" })
        {
            settings[$"Logging:LogLevel:{category}"] = "Trace";
        }
        var logs = new CapturedLogs();
        await using var verbose = new ServiceFactory<Program>(settings);
        await using var capturing = verbose.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
        using var verboseClient = capturing.CreateClient();
        await WaitUntilHealthyAsync(verboseClient);

        foreach (var path in new[] { "/ingest/azure/eventgrid", "/ingest/azure/no-such-door", "/nowhere" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{path}?apiKey={AzureKey}&marker=query-seen")
            {
                Content = new StringContent("[]", new MediaTypeHeaderValue("application/json")),
            };
            using var response = await verboseClient.SendAsync(request, TestContext.Current.CancellationToken);
        }

        var lines = logs.Lines;
        // The capture saw the requests' URLs (what would carry a key), so the absence below means something.
        Assert.Contains(lines, line => line.Contains("marker=query-seen", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains(AzureKey, StringComparison.Ordinal));
    }

    private static async Task WaitUntilHealthyAsync(HttpClient http)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var response = await http.GetAsync("/health", timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> lines = new();

        public IReadOnlyList<string> Lines => [.. lines];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
