using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds messages to the outbox of <typeparamref name="TContext"/>: they are published only if the caller's transaction commits.</summary>
public sealed class Outbox<TContext>(TContext db, TimeProvider clock) where TContext : DbContext
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Stages <paramref name="message"/> in the context; it is written with the caller's next SaveChanges.</summary>
    public void Add(object message)
    {
        var type = message.GetType();
        db.Set<OutboxMessage>().Add(new OutboxMessage
        {
            MessageType = $"{type.FullName}, {type.Assembly.GetName().Name}",
            Body = JsonSerializer.Serialize(message, type, Json),
            CreatedAt = clock.GetUtcNow(),
        });
    }

    /// <summary>A publish function for code that announces as it goes: each message goes to the outbox.</summary>
    public Func<object, CancellationToken, Task> Publish => (message, _) =>
    {
        Add(message);
        return Task.CompletedTask;
    };
}

/// <summary>Wakes the relay when a transaction that wrote outbox rows commits, so announcements leave at once rather than at the next poll.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        if (signal.CurrentCount == 0)
        {
            try
            {
                signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled: one wake-up is enough.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>Notices commits of transactions (and plain SaveChanges) that wrote outbox rows, and wakes the relay.</summary>
internal sealed class OutboxCommitInterceptor(OutboxSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    // Per context: whether its pending transaction wrote outbox rows.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, object> wrote = [];

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && context.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added))
        {
            wrote.AddOrUpdate(context, true);
        }
        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        // Outside an explicit transaction the save is the commit.
        if (eventData.Context is { } context && context.Database.CurrentTransaction is null)
        {
            Committed(context);
        }
        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            wrote.Remove(context);
        }
        return Task.CompletedTask;
    }

    private void Committed(DbContext? context)
    {
        if (context is not null && wrote.Remove(context))
        {
            signal.Notify();
        }
    }
}

/// <summary>
/// Publishes what the outbox of <typeparamref name="TContext"/> holds, oldest first, and deletes each row once
/// the broker confirmed it. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so replicas share the work
/// without publishing a row twice (a crash between publish and delete can repeat one: consumers are idempotent).
/// Publishes are mandatory: a message no queue is bound to receive yet (its consumer has never started, as on a
/// fresh broker while the services start side by side) is returned by the broker and stays in the outbox, with
/// its attempts counted, to be tried again; later messages of the same type wait behind it, so each type keeps
/// its order, while other types go on.
/// </summary>
public sealed class OutboxRelay<TContext>(IServiceProvider services, OutboxSignal signal, IBusControl bus, ILogger<OutboxRelay<TContext>> logger)
    : BackgroundService where TContext : DbContext
{
    public const int BatchSize = 100;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>The longest one pass (a batch of publishes and its commit) may take.</summary>
    public static readonly TimeSpan PassTimeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await bus.WaitForHealthStatus(BusHealthStatus.Healthy, stoppingToken);
        var delay = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            RelayResult result;
            try
            {
                // A pass that cannot finish (a publish whose confirm never comes while the broker restarts) is given up,
                // its rows unlocked by the rollback, and tried again: it must not hold the relay for good.
                using var pass = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                pass.CancelAfter(PassTimeout);
                result = await RelayOnceAsync(pass.Token);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                delay = Backoff(delay);
                logger.LogWarning(ex, "Publishing from the outbox failed; trying again in {Delay}", delay);
                await Task.Delay(delay, stoppingToken);
                continue;
            }
            if (result.HeldBack > 0)
            {
                // Returned messages wait for a consumer to bind; new commits must not make the relay spin on them.
                delay = Backoff(delay);
                await Task.Delay(delay, stoppingToken);
                continue;
            }
            delay = TimeSpan.Zero;
            if (result.Published < BatchSize)
            {
                await signal.WaitAsync(Poll, stoppingToken);
            }
        }
    }

    private static TimeSpan Backoff(TimeSpan delay) => TimeSpan.FromMilliseconds(Math.Clamp(delay.TotalMilliseconds * 2, 250, 10_000));

    /// <summary>What one pass did: rows published (and deleted), rows left because no queue took them or their type is unknown.</summary>
    public readonly record struct RelayResult(int Published, int HeldBack);

    /// <summary>Publishes one batch of rows.</summary>
    public async Task<RelayResult> RelayOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var rows = await db.Set<OutboxMessage>()
                .FromSql($"SELECT * FROM outbox_messages ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
                .ToListAsync(cancellationToken);
            // Types with a row held back in this pass: their later rows wait too, so a type's messages keep their order.
            var held = new HashSet<string>(StringComparer.Ordinal);
            var published = 0;
            foreach (var row in rows)
            {
                if (held.Contains(row.MessageType))
                {
                    continue;
                }
                var type = Type.GetType(row.MessageType, throwOnError: false);
                if (type is null)
                {
                    // A message this build cannot read stays, visible, rather than being dropped.
                    row.Attempts++;
                    held.Add(row.MessageType);
                    logger.LogError("Outbox row {Id}: message type {Type} is unknown to this build; left in the outbox", row.Id, row.MessageType);
                    continue;
                }
                var message = JsonSerializer.Deserialize(row.Body, type, Outbox<TContext>.Json)!;
                try
                {
                    await publisher.Publish(message, type, context => context.Mandatory = true, cancellationToken);
                }
                catch (MessageReturnedException)
                {
                    row.Attempts++;
                    held.Add(row.MessageType);
                    logger.LogWarning("Outbox row {Id}: no queue is bound for {Type} yet (attempt {Attempts}); kept to try again", row.Id, type.Name, row.Attempts);
                    continue;
                }
                db.Remove(row);
                published++;
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new RelayResult(published, rows.Count - published);
        });
    }
}

public static class OutboxExtensions
{
    /// <summary>
    /// The outbox for <typeparamref name="TContext"/> (whose model must call <see cref="OutboxModelExtensions.AddOutbox"/>):
    /// <see cref="Outbox{TContext}"/> for writers and the relay that publishes. Call after AddServiceDatabase and the bus.
    /// </summary>
    public static TBuilder AddOutbox<TBuilder, TContext>(this TBuilder builder) where TBuilder : IHostApplicationBuilder where TContext : DbContext
    {
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxCommitInterceptor>();
        builder.Services.ConfigureDbContext<TContext>((services, options) => options.AddInterceptors(services.GetRequiredService<OutboxCommitInterceptor>()));
        builder.Services.AddScoped<Outbox<TContext>>();
        builder.Services.AddHostedService<OutboxRelay<TContext>>();
        return builder;
    }
}
