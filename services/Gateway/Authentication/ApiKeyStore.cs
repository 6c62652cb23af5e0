using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ControlTower.Gateway.Authentication;

public sealed record ApiKeyIdentity(string Name, IReadOnlyList<string> Scopes);

/// <summary>Finds the identity behind a presented key by its SHA-256 hash; plaintext keys are not kept.</summary>
public sealed class ApiKeyStore(IOptions<ApiKeyOptions> options)
{
    private readonly FrozenDictionary<string, ApiKeyIdentity> byHash = options.Value.Keys
        .Where(k => k.Key.Length > 0)
        .ToFrozenDictionary(k => Hash(k.Key), k => new ApiKeyIdentity(k.Name, k.Scopes.ToList()));

    public ApiKeyIdentity? Find(string presentedKey) => byHash.GetValueOrDefault(Hash(presentedKey));

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
