using ControlTower.Gateway.Authentication;
using ControlTower.Gateway.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlTower.Gateway.Keys;

/// <summary>
/// Writes the keys named in configuration (<c>Gateway:ApiKeys:Keys</c>) into the key store at start-up, as
/// hashes. Configuration stays their source of truth: they are marked so, and the admin API will not
/// rotate or revoke them; changing the configured secret rotates it at the next start. Replicas starting together
/// take turns (a transaction-scoped advisory lock): otherwise both would find a key missing and both insert it, and the
/// loser's unique violation would stop its start.
/// </summary>
public sealed class ApiKeyBootstrapper(
    IServiceScopeFactory scopes,
    IOptions<ApiKeyOptions> options,
    TimeProvider clock,
    ILogger<ApiKeyBootstrapper> logger) : IHostedService
{
    public const string ManagedByConfiguration = "configuration";

    public const string LockName = "gateway:api-key-bootstrap";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtextextended({0}, 0))", [LockName], cancellationToken);
            await WriteConfiguredKeysAsync(db, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });

        if (!await db.ApiKeys.AnyAsync(k => k.RevokedAt == null && k.Scopes.Contains(Scopes.AdminKeys), cancellationToken))
        {
            logger.LogWarning(
                "No API key has the {Scope} scope, so keys cannot be managed through /api/admin/keys. Configure one as "
                + "Gateway:ApiKeys:Keys:N:Name/Key/Scopes (in development the AppHost generates 'admin-api-key'; "
                + "see it with: dotnet user-secrets list --project AppHost).", Scopes.AdminKeys);
        }
    }

    private async Task WriteConfiguredKeysAsync(GatewayDbContext db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var configured in options.Value.Keys)
        {
            var hash = ApiKeySecrets.Hash(configured.Key);
            var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Name == configured.Name, cancellationToken);
            if (key is null)
            {
                db.ApiKeys.Add(new ApiKey
                {
                    Id = Guid.CreateVersion7(now),
                    Name = configured.Name,
                    Scopes = configured.Scopes,
                    PrimaryHash = hash,
                    PrimaryPrefix = ApiKeySecrets.Display(configured.Key),
                    ManagedBy = ManagedByConfiguration,
                    CreatedBy = "configuration",
                    CreatedAt = now,
                });
                continue;
            }
            key.Scopes = configured.Scopes;
            key.ManagedBy = ManagedByConfiguration;
            key.RevokedAt = null;
            if (key.PrimaryHash != hash)
            {
                key.PrimaryHash = hash;
                key.PrimaryPrefix = ApiKeySecrets.Display(configured.Key);
                key.RotatedAt = now;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
