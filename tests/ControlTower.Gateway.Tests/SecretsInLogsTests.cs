using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Testing.Identity;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ControlTower.Gateway.Tests;

/// <summary>
/// Nothing that lets someone in ever reaches the gateway's log, at any level: API keys (configured, created, rotated,
/// wrong), people's tokens (good and refused), the internal token and the database password. The gateway runs with every
/// category at Trace, so a secret in any message, structured value, scope or exception would be caught here.
/// </summary>
public sealed class SecretsInLogsTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private readonly CapturedLog log = new();
    private GatewayHost host = null!;

    private OidcProvider oidc => host.Oidc;

    private HttpClient client => host.Client;

    public async ValueTask InitializeAsync() => host = await GatewayHost.StartAsync(infrastructure,
        settings =>
        {
            foreach (var category in new[] { "Default", "Microsoft", "Microsoft.AspNetCore", "Yarp", "System", "Npgsql", "MassTransit" })
            {
                settings[$"Logging:LogLevel:{category}"] = "Trace";
            }
        },
        services => services.AddSingleton<ILoggerProvider>(log));

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, Action<HttpRequestHeaders> authenticate, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        authenticate(request.Headers);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    [Fact]
    public async Task NoKeyTokenOrPasswordIsEverLoggedWhateverTheAnswer()
    {
        const string wrongKey = "wrong-key-that-is-not-anyones-0123456789";
        var goodToken = oidc.Issue("alice", ["Viewer"]);
        var forgedToken = oidc.Issue("eve", ["Admin"], audience: "some-other-api");
        var expiredToken = oidc.Issue("eve", ["Admin"], expires: DateTime.UtcNow.AddHours(-1));

        // Keys by header, as a bearer and in a query string (which the gateway does not take), right and wrong.
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/activity?limit=1", h => h.Add("X-Api-Key", TestGateway.ReaderKey)));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/activity?limit=1", h => h.Authorization = new AuthenticationHeaderValue("Bearer", TestGateway.ReaderKey)));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Get, "/api/activity?limit=1", h => h.Add("X-Api-Key", wrongKey)));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Get, $"/api/activity?api-key={wrongKey}", _ => { }));
        // People's tokens: accepted, for another audience, expired.
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/signals?limit=1", h => h.Authorization = new AuthenticationHeaderValue("Bearer", goodToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Get, "/api/signals?limit=1", h => h.Authorization = new AuthenticationHeaderValue("Bearer", forgedToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Get, "/api/signals?limit=1", h => h.Authorization = new AuthenticationHeaderValue("Bearer", expiredToken)));
        // A key created, used, rotated and revoked: its secrets come back in the answers, never in the log.
        using var admin = new HttpRequestMessage(HttpMethod.Post, "/api/admin/keys") { Content = JsonContent.Create(new { name = "logged-or-not", scopes = new[] { "activity:read" } }) };
        admin.Headers.Add("X-Api-Key", TestGateway.AdminKey);
        using var created = await client.SendAsync(admin, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("secret").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/activity?limit=1", h => h.Add("X-Api-Key", secret)));
        using var rotate = new HttpRequestMessage(HttpMethod.Post, "/api/admin/keys/logged-or-not/rotate");
        rotate.Headers.Add("X-Api-Key", TestGateway.AdminKey);
        using var rotated = await client.SendAsync(rotate, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var newSecret = (await rotated.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("secret").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Post, "/api/admin/keys/logged-or-not/revoke", h => h.Add("X-Api-Key", TestGateway.AdminKey)));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Get, "/api/activity?limit=1", h => h.Add("X-Api-Key", newSecret)));

        var secrets = new Dictionary<string, string>
        {
            ["the reader key"] = TestGateway.ReaderKey,
            ["the admin key"] = TestGateway.AdminKey,
            ["a wrong key"] = wrongKey,
            ["a created key"] = secret,
            ["a rotated key"] = newSecret,
            ["a person's token"] = goodToken,
            ["a token for another audience"] = forgedToken,
            ["an expired token"] = expiredToken,
            ["the internal token"] = ServiceFactory<Program>.InternalToken,
            ["the database password"] = new NpgsqlConnectionStringBuilder(host.Database).Password!,
        };
        // The log is not empty: the requests above were logged, just not their secrets.
        Assert.Contains(log.Entries, e => e.Contains("/api/admin/keys", StringComparison.Ordinal));
        foreach (var (what, value) in secrets)
        {
            Assert.True(value.Length >= 16, $"{what} is too short to search for");
            var leaks = log.Containing(value);
            Assert.True(leaks.Count == 0, $"{what} was logged {leaks.Count} times, first: {leaks.FirstOrDefault()}");
        }
    }
}
