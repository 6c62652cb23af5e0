using ControlTower.Contracts.Governance;
using ControlTower.Governance.Data;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ControlTower.Governance.Tests;

/// <summary>The shared outbox on Governance's database and real RabbitMQ: what commits is published, what rolls back never is.</summary>
public sealed class OutboxTests(InfrastructureFixture infrastructure)
{
    private static DriftResolved Resolved(string subject) => new()
    {
        FindingId = Guid.NewGuid(),
        Occurrence = 1,
        Type = "OUTBOX_TEST",
        Subject = subject,
        ResolvedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task AMessageLeavesOnlyIfItsTransactionCommitsAndTheRowIsGoneOnceConfirmed()
    {
        await using var factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb");
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        await using var resolved = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftResolved), TestContext.Current.CancellationToken);
        var (rolledBack, committed, saved) = ($"rolled-back-{Guid.NewGuid():N}", $"committed-{Guid.NewGuid():N}", $"saved-{Guid.NewGuid():N}");

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<Outbox<GovernanceDbContext>>();
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
                outbox.Add(Resolved(rolledBack));
                await db.SaveChangesAsync(TestContext.Current.CancellationToken);
                await transaction.RollbackAsync(TestContext.Current.CancellationToken);
            });
            db.ChangeTracker.Clear();
            await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
                await outbox.Publish(Resolved(committed), TestContext.Current.CancellationToken);
                await db.SaveChangesAsync(TestContext.Current.CancellationToken);
                await transaction.CommitAsync(TestContext.Current.CancellationToken);
            });
            // A plain SaveChanges is its own transaction.
            outbox.Add(Resolved(saved));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await resolved.WaitUntilAsync(m => m.Count(x => x.GetProperty("subject").GetString() is { } s && (s == committed || s == saved)) == 2,
            TimeSpan.FromSeconds(30));
        var published = resolved.Messages.Single(m => m.GetProperty("subject").GetString() == committed);
        Assert.Equal("OUTBOX_TEST", published.GetProperty("type").GetString());
        Assert.DoesNotContain(resolved.Messages, m => m.GetProperty("subject").GetString() == rolledBack);

        // Deleted once the broker confirmed it.
        await using var check = factory.Services.CreateAsyncScope();
        var rows = check.ServiceProvider.GetRequiredService<GovernanceDbContext>().Set<OutboxMessage>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await rows.AnyAsync(timeout.Token))
        {
            await Task.Delay(100, timeout.Token);
        }
        Assert.Equal(0, await rows.CountAsync(TestContext.Current.CancellationToken));
    }
}
