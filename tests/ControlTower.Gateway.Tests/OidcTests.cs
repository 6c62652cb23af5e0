using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace ControlTower.Gateway.Tests;

/// <summary>People with bearer tokens from a real (loopback) OIDC provider: roles become scopes, and bad tokens are refused with a reason.</summary>
public sealed class OidcTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private GatewayHost host = null!;

    private OidcProvider oidc => host.Oidc;

    private HttpClient client => host.Client;

    public async ValueTask InitializeAsync() => host = await GatewayHost.StartAsync(infrastructure);

    public async ValueTask DisposeAsync() => await host.DisposeAsync();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        configure?.Invoke(request);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<string> ProblemDetail(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return problem.GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task AViewersTokenReadsSignalsAndTheServiceLearnsWhoWithWhichScopes()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/signals?limit=5", oidc.Issue("alice", ["Viewer"]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>(TestContext.Current.CancellationToken);
        Assert.Equal("/api/signals?limit=5", echoed!.Path);
        Assert.Equal("alice", echoed.Headers[GatewayTrust.SourceHeader]);
        Assert.Equal("user", echoed.Headers[GatewayTrust.CallerKindHeader]);
        Assert.Equal("activity:read alerts:read governance:read releases:read signals:read", echoed.Headers[GatewayTrust.ScopesHeader]);
        Assert.False(echoed.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task AViewerMayNotTriageAndIsToldWhichRolesMay()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/signals/42/acknowledge", oidc.Issue("alice", ["Viewer"]));

        var detail = await ProblemDetail(response, HttpStatusCode.Forbidden);
        Assert.Contains("alice", detail);
        Assert.Contains("signals:triage", detail);
        Assert.Contains("Operator, Approver, Admin", detail);
    }

    [Fact]
    public async Task AnOperatorTriagesAndAnApproverAlsoSuppressesGovernanceFindings()
    {
        using var triage = await SendAsync(HttpMethod.Post, "/api/signals/42/acknowledge", oidc.Issue("olga", ["Operator"]));
        Assert.Equal(HttpStatusCode.OK, triage.StatusCode);
        using var operatorSuppress = await SendAsync(HttpMethod.Post, "/api/governance/suppressions", oidc.Issue("olga", ["Operator"]));
        Assert.Contains("governance:suppress", await ProblemDetail(operatorSuppress, HttpStatusCode.Forbidden));

        using var approverSuppress = await SendAsync(HttpMethod.Post, "/api/governance/suppressions", oidc.Issue("anna", ["approver"]));
        Assert.Equal(HttpStatusCode.OK, approverSuppress.StatusCode);
        var echoed = await approverSuppress.Content.ReadFromJsonAsync<EchoedRequest>(TestContext.Current.CancellationToken);
        Assert.Contains("signals:suppress", echoed!.Headers[GatewayTrust.ScopesHeader].Split(' '));
    }

    [Fact]
    public async Task ScopesATokenCarriesItselfGrantNothingOnlyRolesDo()
    {
        var token = oidc.Issue("mallory", ["Viewer"], extraClaims:
        [
            new Claim("scope", "admin:keys"), new Claim("scp", "admin:keys"), new Claim("controltower:caller-kind", "key"),
        ]);

        using var response = await SendAsync(HttpMethod.Get, "/api/admin/keys", token);

        Assert.Contains("admin:keys", await ProblemDetail(response, HttpStatusCode.Forbidden));
    }

    [Fact]
    public async Task AnAdminsTokenManagesKeys()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/admin/keys", oidc.Issue("root", ["Admin"]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ATokenWithoutARoleIsForbidden()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/activity", oidc.Issue("nobody", []));

        Assert.Contains("roles: none", await ProblemDetail(response, HttpStatusCode.Forbidden));
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "issuer", "issuer this gateway does not trust" },
        { "audience", "another audience" },
        { "expired", "expired" },
        { "signature", "signature does not verify" },
        { "unknown-key", "signature does not verify" },
        { "malformed", "not a well-formed JWT" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task ABadTokenIsUnauthorisedNamingWhatIsWrong(string fault, string expected)
    {
        using var otherRsa = RSA.Create(2048);
        var token = fault switch
        {
            "issuer" => oidc.Issue("eve", ["Admin"], issuer: "https://login.example.invalid/other/v2.0"),
            "audience" => oidc.Issue("eve", ["Admin"], audience: "some-other-api"),
            "expired" => oidc.Issue("eve", ["Admin"], expires: DateTime.UtcNow.AddHours(-1)),
            "signature" => oidc.Issue("eve", ["Admin"], signWith: new RsaSecurityKey(otherRsa) { KeyId = OidcProvider.KeyId }),
            "unknown-key" => oidc.Issue("eve", ["Admin"], signWith: new RsaSecurityKey(otherRsa) { KeyId = "not-the-providers" }),
            _ => "eyJhbGciOiJSUzI1NiJ9.not-json.at-all",
        };

        using var response = await SendAsync(HttpMethod.Get, "/api/activity", token);

        Assert.Contains(expected, await ProblemDetail(response, HttpStatusCode.Unauthorized));
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
    }
}
