using ControlTower.Gateway.Data;
using ControlTower.Gateway.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace ControlTower.Gateway.Authentication;

/// <summary>An authenticated key: its name, scopes, and its webhook signing secret when it requires signatures.</summary>
public sealed record ApiKeyIdentity(string Name, IReadOnlyList<string> Scopes, string? SigningSecret = null);

/// <summary>
/// Finds the key behind a presented secret by its hash, in the primary slot or (until it expires) the
/// secondary. Answers are cached for <see cref="CacheFor"/>, so a revocation reaches every gateway instance
/// within that time and authentication does not cost a database round trip per request.
/// </summary>
public sealed class ApiKeyStore(IServiceScopeFactory scopes, IMemoryCache cache, WebhookSignatures signatures, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    public async Task<ApiKeyIdentity?> FindAsync(string presentedKey, CancellationToken cancellationToken)
    {
        var hash = ApiKeySecrets.Hash(presentedKey);
        var now = clock.GetUtcNow();
        cache.TryGetValue(CacheKey(hash), out Confirmed? confirmed);
        if (confirmed is not null && now - confirmed.At < CacheFor)
        {
            return confirmed.Identity;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        using var lookup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lookup.CancelAfter(LookupTimeout);
        ApiKeyIdentity? identity;
        try
        {
            var key = await db.ApiKeys.AsNoTracking()
                .Where(k => k.RevokedAt == null
                    && (k.PrimaryHash == hash || (k.SecondaryHash == hash && k.SecondaryExpiresAt > now)))
                .Select(k => new { k.Name, k.Scopes, k.SigningSecretProtected })
                .FirstOrDefaultAsync(lookup.Token);
            identity = key is null ? null : new ApiKeyIdentity(key.Name, key.Scopes,
                key.SigningSecretProtected is null ? null : signatures.Unprotect(key.SigningSecretProtected));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is OperationCanceledException || TransientFaults.IsInfrastructureOutage(ex)))
        {
            // The database is down or stalled. A key this instance confirmed within the last hour is taken as it was
            // (revoking one needs the database, so nothing newer is known); any other is answered 503, never 401.
            return confirmed?.Identity ?? throw new KeyStoreUnavailableException(ex);
        }
        if (identity is null)
        {
            cache.Remove(CacheKey(hash));
            return null;
        }
        cache.Set(CacheKey(hash), new Confirmed(identity, now), LastKnownFor);
        return identity;
    }

    /// <summary>A key the database confirmed, and when: fresh for <see cref="CacheFor"/>, the last known answer for <see cref="LastKnownFor"/>.</summary>
    private sealed record Confirmed(ApiKeyIdentity Identity, DateTimeOffset At);

    /// <summary>How long a lookup may wait for the database before the last known answer (or a 503) is used instead.</summary>
    public static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How long a confirmed key is still honoured while the database cannot be asked.</summary>
    public static readonly TimeSpan LastKnownFor = TimeSpan.FromHours(1);

    /// <summary>Drops cached answers for these hashes on this instance (after a rotation or revocation).</summary>
    public void Forget(params string?[] hashes)
    {
        foreach (var hash in hashes)
        {
            if (hash is not null)
            {
                cache.Remove(CacheKey(hash));
            }
        }
    }

    private static string CacheKey(string hash) => "api-key:" + hash;
}

/// <summary>The key store could not be asked (its database is down) and this instance knows nothing of the key.</summary>
public sealed class KeyStoreUnavailableException(Exception inner) : Exception("The API key store is unavailable.", inner);
