using System.Security.Cryptography;
using System.Text;

namespace ControlTower.Gateway.Keys;

/// <summary>
/// Key material: 192 random bits, shown once; stored as a SHA-256 hash (a slow hash buys nothing for secrets
/// this long) and a short prefix that tells keys apart in lists and logs.
/// </summary>
public static class ApiKeySecrets
{
    public const string Prefix = "ct_";

    public static string New() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string Display(string key) => key.Length <= 10 ? "…" : key[..10];
}
