using ControlTower.Contracts.Governance;
using ControlTower.Governance.Data;
using ControlTower.Testing;
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
    [Fact]
    public async Task AMessageNoQueueTakesYetStaysInTheOutboxInOrderAndLeavesOnceAConsumerBinds()
    {
        await using var factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb");
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        await using var resolved = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftResolved), TestContext.Current.CancellationToken);
        var run = Guid.NewGuid().ToString("N");
        var (first, second, other) = ($"first-{run}", $"second-{run}", $"other-{run}");

        // The probe's type is this test's own, so no queue on the shared broker is bound for it: like an announcement
        // made before its consumer ever started.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<Outbox<GovernanceDbContext>>();
            outbox.Add(new OutboxProbe(first));
            outbox.Add(new OutboxProbe(second));
            outbox.Add(Resolved(other));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        // Another type is not held up behind it.
        await resolved.WaitForAsync(m => m.GetProperty("subject").GetString() == other, TimeSpan.FromSeconds(30));
        // Returned by the broker, kept and counted rather than lost.
        var probes = await Eventually.Async(async () =>
        {
            var rows = await ProbeRowsAsync(factory, run);
            return rows.Count == 2 && rows[0].Attempts >= 2 ? rows : null;
        }, TimeSpan.FromSeconds(30));
        Assert.Equal(0, probes[1].Attempts);

        // Once a queue is bound, both leave, in the order they were written, and the rows go.
        await using var consumer = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(OutboxProbe), TestContext.Current.CancellationToken);
        await consumer.WaitUntilAsync(m => m.Count(x => x.GetProperty("name").GetString()!.EndsWith(run, StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(30));
        Assert.Equal([first, second], consumer.Messages.Select(m => m.GetProperty("name").GetString()).Where(n => n!.EndsWith(run, StringComparison.Ordinal)));
        await Eventually.Async(async () => (await ProbeRowsAsync(factory, run)).Count == 0 ? "gone" : null, TimeSpan.FromSeconds(30));
    }

    private static async Task<List<OutboxMessage>> ProbeRowsAsync(ServiceFactory<Program> factory, string run)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var probeType = typeof(OutboxProbe).FullName!;
        var rows = await scope.ServiceProvider.GetRequiredService<GovernanceDbContext>().Set<OutboxMessage>()
            .Where(m => m.MessageType.StartsWith(probeType)).OrderBy(m => m.Id).ToListAsync(TestContext.Current.CancellationToken);
        return [.. rows.Where(r => r.Body.Contains(run, StringComparison.Ordinal))];
    }
}

/// <summary>A message type only <see cref="OutboxTests"/> knows, so that no queue is bound to it until the test binds one.</summary>
public sealed record OutboxProbe(string Name);
