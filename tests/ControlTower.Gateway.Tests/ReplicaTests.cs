using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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

/// <summary>Gateway replicas on one database: starting together, and changing the same key at once.</summary>
public sealed class ReplicaTests(InfrastructureFixture infrastructure)
{
    private const string AdminKey = "admin-key-for-replica-tests-0123456789";

    private ServiceFactory<Program> Gateway(string database) => new(new Dictionary<string, string?>
    {
        ["ConnectionStrings:gatewaydb"] = database,
        ["ConnectionStrings:messaging"] = infrastructure.RabbitMq.ConnectionString,
        ["Gateway:ApiKeys:Keys:0:Name"] = "admin",
        ["Gateway:ApiKeys:Keys:0:Key"] = AdminKey,
        ["Gateway:ApiKeys:Keys:0:Scopes:0"] = Scopes.AdminKeys,
    });

    [Fact]
    public async Task TwoRotationsOfAKeyOnTwoReplicasAtOnceFollowOneAnotherAndBothSecretsWork()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = infrastructure.Postgres.NewDatabase("gateway");
        await using var first = Gateway(database);
        await first.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        await using var second = Gateway(database);
        await second.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        var admins = new[] { first, second }.Select(f =>
        {
            var client = f.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
            return client;
        }).ToList();
        using (var created = await admins[0].PostAsJsonAsync("/api/admin/keys", new { name = "eventbridge-replicas", scopes = new[] { Scopes.IngestAws } }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        var store = first.Services.GetRequiredService<ApiKeyStore>();

        for (var round = 0; round < 5; round++)
        {
            var rotations = await Task.WhenAll(admins.Select(async admin =>
            {
                using var rotated = await admin.PostAsync("/api/admin/keys/eventbridge-replicas/rotate?graceHours=1", null, ct);
                Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
                return (await rotated.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("secret").GetString()!;
            })).WaitAsync(TimeSpan.FromSeconds(60), ct);

            // One rotated the other's secret into the secondary slot: each caller holds a secret that works.
            foreach (var secret in rotations)
            {
                Assert.Equal("eventbridge-replicas", (await store.FindAsync(secret, ct))?.Name);
            }
        }
        admins.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task ReplicasStartingTogetherWriteEachConfiguredKeyOnceAndAllStart()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = Gateway(infrastructure.Postgres.NewDatabase("gateway"));
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
