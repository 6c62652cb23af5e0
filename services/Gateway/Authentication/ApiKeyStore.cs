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
        if (cache.TryGetValue(CacheKey(hash), out ApiKeyIdentity? cached))
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var now = clock.GetUtcNow();
        var key = await db.ApiKeys.AsNoTracking()
            .Where(k => k.RevokedAt == null
                && (k.PrimaryHash == hash || (k.SecondaryHash == hash && k.SecondaryExpiresAt > now)))
            .Select(k => new { k.Name, k.Scopes, k.SigningSecretProtected })
            .FirstOrDefaultAsync(cancellationToken);
        if (key is null)
        {
            return null;
        }
        var identity = new ApiKeyIdentity(key.Name, key.Scopes,
            key.SigningSecretProtected is null ? null : signatures.Unprotect(key.SigningSecretProtected));
        cache.Set(CacheKey(hash), identity, CacheFor);
        return identity;
    }

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
