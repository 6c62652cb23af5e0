using ControlTower.Gateway.Authentication;
using ControlTower.Gateway.Data;
using ControlTower.Gateway.Keys;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ControlTower.Gateway.Tests;

/// <summary>Gateway replicas on one database.</summary>
public sealed class ReplicaTests(InfrastructureFixture infrastructure)
{
    private const string AdminKey = "admin-key-for-replica-tests-0123456789";

    [Fact]
    public async Task ReplicasStartingTogetherWriteEachConfiguredKeyOnceAndAllStart()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:gatewaydb"] = infrastructure.Postgres.NewDatabase("gateway"),
            ["ConnectionStrings:messaging"] = infrastructure.RabbitMq.ConnectionString,
            ["Gateway:ApiKeys:Keys:0:Name"] = "admin",
            ["Gateway:ApiKeys:Keys:0:Key"] = AdminKey,
            ["Gateway:ApiKeys:Keys:0:Scopes:0"] = Scopes.AdminKeys,
        });
        await gateway.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        var scopes = gateway.Services.GetRequiredService<IServiceScopeFactory>();

        // Each round a fresh set of keys, as a first deploy of several replicas sees them: none of them stored yet.
        for (var round = 0; round < 5; round++)
        {
            var keys = new ApiKeyOptions
            {
                Keys = [.. Enumerable.Range(0, 10).Select(i => new ApiKeyDefinition
                {
                    Name = $"replica-{round}-{i}",
                    Key = $"replica-key-{round}-{i}-0123456789abcdefghij",
                    Scopes = [Scopes.IngestAws],
                })],
            };
            var replicas = Enumerable.Range(0, 3)
                .Select(_ => new ApiKeyBootstrapper(scopes, Options.Create(keys), TimeProvider.System, NullLogger<ApiKeyBootstrapper>.Instance))
                .ToList();

            await Task.WhenAll(replicas.Select(r => Task.Run(() => r.StartAsync(ct), ct))).WaitAsync(TimeSpan.FromSeconds(60), ct);

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            var stored = await db.ApiKeys.AsNoTracking().Where(k => k.Name.StartsWith($"replica-{round}-")).Select(k => k.Name).ToListAsync(ct);
            Assert.Equal(keys.Keys.Select(k => k.Name).Order(), stored.Order());
        }
    }
}
