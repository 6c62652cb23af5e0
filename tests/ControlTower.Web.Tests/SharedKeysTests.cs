using ControlTower.Testing.Infrastructure;
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
