using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ControlTower.Web.Tests;

/// <summary>
/// Several portal replicas behind one load balancer must read each other's sign-in cookies, or people are signed out
/// whenever a request lands elsewhere: with <c>ConnectionStrings:portaldb</c> the data-protection keys live in that
/// database (real PostgreSQL here) and every replica uses the same ring.
/// </summary>
public sealed class SharedKeysTests : IAsyncLifetime
{
    private PostgresServer postgres = null!;

    public async ValueTask InitializeAsync() => postgres = await PostgresServer.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await postgres.DisposeAsync();

    [Fact]
    public async Task TwoReplicasOnOnePortalDatabaseReadEachOthersProtectedData()
    {
        var database = postgres.NewDatabase("portal");
        await using var first = new PortalReplica(database);
        await using var second = new PortalReplica(database);

        var sealedByFirst = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("signed in");
        var openedBySecond = second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(sealedByFirst);

        Assert.Equal("signed in", openedBySecond);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = new NpgsqlCommand("select count(*) from data_protection_keys where xml like '%<key id=%'", connection);
        Assert.InRange((long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!, 1L, 2L);
    }

    [Fact]
    public async Task TheMigrationJobMakesTheOneKeyThatReplicasStartingTogetherThenShare()
    {
        var database = postgres.NewDatabase("portal");

        var (exitCode, output) = await MigrateAsync(database);
        Assert.True(exitCode == 0, output);
        Assert.Contains("Created data-protection key", output, StringComparison.Ordinal);
        var keyAfterMigration = await KeyIdsAsync(database);

        await using var first = new PortalReplica(database);
        await using var second = new PortalReplica(database);
        await Task.WhenAll(Task.Run(() => first.Services), Task.Run(() => second.Services));
        var sealedBySecond = second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("signed in");
        Assert.Equal("signed in", first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(sealedBySecond));

        Assert.Single(keyAfterMigration);
        Assert.Equal(keyAfterMigration, await KeyIdsAsync(database));
        var again = await MigrateAsync(database);
        Assert.Contains("already has a current key", again.Output, StringComparison.Ordinal);
        Assert.Equal(keyAfterMigration, await KeyIdsAsync(database));
    }

    private static async Task<List<string>> KeyIdsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("select friendly_name from data_protection_keys order by id", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    /// <summary>The portal's own entry point with <c>migrate</c>, as the migration job runs it.</summary>
    private static Task<(int ExitCode, string Output)> MigrateAsync(string database) =>
        EntryPoint.RunAsync(EntryPoint.Dll("web", "ControlTower.Web"), ["migrate"],
            new Dictionary<string, string> { ["ConnectionStrings__portaldb"] = database }, TestContext.Current.CancellationToken);

    private sealed class PortalReplica(string portalDatabase) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:portaldb", portalDatabase);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }
}
