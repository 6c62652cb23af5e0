using ControlTower.Gateway.Authentication;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Identity;
using ControlTower.Testing.Services;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Gateway.Tests;

/// <summary>Settings for a gateway in front of an <see cref="EchoService"/>, trusting an <see cref="OidcProvider"/> when given one.</summary>
public static class TestGateway
{
    public const string ReaderKey = "reader-key-for-tests-0123456789abcdef";
    public const string AdminKey = "admin-key-for-tests-0123456789abcdef0";

    public static readonly string[] Clusters = ["collector-aws", "collector-azure", "operations", "governance", "releasegate"];

    /// <summary>The key that has every scope but <paramref name="scope"/>.</summary>
    public static string AllButKey(string scope) => "all-but-" + scope.Replace(':', '-') + "-key-0123456789abcdef";

    public static Dictionary<string, string?> Settings(InfrastructureFixture infrastructure, string database, EchoService echo, OidcProvider? oidc)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:gatewaydb"] = database,
            ["ConnectionStrings:messaging"] = infrastructure.RabbitMq.ConnectionString,
        };
        var keys = new List<(string Name, string Key, string[] Scopes)>
        {
            ("portal", ReaderKey, [Scopes.ActivityRead, Scopes.AlertsRead, Scopes.SignalsRead, Scopes.GovernanceRead, Scopes.ReleasesRead]),
            ("admin", AdminKey, [Scopes.AdminKeys, Scopes.AdminMessages, Scopes.AuditRead, Scopes.GovernanceWrite, Scopes.GovernanceSuppress, Scopes.ReleasesWaive]),
        };
        keys.AddRange(Scopes.All.Select(s => ("all-but-" + s.Replace(':', '-'), AllButKey(s), Scopes.All.Where(o => o != s).ToArray())));
        for (var i = 0; i < keys.Count; i++)
        {
            settings[$"Gateway:ApiKeys:Keys:{i}:Name"] = keys[i].Name;
            settings[$"Gateway:ApiKeys:Keys:{i}:Key"] = keys[i].Key;
            for (var j = 0; j < keys[i].Scopes.Length; j++)
            {
                settings[$"Gateway:ApiKeys:Keys:{i}:Scopes:{j}"] = keys[i].Scopes[j];
            }
        }
        foreach (var cluster in Clusters)
        {
            settings[$"ReverseProxy:Clusters:{cluster}:Destinations:primary:Address"] = echo.Address;
        }
        if (oidc is not null)
        {
            settings["Authentication:Oidc:Authority"] = oidc.Issuer;
            settings["Authentication:Oidc:ClientId"] = OidcProvider.ClientId;
            settings["Authentication:Oidc:RequireHttpsMetadata"] = "false";
        }
        return settings;
    }
}

/// <summary>
/// A gateway hosted in the test process in front of an <see cref="EchoService"/>, trusting its own <see cref="OidcProvider"/>,
/// on a database of its own: started healthy, and disposed with everything it started.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private GatewayHost(EchoService echo, OidcProvider oidc, string database, ServiceFactory<Program> factory)
    {
        Echo = echo;
        Oidc = oidc;
        Database = database;
        Factory = factory;
        Client = factory.CreateClient();
    }

    public EchoService Echo { get; }
    public OidcProvider Oidc { get; }
    public string Database { get; }
    public ServiceFactory<Program> Factory { get; }
    public HttpClient Client { get; }

    /// <param name="adjust">Changes to <see cref="TestGateway.Settings"/> before the gateway starts.</param>
    /// <param name="replaceServices">Services replaced after the gateway's own registrations.</param>
    public static async Task<GatewayHost> StartAsync(InfrastructureFixture infrastructure, Action<Dictionary<string, string?>>? adjust = null,
        Action<IServiceCollection>? replaceServices = null)
    {
        var echo = await EchoService.StartAsync();
        var oidc = await OidcProvider.StartAsync();
        var database = infrastructure.Postgres.NewDatabase("gateway");
        var settings = TestGateway.Settings(infrastructure, database, echo, oidc);
        adjust?.Invoke(settings);
        var host = new GatewayHost(echo, oidc, database, new ServiceFactory<Program>(settings, replaceServices));
        await host.Factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await Oidc.DisposeAsync();
        await Echo.DisposeAsync();
    }
}
