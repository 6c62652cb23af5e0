namespace ControlTower.Governance.Data;

/// <summary>
/// One version of the landing-zone baseline as it was put in place: its text and the policy files it named
/// (so any version can be read again exactly), who put it there, and what it changed from the version before.
/// The newest version is the one every replica compares against.
/// </summary>
public sealed class BaselineRecord
{
    /// <summary>1, 2, 3…: a version number never reused.</summary>
    public int Version { get; set; }

    /// <summary>SHA-256 of the text and the policy files, hex: the baseline's ETag.</summary>
    public required string Hash { get; set; }

    /// <summary><c>file</c> (read at start from <c>Governance:BaselinePath</c>) or <c>api</c> (put through the API).</summary>
    public required string Origin { get; set; }

    /// <summary>The file's path, or the API key or user the gateway authenticated.</summary>
    public required string Source { get; set; }

    public string? Reason { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    public required string Yaml { get; set; }

    /// <summary>The policy files the text names, as a JSON object of path to content.</summary>
    public required string Files { get; set; }

    /// <summary>The changes from the version before, as a JSON array of <see cref="Baseline.BaselineChange"/>.</summary>
    public required string Changes { get; set; }
}
