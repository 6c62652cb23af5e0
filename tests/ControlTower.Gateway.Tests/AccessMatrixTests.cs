using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;

namespace ControlTower.Gateway.Tests;

/// <summary>
/// Every route of the gateway's configuration against every kind of caller: nobody, a wrong key, a key lacking just the
/// route's scope, and a person of each role with a real token from the loopback OIDC provider. The routes come from the
/// running gateway, so a route added without an expectation here fails the test.
/// </summary>
public sealed class AccessMatrixTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    /// <summary>The scope each route must require ("anonymous": none). A new route needs a line here.</summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["ingest-aws"] = "ingest:aws",
        ["ingest-azure"] = "ingest:azure",
        ["ingest-azure-cloudevents-handshake"] = "anonymous",
        ["activity"] = "activity:read",
        ["alerts-read"] = "alerts:read",
        ["releases-read"] = "releases:read",
        ["releases-write"] = "releases:write",
        ["releases-waivers"] = "releases:waive",
        ["governance-read"] = "governance:read",
        ["governance-scp-evaluate"] = "governance:read",
        ["governance-scp-impact"] = "governance:read",
        ["governance-inventory"] = "governance:write",
        ["governance-baseline-write"] = "governance:write",
        ["governance-suppressions-write"] = "governance:suppress",
        ["signals-read"] = "signals:read",
        ["signals-write"] = "signals:triage",
        ["incidents-read"] = "signals:read",
        ["incidents-write"] = "signals:triage",
        ["audit-read"] = "audit:read",
        ["admin-messages-read"] = "admin:messages",
        ["admin-messages-write"] = "admin:messages",
    };

    /// <summary>The roles and their scopes as the issue states them (deliberately not read from the gateway's code).</summary>
    private static readonly Dictionary<string, string[]> RoleScopes = new()
    {
        ["Viewer"] = ["activity:read", "alerts:read", "signals:read", "governance:read", "releases:read"],
        ["Operator"] = ["activity:read", "alerts:read", "signals:read", "governance:read", "releases:read", "signals:triage"],
        ["Approver"] =
        [
            "activity:read", "alerts:read", "signals:read", "governance:read", "releases:read", "signals:triage",
            "signals:suppress", "governance:suppress", "releases:waive",
        ],
        ["Admin"] =
        [
            "activity:read", "alerts:read", "signals:read", "governance:read", "releases:read", "signals:triage",
            "signals:suppress", "governance:suppress", "releases:waive",
            "audit:read", "admin:keys", "admin:messages", "governance:write", "releases:write",
        ],
    };

    private GatewayHost host = null!;

    private OidcProvider oidc => host.Oidc;

    private HttpClient client => host.Client;

    private ServiceFactory<Program> factory => host.Factory;

    public async ValueTask InitializeAsync() => host = await GatewayHost.StartAsync(infrastructure, settings =>
    {
        // Hundreds of requests from one address and one person in a few seconds: the limits are not under test here.
        settings["Gateway:RateLimit:AnonymousPermitsPerSecond"] = "100000";
        settings["Gateway:RateLimit:AnonymousBurst"] = "100000";
        settings["Gateway:RateLimit:UserPermitsPerSecond"] = "100000";
        settings["Gateway:RateLimit:UserBurst"] = "100000";
    });

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private IReadOnlyList<RouteConfig> Routes() => factory.Services.GetRequiredService<IProxyConfigProvider>().GetConfig().Routes;

    [Fact]
    public void EveryConfiguredRouteHasAnExpectationAndRequiresExactlyThatScope()
    {
        var routes = Routes();

        Assert.NotEmpty(routes);
        var missing = routes.Where(r => !Expected.ContainsKey(r.RouteId)).Select(r => r.RouteId).ToList();
        Assert.True(missing.Count == 0, $"Routes without an expectation in {nameof(AccessMatrixTests)}: {string.Join(", ", missing)}");
        var stale = Expected.Keys.Except(routes.Select(r => r.RouteId)).ToList();
        Assert.True(stale.Count == 0, $"Expectations for routes that no longer exist: {string.Join(", ", stale)}");
        foreach (var route in routes)
        {
            Assert.True(Expected[route.RouteId] == route.AuthorizationPolicy,
                $"{route.RouteId} requires '{route.AuthorizationPolicy}', expected '{Expected[route.RouteId]}'");
        }
    }

    [Fact]
    public async Task EveryRouteAnswersEveryKindOfCallerAsExpected()
    {
        var failures = new List<string>();
        var checkedCount = 0;
        var tokens = RoleScopes.Keys.ToDictionary(r => r, r => oidc.Issue("matrix-" + r.ToLowerInvariant(), [r]));

        foreach (var route in Routes().Where(r => Expected.ContainsKey(r.RouteId)))
        {
            var scope = Expected[route.RouteId];
            var anonymousRoute = scope == "anonymous";
            var path = SamplePath(route.Match.Path!);
            foreach (var method in route.Match.Methods ?? ["GET", "POST"])
            {
                var callers = new List<(string Caller, Action<HttpRequestMessage> Authenticate, HttpStatusCode Expected)>
                {
                    ("anonymous", _ => { }, anonymousRoute ? HttpStatusCode.OK : HttpStatusCode.Unauthorized),
                    ("wrong key", r => r.Headers.Add("X-Api-Key", "wrong-key-wrong-key-wrong-key-0000"),
                        anonymousRoute ? HttpStatusCode.OK : HttpStatusCode.Unauthorized),
                };
                if (!anonymousRoute)
                {
                    callers.Add(("key without " + scope, r => r.Headers.Add("X-Api-Key", TestGateway.AllButKey(scope)), HttpStatusCode.Forbidden));
                    callers.Add(("key with only the others", r => r.Headers.Add("X-Api-Key", TestGateway.AllButKey(OtherScope(scope))), HttpStatusCode.OK));
                }
                foreach (var (role, scopes) in RoleScopes)
                {
                    callers.Add(("role " + role, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[role]),
                        anonymousRoute || scopes.Contains(scope) ? HttpStatusCode.OK : HttpStatusCode.Forbidden));
                }

                foreach (var (caller, authenticate, expected) in callers)
                {
                    checkedCount++;
                    using var request = new HttpRequestMessage(new HttpMethod(method), path);
                    authenticate(request);
                    using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                    var fault = await Check(response, expected, path, scope);
                    if (fault is not null)
                    {
                        failures.Add($"{route.RouteId} {method} {path} as {caller}: {fault}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedCount} checks failed:\n" + string.Join("\n", failures));
        Assert.True(checkedCount > 100, $"only {checkedCount} checks ran");
    }

    [Theory]
    [InlineData("Viewer")]
    [InlineData("Operator")]
    [InlineData("Approver")]
    [InlineData("Admin")]
    public async Task EachRoleHasExactlyTheScopesOfTheTable(string role)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", oidc.Issue("someone", [role]));

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(RoleScopes[role].Order(StringComparer.Ordinal), me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!));
        Assert.Equal("user", me.GetProperty("kind").GetString());
    }

    private static async Task<string?> Check(HttpResponseMessage response, HttpStatusCode expected, string path, string scope)
    {
        if (response.StatusCode != expected)
        {
            return $"{(int)response.StatusCode}, expected {(int)expected}";
        }
        if (expected == HttpStatusCode.OK)
        {
            if (response.RequestMessage?.Method == HttpMethod.Head)
            {
                // No body to read; the status says it was forwarded (the gateway itself has no HEAD route to answer 200).
                return null;
            }
            var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>(TestContext.Current.CancellationToken);
            return echoed?.Path == path ? null : $"forwarded as {echoed?.Path}";
        }
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{(int)response.StatusCode} without a problem body";
        }
        if (expected == HttpStatusCode.Forbidden)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            var detail = problem.GetProperty("detail").GetString() ?? "";
            return detail.Contains($"'{scope}'", StringComparison.Ordinal) ? null : $"403 not naming '{scope}': {detail}";
        }
        return null;
    }

    /// <summary>A scope other than <paramref name="scope"/>, so that the key lacking it still has <paramref name="scope"/>.</summary>
    private static string OtherScope(string scope) => scope == "ingest:aws" ? "ingest:azure" : "ingest:aws";

    private static string SamplePath(string pattern) => "/" + string.Join('/', pattern.Trim('/').Split('/').Select(segment => segment switch
    {
        "{**rest}" => "sample",
        ['{', ..] => "0194b7a2-0000-7000-8000-000000000001",
        _ => segment,
    }));
}
