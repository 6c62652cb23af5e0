using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Testing;

namespace ControlTower.EndToEnd.Tests;

/// <summary>
/// A guardrail broken the whole way to its triage, through the gateway with people signed in (the Development sign-in):
/// the event becomes a Governance finding and an Operations signal with its account's owner; an Operator acknowledges and
/// resolves it with ETags; a Viewer may not; Governance closes the finding; the Admin reads it all in the audit log; the
/// overview composes every part.
/// </summary>
public sealed class TriageTests(SystemFixture system)
{
    private const string PaymentsProd = "555566667777";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A browser-like client holding the session cookie of a person signed in with <paramref name="role"/>.</summary>
    private async Task<HttpClient> SignInAsync(string role, string name)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = system.Gateway.BaseAddress,
        };
        using var response = await client.GetAsync($"/dev/signin?role={role}&name={Uri.EscapeDataString(name)}", Token);
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.OK, $"dev sign-in answered {response.StatusCode}");
        var me = await client.GetFromJsonAsync<JsonElement>("/api/me", Token);
        Assert.Equal(name, me.GetProperty("name").GetString());
        return client;
    }

    /// <summary>GETs <paramref name="url"/> until its JSON satisfies <paramref name="until"/>.</summary>
    private static Task<JsonElement> JsonUntil(HttpClient client, string url, Func<JsonElement, bool> until, TimeSpan timeout) =>
        Eventually.ValueAsync<JsonElement>(async () =>
        {
            var value = await client.GetFromJsonAsync<JsonElement>(url, Token);
            return until(value) ? value : null;
        }, timeout);

    private static async Task<HttpResponseMessage> ActAsync(HttpClient client, long id, string action, object body, string etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/signals/{id}/{action}") { Content = JsonContent.Create(body) };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        request.Headers.Add("X-ControlTower-Reason", $"e2e {action}");
        return await client.SendAsync(request, Token);
    }

    private static async Task<(JsonElement Signal, string ETag)> DetailAsync(HttpClient client, long id)
    {
        using var response = await client.GetAsync($"/api/signals/{id}", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ((await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("signal"), response.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task ABrokenGuardrailIsTriagedEndToEndAndTheAuditLogShowsWhoDidWhat()
    {
        // Control Tower's own trail stopped in payments-prod: a mandatory control broken.
        var trail = $"aws-controltower-BaselineCloudTrail-{Guid.NewGuid():N}";
        var record = CloudTrailFiles.Record(account: PaymentsProd, eventName: "StopLogging", time: DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        record["eventSource"] = "cloudtrail.amazonaws.com";
        record["awsRegion"] = "eu-west-1";
        record["requestParameters"] = new JsonObject { ["name"] = $"arn:aws:cloudtrail:eu-west-1:{PaymentsProd}:trail/{trail}" };
        using (var ingest = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail") { Content = new StringContent(CloudTrailFiles.File(record)) })
        {
            ingest.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            ingest.Headers.Add("X-Api-Key", system.IngestKey);
            using var accepted = await system.Gateway.SendAsync(ingest, Token);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using var operatorClient = await SignInAsync("Operator", "olivia@example.com");
        var page = await JsonUntil(operatorClient, $"/api/signals?kind=guardrail&account={PaymentsProd}",
            p => p.GetProperty("items").EnumerateArray().Any(s => s.GetProperty("resource").GetString()!.EndsWith(trail, StringComparison.Ordinal)
                && s.GetProperty("title").GetString()!.StartsWith("AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60));
        // One signal per control the event broke (the mandatory trail control, and any the account's OUs enable on CloudTrail).
        var id = page.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("resource").GetString()!.EndsWith(trail, StringComparison.Ordinal)
            && s.GetProperty("title").GetString()!.StartsWith("AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", StringComparison.Ordinal)).GetProperty("id").GetInt64();
        var (signal, etag) = await DetailAsync(operatorClient, id);
        // Its owner, team and environment come from the baseline's account directory.
        Assert.Equal(("new", "firing", "critical", "payments-lead@example.com", "payments", "prod"),
            (signal.GetProperty("status").GetString(), signal.GetProperty("condition").GetString(), signal.GetProperty("severity").GetString(),
             signal.GetProperty("owner").GetString(), signal.GetProperty("team").GetString(), signal.GetProperty("environment").GetString()));

        // A Viewer sees it and may not change it: the gateway says which scope the role lacks.
        using (var viewer = await SignInAsync("Viewer", "vic@example.com"))
        {
            using var refused = await ActAsync(viewer, id, "acknowledge", new { }, etag);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("signals:triage", await refused.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        }

        using (var acknowledged = await ActAsync(operatorClient, id, "acknowledge", new { text = "looking" }, etag))
        {
            Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        }
        // The ETag read before the acknowledgement is stale now: nobody overwrites it unknowingly.
        using (var stale = await ActAsync(operatorClient, id, "resolve", new { classification = "truePositive" }, etag))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
            Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        }
        (_, etag) = await DetailAsync(operatorClient, id);
        using (var resolved = await ActAsync(operatorClient, id, "resolve", new { classification = "truePositive", text = "trail restarted" }, etag))
        {
            Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        }

        // Governance closes the finding, and its answer clears the signal's condition.
        var cleared = await JsonUntil(operatorClient, $"/api/signals/{id}",
            d => d.GetProperty("signal").GetProperty("condition").GetString() == "resolved", TimeSpan.FromSeconds(60));
        Assert.Equal(("resolved", "truePositive"), (cleared.GetProperty("signal").GetProperty("status").GetString(),
            cleared.GetProperty("signal").GetProperty("classification").GetString()));
        var closed = await operatorClient.GetFromJsonAsync<JsonElement>("/api/governance/findings?kind=guardrail&status=resolved", Token);
        Assert.Contains(closed.EnumerateArray(), f => f.GetProperty("subject").GetString()!.EndsWith(trail, StringComparison.Ordinal)
            && f.GetProperty("type").GetString() == "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED");

        // The Admin reads who did what: Operations' own entries with before and after, and the gateway's for each write.
        using var admin = await SignInAsync("Admin", "ada@example.com");
        var audit = await JsonUntil(admin, "/api/audit?actor=olivia@example.com",
            a => a.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("origin").GetString() == "gateway") >= 3, TimeSpan.FromSeconds(60));
        var entries = audit.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "signal.acknowledge" && e.GetProperty("targetId").GetString() == id.ToString());
        var resolution = entries.Single(e => e.GetProperty("action").GetString() == "signal.resolve");
        Assert.Contains("truePositive", resolution.GetProperty("after").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(resolution.GetProperty("clientAddress").GetString()));
        // The refused stale write is in the gateway's record too, with its status.
        Assert.Contains(entries, e => e.GetProperty("origin").GetString() == "gateway" && e.GetProperty("status").GetInt32() == 412);

        // A Viewer may not read the audit log.
        using var viewerAgain = await SignInAsync("Viewer", "vic@example.com");
        using var forbidden = await viewerAgain.GetAsync("/api/audit", Token);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task TheOverviewComposesEveryPartForAViewer()
    {
        using var viewer = await SignInAsync("Viewer", "vic@example.com");

        var overview = await viewer.GetFromJsonAsync<JsonElement>("/api/overview", Token);

        var parts = overview.GetProperty("parts");
        Assert.Equal(["activity", "posture", "readiness", "signals"], parts.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(parts.EnumerateObject(), p => Assert.Equal("ok", p.Value.GetProperty("status").GetString()));
        Assert.False(overview.GetProperty("partial").GetBoolean());
        Assert.Equal(6, parts.GetProperty("posture").GetProperty("data").GetProperty("accounts").GetInt32());
        Assert.True(parts.GetProperty("signals").GetProperty("data").TryGetProperty("bySeverity", out _));
    }

    [Fact]
    public async Task TheWholePublicSurfaceIsOneOpenApiDocumentWithEveryServiceIn()
    {
        var document = await system.Gateway.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Token);

        var sources = document.GetProperty("x-controltower-sources").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("status").GetString());
        Assert.Equal(["collector-aws", "collector-azure", "gateway", "governance", "operations", "releasegate"], sources.Keys.Order(StringComparer.Ordinal));
        Assert.All(sources, s => Assert.NotEqual("missing", s.Value));
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal)
        {
            "/ingest/aws/cloudtrail", "/ingest/azure/alerts", "/api/activity", "/api/signals/{id}", "/api/audit", "/api/governance/posture",
            "/api/releases/readiness", "/api/overview", "/api/admin/keys",
        }, paths);
    }
}
