using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace ControlTower.Gateway.Keys;

/// <summary>
/// Standard Webhooks (v1) signatures: HMAC-SHA256 over <c>{webhook-id}.{webhook-timestamp}.{body}</c>, sent as a
/// space-separated list of <c>v1,&lt;base64&gt;</c> in <c>webhook-signature</c>. The timestamp must fall within
/// <see cref="Tolerance"/> of now, which bounds replays, and a signed message (its id and timestamp) is taken once: the
/// same message again within the window is refused as a replay. A sender's retry signs anew, with the attempt's own
/// timestamp (as the specification has it), and goes through; what it repeats is stored once downstream anyway
/// (deduplicated by event id). Each gateway instance remembers what it has seen; behind several instances an exact
/// replay to another one is bounded by the window and that deduplication alone.
/// </summary>
public sealed class WebhookSignatures(IDataProtectionProvider protection, TimeProvider clock)
{
    // (key, id, timestamp) of each message taken in the last two windows, and when it may be forgotten.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> seen = new(StringComparer.Ordinal);
    private DateTimeOffset nextSweep;

    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private readonly IDataProtector protector = protection.CreateProtector("ControlTower.Gateway.WebhookSigningSecret");

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string Protect(string secret) => protector.Protect(secret);

    public string Unprotect(string protectedSecret) => protector.Unprotect(protectedSecret);

    /// <summary>Null when the request is signed correctly; otherwise why not, in words for the caller.</summary>
    public string? Verify(string secret, string? id, string? timestamp, string? signatures, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
        {
            return $"This key requires signed requests: send {IdHeader}, {TimestampHeader} and {SignatureHeader} (Standard Webhooks v1).";
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return $"{TimestampHeader} must be Unix seconds.";
        }
        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        if (age.Duration() > Tolerance)
        {
            return $"{TimestampHeader} is {(age > TimeSpan.Zero ? "older" : "later")} than the {Tolerance.TotalSeconds:F0} s window allows (a replay, or a clock out of step).";
        }

        var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var expected = HMACSHA256.HashData(key, signed);

        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate.StartsWith("v1,", StringComparison.Ordinal) && TryBase64(candidate[3..], out var given)
                && CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return FirstUse(Convert.ToHexStringLower(SHA256.HashData(key)), id, timestamp)
                    ? null
                    : $"This signed message ({IdHeader} {id}, {TimestampHeader} {timestamp}) was already taken: a replay. A retry signs again with its own timestamp.";
            }
        }
        return $"{SignatureHeader} does not match the body: sign '{{{IdHeader}}}.{{{TimestampHeader}}}.{{body}}' with HMAC-SHA256 and the key's signing secret.";
    }

    private bool FirstUse(string keyHash, string id, string timestamp)
    {
        var now = clock.GetUtcNow();
        if (now >= nextSweep)
        {
            nextSweep = now + Tolerance;
            foreach (var (entry, forgetAt) in seen)
            {
                if (forgetAt <= now)
                {
                    seen.TryRemove(entry, out _);
                }
            }
        }
        return seen.TryAdd($"{keyHash}:{id}:{timestamp}", now + 2 * Tolerance);
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }
        return false;
    }
}
