using ControlTower.Contracts.Governance;
using ControlTower.Operations.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Operations.Consumers;

/// <summary>Replaces the account directory with the newest one Governance published; an older or repeated one changes nothing.</summary>
public sealed class AccountDirectoryPublishedConsumer(OperationsDbContext db) : IConsumer<AccountDirectoryPublished>
{
    public Task Consume(ConsumeContext<AccountDirectoryPublished> context) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(() =>
        {
            db.ChangeTracker.Clear();
            return ReplaceAsync(context.Message, context.CancellationToken);
        });

    private async Task ReplaceAsync(AccountDirectoryPublished directory, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One writer at a time, so two directories arriving together cannot interleave their rows.
        await db.Database.ExecuteSqlRawAsync("LOCK TABLE directory_accounts IN EXCLUSIVE MODE", cancellationToken);
        var held = await db.DirectoryAccounts.MaxAsync(a => (DateTimeOffset?)a.PublishedAt, cancellationToken);
        if (held is { } latest && latest >= directory.PublishedAt.ToUniversalTime())
        {
            return;
        }
        await db.DirectoryAccounts.ExecuteDeleteAsync(cancellationToken);
        var rows = directory.Accounts
            .GroupBy(a => (a.Provider.ToLowerInvariant(), a.Account))
            .Select(g => g.Last())
            .Select(a => new DirectoryAccountRecord
            {
                Provider = a.Provider.ToLowerInvariant(),
                Account = a.Account,
                Name = a.Name,
                Owner = a.Owner,
                Team = a.Team,
                Environment = a.Environment,
                BaselineVersion = directory.BaselineVersion,
                PublishedAt = directory.PublishedAt.ToUniversalTime(),
            });
        db.DirectoryAccounts.AddRange(rows);
        await db.SaveChangesAsync(cancellationToken);

        // Signals raised before the directory named their account (at start, before Governance's first announcement
        // arrived) get its owner, team and environment now. What is already set, a person's assignment included, stays.
        var now = DateTimeOffset.UtcNow;
        await db.Signals
            .Where(s => s.Status != Signals.TriageStatus.Resolved && s.Status != Signals.TriageStatus.Closed)
            .Where(s => s.Account != null && (s.Owner == null || s.Team == null || s.Environment == null))
            .Where(s => db.DirectoryAccounts.Any(d => d.Provider == s.Provider && d.Account == s.Account))
            .ExecuteUpdateAsync(set => set
                .SetProperty(s => s.Owner, s => s.Owner ?? db.DirectoryAccounts.Where(d => d.Provider == s.Provider && d.Account == s.Account).Select(d => d.Owner).FirstOrDefault())
                .SetProperty(s => s.Team, s => s.Team ?? db.DirectoryAccounts.Where(d => d.Provider == s.Provider && d.Account == s.Account).Select(d => d.Team).FirstOrDefault())
                .SetProperty(s => s.Environment, s => s.Environment ?? db.DirectoryAccounts.Where(d => d.Provider == s.Provider && d.Account == s.Account).Select(d => d.Environment).FirstOrDefault())
                .SetProperty(s => s.Version, s => s.Version + 1)
                .SetProperty(s => s.UpdatedAt, now), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
