namespace ControlTower.Gateway.Data;

/// <summary>
/// A machine's credential for the gateway. Only SHA-256 hashes of the secrets are stored. During a rotation
/// the previous secret stays valid as the secondary until <see cref="SecondaryExpiresAt"/>.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public List<string> Scopes { get; set; } = [];
    public required string PrimaryHash { get; set; }

    /// <summary>The first characters of the primary secret, to tell keys apart without revealing them.</summary>
    public required string PrimaryPrefix { get; set; }

    public string? SecondaryHash { get; set; }
    public string? SecondaryPrefix { get; set; }
    public DateTimeOffset? SecondaryExpiresAt { get; set; }

    /// <summary><c>configuration</c> for bootstrap keys (changed only through configuration), <c>api</c> otherwise.</summary>
    public required string ManagedBy { get; set; }

    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RotatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>
    /// When set, requests with this key must carry a Standard Webhooks signature made with this secret
    /// (encrypted with ASP.NET Core data protection; the plain secret is shown once, at creation).
    /// </summary>
    public string? SigningSecretProtected { get; set; }
}
