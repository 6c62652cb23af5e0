using ControlTower.Gateway.Authentication;
using ControlTower.Testing.Infrastructure;

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
