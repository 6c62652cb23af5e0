using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace ControlTower.Testing.Services;

/// <summary>
/// Hosts one service in the test process against real servers, with the given settings layered over its own
/// configuration. <see cref="CreateTrustedClient"/> calls it as the gateway would.
/// </summary>
public class ServiceFactory<TProgram>(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<TProgram>
    where TProgram : class
{
    /// <summary>The gateway's internal token in tests (a test value, not a secret).</summary>
    public const string InternalToken = "test-internal-token-not-a-secret-0001";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting(GatewayTrust.TokenConfigKey, InternalToken);
        // The test output is for the tests; a service's warnings and errors still show.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient CreateTrustedClient(string source = "test-source")
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(GatewayTrust.TokenHeader, InternalToken);
        client.DefaultRequestHeaders.Add(GatewayTrust.SourceHeader, source);
        return client;
    }
}
