using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;

namespace ControlTower.Gateway.Tests;

/// <summary>Sessions: the Development sign-in (and that it does not exist elsewhere), the browser sign-in's redirect, per-user rate limits.</summary>
public sealed class SessionTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private EchoService echo = null!;
    private OidcProvider oidc = null!;

    public async ValueTask InitializeAsync()
    {
        echo = await EchoService.StartAsync();
        oidc = await OidcProvider.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await oidc.DisposeAsync();
        await echo.DisposeAsync();
    }

    private async Task<ServiceFactory<Program>> StartAsync(Dictionary<string, string?>? extra = null, bool production = false)
    {
        var settings = TestGateway.Settings(infrastructure, infrastructure.Postgres.NewDatabase("gateway"), echo, oidc);
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        ServiceFactory<Program> factory = production ? new ProductionFactory(settings) : new ServiceFactory<Program>(settings);
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        return factory;
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task TheDevSignInGivesACookieSessionWithTheRolesScopesAndEveryAnswerSaysItIsOn()
    {
        await using var factory = await StartAsync();
        using var browser = factory.CreateClient();

        using var signIn = await browser.GetAsync("/dev/signin?role=Operator&name=alice", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Equal("active", signIn.Headers.GetValues("X-ControlTower-Dev-SignIn").Single());
        var me = await signIn.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("alice", me.GetProperty("name").GetString());
        Assert.Contains("signals:triage", me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        using var triage = await browser.PostAsync("/api/signals/7/acknowledge", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, triage.StatusCode);
        var echoed = await triage.Content.ReadFromJsonAsync<EchoedRequest>(TestContext.Current.CancellationToken);
        Assert.Equal("alice", echoed!.Headers[GatewayTrust.SourceHeader]);
        Assert.Equal("user", echoed.Headers[GatewayTrust.CallerKindHeader]);
        Assert.False(echoed.Headers.ContainsKey("Cookie"));

        using var suppress = await browser.PostAsync("/api/governance/suppressions", null, TestContext.Current.CancellationToken);
        Assert.Contains("governance:suppress", (await Problem(suppress, HttpStatusCode.Forbidden)).GetProperty("detail").GetString());
        Assert.Equal("active", suppress.Headers.GetValues("X-ControlTower-Dev-SignIn").Single());

        using var signOut = await browser.PostAsync("/signout", null, TestContext.Current.CancellationToken);
        using var after = await browser.GetAsync("/api/me", TestContext.Current.CancellationToken);
        await Problem(after, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/dev/signin", "role")]
    [InlineData("/dev/signin?role=Superuser", "role")]
    [InlineData("/dev/signin?role=Viewer&name=bad%20name", "name")]
    [InlineData("/dev/signin?role=Viewer&returnUrl=https://evil.example/", "returnUrl")]
    public async Task ADevSignInWithoutAKnownRoleOrWithABadNameOrReturnUrlIsABadRequestNamingTheField(string url, string field)
    {
        await using var factory = await StartAsync();
        using var browser = factory.CreateClient();

        using var response = await browser.GetAsync(url, TestContext.Current.CancellationToken);

        var problem = await Problem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task OutsideDevelopmentTheDevSignInDoesNotExistWhateverTheConfigurationSays()
    {
        await using var factory = await StartAsync(new Dictionary<string, string?>
        {
            ["ControlTower:MigrateOnStartup"] = "true",
            ["Gateway:DevSignIn"] = "true",
            ["Gateway:DevSignIn:Enabled"] = "true",
            ["Authentication:DevSignIn"] = "true",
            ["Authentication:DevSignIn:Enabled"] = "true",
            ["DevSignIn:Enabled"] = "true",
        }, production: true);
        using var browser = factory.CreateClient();

        using var response = await browser.GetAsync("/dev/signin?role=Admin&name=mallory", TestContext.Current.CancellationToken);

        await Problem(response, HttpStatusCode.NotFound);
        Assert.False(response.Headers.Contains("X-ControlTower-Dev-SignIn"));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        using var me = await browser.GetAsync("/api/me", TestContext.Current.CancellationToken);
        await Problem(me, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SignInSendsTheBrowserToTheProvidersAuthorizationEndpointWithPkce()
    {
        await using var factory = await StartAsync(new Dictionary<string, string?> { ["Authentication:Oidc:ClientSecret"] = "test-secret-not-real" });
        using var browser = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await browser.GetAsync("/signin?returnUrl=/signals", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(oidc.Issuer + "/authorize?", location);
        Assert.Contains("client_id=" + OidcProvider.ClientId, location);
        Assert.Contains("response_type=code", location);
        Assert.Contains("code_challenge_method=S256", location);

        using var offsite = await browser.GetAsync("/signin?returnUrl=//evil.example/", TestContext.Current.CancellationToken);
        await Problem(offsite, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TheBrowserSignInRunsTheCodeFlowAgainstTheProviderIntoASessionWithTheRolesScopes()
    {
        await using var factory = await StartAsync(new Dictionary<string, string?> { ["Authentication:Oidc:ClientSecret"] = "test-secret-not-real" });
        using var browser = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var providerPages = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        oidc.NextSignIn = ("anna@example.com", ["Approver"]);

        using var signIn = await browser.GetAsync("/signin?returnUrl=/api/me", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        using var authorize = await providerPages.GetAsync(signIn.Headers.Location, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var callback = authorize.Headers.Location!;
        Assert.Equal("/signin-oidc", callback.AbsolutePath);
        using var back = await browser.GetAsync(callback.PathAndQuery, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal("/api/me", back.Headers.Location!.OriginalString);

        using var me = await browser.GetAsync("/api/me", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var caller = await me.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("anna@example.com", caller.GetProperty("name").GetString());
        Assert.Equal("user", caller.GetProperty("kind").GetString());
        Assert.Contains("releases:waive", caller.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        using var waiver = await browser.PostAsync("/api/releases/0194b7a2-0000-7000-8000-000000000001/waivers", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, waiver.StatusCode);
        using var keys = await browser.GetAsync("/api/admin/keys", TestContext.Current.CancellationToken);
        Assert.Contains("Approver", (await Problem(keys, HttpStatusCode.Forbidden)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ACallbackWithoutTheBrowsersCorrelationCookieSignsNobodyIn()
    {
        await using var factory = await StartAsync(new Dictionary<string, string?> { ["Authentication:Oidc:ClientSecret"] = "test-secret-not-real" });
        using var victim = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var attacker = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var providerPages = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        oidc.NextSignIn = ("root", ["Admin"]);

        // The attacker starts a sign-in and hands the provider's answer to another browser.
        using var signIn = await attacker.GetAsync("/signin", TestContext.Current.CancellationToken);
        using var authorize = await providerPages.GetAsync(signIn.Headers.Location, TestContext.Current.CancellationToken);
        using var back = await victim.GetAsync(authorize.Headers.Location!.PathAndQuery, TestContext.Current.CancellationToken);

        Assert.Contains("/signin", (await Problem(back, HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        Assert.False(back.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".ControlTower.Session=", StringComparison.Ordinal)));
        using var me = await victim.GetAsync("/api/me", TestContext.Current.CancellationToken);
        await Problem(me, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task EachPersonHasTheirOwnRateLimit()
    {
        await using var factory = await StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:RateLimit:UserPermitsPerSecond"] = "1",
            ["Gateway:RateLimit:UserBurst"] = "3",
        });
        using var client = factory.CreateClient();
        async Task<HttpResponseMessage> Read(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/activity");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return await client.SendAsync(request, TestContext.Current.CancellationToken);
        }
        var alice = oidc.Issue("alice", ["Viewer"]);

        HttpResponseMessage? refused = null;
        for (var i = 0; i < 10 && refused is null; i++)
        {
            var response = await Read(alice);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("'alice'", (await Problem(refused, HttpStatusCode.TooManyRequests)).GetProperty("detail").GetString());
        refused.Dispose();
        // Another person is not held back by alice's requests.
        using var bob = await Read(oidc.Issue("bob", ["Viewer"]));
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
    }

    private sealed class ProductionFactory(IReadOnlyDictionary<string, string?> settings) : ServiceFactory<Program>(settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(Environments.Production);
        }
    }
}
