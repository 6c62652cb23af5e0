using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Gateway.Tests;

/// <summary>Keys in the gateway's own PostgreSQL database: created, rotated with a grace period, revoked.</summary>
public sealed class AdminKeysTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string AdminKey = "admin-key-for-tests-0123456789abcdef0";
    private const string BootstrapIngestKey = "bootstrap-ingest-key-0123456789abcdef";

    private EchoService echo = null!;
    private string database = null!;
    private ServiceFactory<Program> factory = null!;
    private HttpClient admin = null!;

    public async ValueTask InitializeAsync()
    {
        echo = await EchoService.StartAsync();
        database = infrastructure.Postgres.NewDatabase("gateway");
        factory = Gateway(BootstrapIngestKey);
        admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        admin.Dispose();
        await factory.DisposeAsync();
        await echo.DisposeAsync();
    }

    private ServiceFactory<Program> Gateway(string bootstrapIngestKey) => new(new Dictionary<string, string?>
    {
        ["ConnectionStrings:gatewaydb"] = database,
        ["ConnectionStrings:messaging"] = infrastructure.RabbitMq.ConnectionString,
        ["Gateway:ApiKeys:Keys:0:Name"] = "admin",
        ["Gateway:ApiKeys:Keys:0:Key"] = AdminKey,
        ["Gateway:ApiKeys:Keys:0:Scopes:0"] = "admin:keys",
        ["Gateway:ApiKeys:Keys:1:Name"] = "bootstrap-ingest",
        ["Gateway:ApiKeys:Keys:1:Key"] = bootstrapIngestKey,
        ["Gateway:ApiKeys:Keys:1:Scopes:0"] = "ingest:aws",
        ["ReverseProxy:Clusters:collector-aws:Destinations:primary:Address"] = echo.Address,
    });

    private async Task<HttpStatusCode> Ingest(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail")
        {
            Content = new StringContent("{\"Records\":[]}", new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-Api-Key", key);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private async Task<string> Create(string name, params string[] scopes)
    {
        using var response = await admin.PostAsJsonAsync("/api/admin/keys", new { name, scopes }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return created.GetProperty("secret").GetString()!;
    }

    [Fact]
    public async Task CreatedKeyWorksAndRotationKeepsTheOldSecretOnlyForTheGracePeriod()
    {
        var first = await Create("eventbridge-prod", "ingest:aws");
        Assert.StartsWith("ct_", first);
        Assert.Equal(HttpStatusCode.OK, await Ingest(admin, first));

        using var rotated = await admin.PostAsync("/api/admin/keys/eventbridge-prod/rotate?graceHours=1", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = (await rotated.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("secret").GetString()!;
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.OK, await Ingest(admin, first));
        Assert.Equal(HttpStatusCode.OK, await Ingest(admin, second));

        using var immediate = await admin.PostAsync("/api/admin/keys/eventbridge-prod/rotate?graceHours=0", null, TestContext.Current.CancellationToken);
        var third = (await immediate.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("secret").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, await Ingest(admin, first));
        Assert.Equal(HttpStatusCode.Unauthorized, await Ingest(admin, second));
        Assert.Equal(HttpStatusCode.OK, await Ingest(admin, third));

        using var revoked = await admin.PostAsync("/api/admin/keys/eventbridge-prod/revoke", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await Ingest(admin, third));
    }

    [Fact]
    public async Task KeyListShowsPrefixesButNeverSecretsOrHashes()
    {
        var secret = await Create("listed-key", "activity:read", "governance:read");

        var body = await admin.GetStringAsync("/api/admin/keys", TestContext.Current.CancellationToken);

        Assert.DoesNotContain(secret, body);
        Assert.DoesNotContain("hash", body, StringComparison.OrdinalIgnoreCase);
        var listed = JsonDocument.Parse(body).RootElement.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "listed-key");
        Assert.Equal(secret[..10], listed.GetProperty("primaryPrefix").GetString());
        Assert.Equal("api", listed.GetProperty("managedBy").GetString());
    }

    [Fact]
    public async Task InvalidAndDuplicateKeysAreRefusedNamingTheFault()
    {
        using var invalid = await admin.PostAsJsonAsync("/api/admin/keys", new { name = "Bad Name!", scopes = new[] { "root" } }, TestContext.Current.CancellationToken);
        await Create("taken-name", "ingest:aws");
        using var duplicate = await admin.PostAsJsonAsync("/api/admin/keys", new { name = "taken-name", scopes = new[] { "ingest:aws" } }, TestContext.Current.CancellationToken);
        using var badGrace = await admin.PostAsync("/api/admin/keys/taken-name/rotate?graceHours=9999", null, TestContext.Current.CancellationToken);
        using var missing = await admin.PostAsync("/api/admin/keys/no-such-key/revoke", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("scopes", out _));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badGrace.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task KeysFromConfigurationAreNotManagedThroughTheApiAndFollowTheirConfiguration()
    {
        using var refused = await admin.PostAsync("/api/admin/keys/bootstrap-ingest/revoke", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        // A restart with another configured secret: the new one works, the old one no longer does.
        const string changed = "bootstrap-ingest-key-changed-0123456789";
        await using var restarted = Gateway(changed);
        using var client = restarted.CreateClient();
        await restarted.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, await Ingest(client, changed));
        Assert.Equal(HttpStatusCode.Unauthorized, await Ingest(client, BootstrapIngestKey));
    }

    [Fact]
    public async Task SignedKeyNeedsAFreshValidStandardWebhooksSignature()
    {
        using var created = await admin.PostAsJsonAsync("/api/admin/keys", new { name = "signed-source", scopes = new[] { "ingest:aws" }, signed = true },
            TestContext.Current.CancellationToken);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var key = body.GetProperty("secret").GetString()!;
        var signingSecret = body.GetProperty("signingSecret").GetString()!;
        Assert.StartsWith("whsec_", signingSecret);
        Assert.True(body.GetProperty("key").GetProperty("signed").GetBoolean());
        const string payload = "{\"Records\":[]}";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        async Task<(HttpStatusCode Status, string Body)> Send(string? id, long? timestamp, string? signature)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail")
            {
                Content = new StringContent(payload, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.Add("X-Api-Key", key);
            if (id is not null)
            {
                request.Headers.Add("webhook-id", id);
                request.Headers.Add("webhook-timestamp", timestamp!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.Add("webhook-signature", signature);
            }
            using var client = factory.CreateClient();
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        string Sign(string id, long timestamp, string content) =>
            "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(
                Convert.FromBase64String(signingSecret["whsec_".Length..]), System.Text.Encoding.UTF8.GetBytes($"{id}.{timestamp}.{content}")));

        var unsigned = await Send(null, null, null);
        var good = await Send("msg_1", now, "v1,bm90LWl0 " + Sign("msg_1", now, payload));
        var tampered = await Send("msg_2", now, Sign("msg_2", now, payload.Replace("[]", "[1]", StringComparison.Ordinal)));
        var stale = await Send("msg_3", now - 600, Sign("msg_3", now - 600, payload));
        var future = await Send("msg_4", now + 600, Sign("msg_4", now + 600, payload));
        var replayed = await Send("msg_1", now, Sign("msg_1", now, payload));
        var retried = await Send("msg_1", now + 1, Sign("msg_1", now + 1, payload));

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.Status);
        Assert.Contains("webhook-signature", unsigned.Body);
        Assert.Equal(HttpStatusCode.OK, good.Status);
        Assert.Contains("Records", good.Body); // forwarded whole after being read for the signature
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.Status);
        Assert.Contains("does not match", tampered.Body);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.Status);
        Assert.Contains("older", stale.Body);
        Assert.Equal(HttpStatusCode.Unauthorized, future.Status);
        Assert.Contains("later", future.Body);
        // The same signed message again is a replay; the sender's retry, signed anew at its own time, is not.
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.Status);
        Assert.Contains("replay", replayed.Body);
        Assert.Equal(HttpStatusCode.OK, retried.Status);
    }

    [Fact]
    public async Task KeysAreStoredOnlyAsHashesAndSigningSecretsOnlyEncrypted()
    {
        using var created = await admin.PostAsJsonAsync("/api/admin/keys", new { name = "stored-form", scopes = new[] { "ingest:aws" }, signed = true },
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var secret = body.GetProperty("secret").GetString()!;
        var signingSecret = body.GetProperty("signingSecret").GetString()!;

        // Every column of every key, as the database holds it.
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControlTower.Gateway.Data.GatewayDbContext>();
        await using var connection = new Npgsql.NpgsqlConnection(db.Database.GetConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new Npgsql.NpgsqlCommand("SELECT row_to_json(k)::text FROM api_keys k", connection);
        var rows = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                rows.Add(reader.GetString(0));
            }
        }

        var row = Assert.Single(rows, r => r.Contains("\"stored-form\"", StringComparison.Ordinal));
        Assert.Contains(ControlTower.Gateway.Keys.ApiKeySecrets.Hash(secret), row, StringComparison.Ordinal);
        Assert.All(rows, r => Assert.DoesNotContain(secret, r, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.DoesNotContain(signingSecret["whsec_".Length..], r, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.DoesNotContain(BootstrapIngestKey, r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnlyAdminKeysManageKeys()
    {
        var reader = await Create("reader-only", "activity:read");
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/keys");
        request.Headers.Add("X-Api-Key", reader);

        using var forbidden = await client.SendAsync(request, TestContext.Current.CancellationToken);
        using var anonymous = await client.GetAsync("/api/admin/keys", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
