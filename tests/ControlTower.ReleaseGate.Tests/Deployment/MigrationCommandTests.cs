using System.Net;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.ReleaseGate.Tests.Deployment;

/// <summary>
/// What a cluster relies on: the image's entry point with <c>migrate</c> brings the schema up to date and exits, and a
/// replica that is not allowed to migrate waits, unready, until that has happened. Run against the built service, as the
/// migration job runs it.
/// </summary>
public sealed class MigrationCommandTests(InfrastructureFixture infrastructure)
{
    private static readonly string ServiceDll = EntryPoint.Dll("services/ReleaseGate", "ControlTower.ReleaseGate");

    [Fact]
    public async Task MigrateAppliesEveryMigrationOnceAndASecondRunFindsNothingToDo()
    {
        var database = infrastructure.Postgres.NewDatabase("migrate");

        var first = await RunAsync(("ConnectionStrings__releasegatedb", database));
        var second = await RunAsync(("ConnectionStrings__releasegatedb", database));

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Matches(@"ReleaseGateDbContext: [1-9]\d* migration\(s\) applied; the schema is current", first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("ReleaseGateDbContext: 0 migration(s) applied; the schema is current", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateWithoutAConnectionStringFailsNamingTheSetting()
    {
        var result = await RunAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ConnectionStrings:releasegatedb is not configured (environment variable ConnectionStrings__releasegatedb)", result.Output,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReplicaThatMayNotMigrateWaitsUnreadyUntilTheMigrationJobHasRun()
    {
        var database = infrastructure.Postgres.NewDatabase("schemawait");
        await using var factory = ServiceFactory<Program>.OnServers(infrastructure, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:releasegatedb"] = database,
            ["ControlTower:MigrateOnStartup"] = "false",
            ["ControlTower:SchemaWaitSeconds"] = "0.2",
            ["ReleaseGate:PoliciesPath"] = Path.Combine(AppContext.BaseDirectory, "Policies"),
        });

        // The test server starts the host, whose start is held by the wait.
        var started = Task.Run(() => factory.Server, TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.False(started.IsCompleted, "the replica started before its schema existed");

        var job = await RunAsync(("ConnectionStrings__releasegatedb", database));
        Assert.True(job.ExitCode == 0, job.Output);

        await started.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(30));
        using var client = factory.CreateTrustedClient();
        using var response = await client.GetAsync("/api/releases?limit=1", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<(int ExitCode, string Output)> RunAsync(params (string Name, string Value)[] environment) =>
        EntryPoint.RunAsync(ServiceDll, ["migrate"], environment.ToDictionary(e => e.Name, e => e.Value), TestContext.Current.CancellationToken);
}
