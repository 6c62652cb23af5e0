using System.Net;
using System.Net.Http.Json;
using ControlTower.Contracts.Activity;
using ControlTower.Governance.Apis;
using ControlTower.Governance.Data;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.EntityFrameworkCore;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Governance.Tests;

/// <summary>Governance against real PostgreSQL and RabbitMQ: activity keeps the observed accounts current.</summary>
public sealed class ObservedAccountsTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb");
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    private static CloudActivityBatch Batch(string account, params (int Minute, string Region)[] events) => new()
    {
        BatchId = Guid.NewGuid(),
        Source = "test",
        ReceivedAt = DateTimeOffset.UtcNow,
        Activities = events.Select(e => new CloudActivity
        {
            Provider = "aws",
            EventId = Guid.NewGuid().ToString(),
            Time = new DateTimeOffset(2026, 11, 28, 10, e.Minute, 0, TimeSpan.Zero),
            Account = account,
            Region = e.Region,
            Service = "sts",
            Operation = "AssumeRole",
            Outcome = ActivityOutcome.Success,
            Raw = "{}",
        }).ToList(),
    };

    private async Task<ObservedAccountView> WaitForAccountAsync(string account, Func<ObservedAccountView, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var accounts = await client.GetFromJsonAsync<List<ObservedAccountView>>("/api/governance/observed-accounts", timeout.Token);
            if (accounts!.FirstOrDefault(a => a.Account == account) is { } found && condition(found))
            {
                return found;
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    [Fact]
    public async Task ServiceStartsHealthyWithItsMigrationsApplied()
    {
        // InitializeAsync waited for /health; the schema must then be complete and match the model.
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration captures: run dotnet ef migrations add");
    }

    [Fact]
    public async Task ActivityFromAnAccountMakesItObservedWithItsFirstAndLastSighting()
    {
        var account = NewAccount();
        var bus = factory.Services.GetRequiredService<IBus>();

        await bus.Publish(Batch(account, (20, "eu-west-1"), (30, "eu-central-1")), TestContext.Current.CancellationToken);

        var observed = await WaitForAccountAsync(account, _ => true);
        Assert.Equal("aws", observed.Provider);
        Assert.Equal(20, observed.FirstSeen.Minute);
        Assert.Equal(30, observed.LastSeen.Minute);
        Assert.Equal("eu-central-1", observed.LastRegion);
    }

    [Fact]
    public async Task LateAndRedeliveredBatchesOnlyWidenTheSightings()
    {
        var account = NewAccount();
        var bus = factory.Services.GetRequiredService<IBus>();
        var middle = Batch(account, (30, "eu-west-1"));

        await bus.Publish(middle, TestContext.Current.CancellationToken);
        await WaitForAccountAsync(account, _ => true);
        await bus.Publish(Batch(account, (10, "us-east-1")), TestContext.Current.CancellationToken); // late, older
        await bus.Publish(middle, TestContext.Current.CancellationToken); // redelivered
        await bus.Publish(Batch(account, (45, "eu-north-1")), TestContext.Current.CancellationToken); // newer

        var observed = await WaitForAccountAsync(account, a => a.LastSeen.Minute == 45 && a.FirstSeen.Minute == 10);
        Assert.Equal("eu-north-1", observed.LastRegion);
    }

    [Fact]
    public async Task CallsThatDidNotComeThroughTheGatewayAreRefused()
    {
        using var direct = factory.CreateClient();
        using var response = await direct.GetAsync("/api/governance/observed-accounts", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static string NewAccount() => Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString();
}
