using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ControlTower.Governance.Controls;
using ControlTower.Governance.Data;

namespace ControlTower.Governance.Baseline;

/// <summary>
/// A baseline as put in place: the text and policy files it was read from, their hash (the ETag), its version
/// (0 for a file read at start and not yet recorded), where it came from and when.
/// </summary>
public sealed record BaselineVersion(
    int Version,
    string Hash,
    string Origin,
    string Source,
    DateTimeOffset RecordedAt,
    string Yaml,
    IReadOnlyDictionary<string, string> Files,
    LandingZoneBaseline Baseline)
{
    private readonly Lazy<IReadOnlyDictionary<string, IReadOnlyList<string>>> notEnforced =
        new(() => Drift.PreventiveControlDrift.NotEnforced(Baseline, ControlCatalog.Default));

    /// <summary>Where this baseline enables each control of the catalog.</summary>
    public ControlPlacement Controls { get; } = new(Baseline, ControlCatalog.Default);

    /// <summary>Per preventive control, the accounts where this baseline enables it but its own SCPs do not deny its actions.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> NotEnforced => notEnforced.Value;

    /// <summary>The baseline's entity tag, quoted as HTTP writes it.</summary>
    public string ETag => $"\"{Hash}\"";

    /// <summary>
    /// Reads a baseline, resolving its policy <c>file:</c>s with <paramref name="readFile"/> and keeping what each
    /// held, so the version can be read again exactly without the files.
    /// </summary>
    public static (LandingZoneBaseline? Baseline, IReadOnlyList<BaselineError> Errors, IReadOnlyDictionary<string, string> Files) Read(
        string yaml, Func<string, string?> readFile)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var (baseline, errors) = BaselineLoader.Load(yaml, file =>
        {
            var content = readFile(file);
            if (content is not null)
            {
                files[file] = content;
            }
            return content;
        });
        return (baseline, errors, files);
    }

    /// <summary>SHA-256 over the text and each file's path and content, in path order, hex.</summary>
    public static string HashOf(string yaml, IReadOnlyDictionary<string, string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(yaml));
        foreach (var (path, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(path));
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(content));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A recorded version read back; null (with the faults) if this release no longer reads it.</summary>
    public static (BaselineVersion? Version, IReadOnlyList<BaselineError> Errors) FromRecord(BaselineRecord record)
    {
        var files = JsonSerializer.Deserialize<Dictionary<string, string>>(record.Files) ?? [];
        var (baseline, errors, _) = Read(record.Yaml, file => files.GetValueOrDefault(file));
        return baseline is null
            ? (null, errors)
            : (new BaselineVersion(record.Version, record.Hash, record.Origin, record.Source, record.RecordedAt, record.Yaml, files, baseline), errors);
    }
}
