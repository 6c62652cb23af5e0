using ControlTower.Governance.Data;
using Microsoft.EntityFrameworkCore;
using ControlTower.Governance.Controls;

namespace ControlTower.Governance.Baseline;

/// <summary>
/// The baseline this service compares against. The newest recorded version (table <c>baseline_versions</c>)
/// is the truth for every replica; this keeps it read and compiled, reading it again only when a newer
/// version appears. Before anything is recorded it is the file named by <c>Governance:BaselinePath</c>, read
/// at start: a file with faults stops the service from starting, every fault named by line and field, as
/// drift measured against a half-read baseline would be wrong in ways nobody could see.
/// </summary>
public sealed class BaselineProvider
{
    private readonly ILogger<BaselineProvider> logger;
    private volatile BaselineVersion? current;
    private volatile bool started;

    public BaselineProvider(IConfiguration configuration, TimeProvider clock, ILogger<BaselineProvider> logger)
    {
        this.logger = logger;
        var path = configuration["Governance:BaselinePath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            logger.LogWarning("No landing-zone baseline file (Governance:BaselinePath is not set): drift is evaluated only once one is put through the API");
            return;
        }
        var full = Path.GetFullPath(path);
        Folder = Path.GetDirectoryName(full)!;
        var yaml = File.ReadAllText(full);
        var (baseline, errors, files) = BaselineVersion.Read(yaml, ReadPolicyFile);
        if (baseline is null)
        {
            throw new InvalidOperationException($"The landing-zone baseline {full} has {errors.Count} fault(s):{Environment.NewLine}"
                + string.Join(Environment.NewLine, errors.Select(e => $"  {e}")));
        }
        FromFile = new BaselineVersion(0, BaselineVersion.HashOf(yaml, files), "file", full, clock.GetUtcNow(), yaml, files, baseline);
        current = FromFile;
        logger.LogInformation("Landing-zone baseline {Path}: {Accounts} accounts, {Ous} OUs, {Policies} SCPs", full,
            baseline.Aws?.Accounts.Count ?? 0, baseline.Aws?.OrganizationalUnits.Count ?? 0, baseline.Aws?.Policies.Count ?? 0);
    }

    /// <summary>The baseline file read at start, or null when none is configured.</summary>
    public BaselineVersion? FromFile { get; }

    /// <summary>The folder of the baseline file: where the <c>file:</c>s of a baseline put through the API are read from.</summary>
    public string? Folder { get; }

    /// <summary>The version last seen current (possibly a moment old on another replica; see <see cref="CurrentAsync"/>).</summary>
    public BaselineVersion? Current => current;

    public LandingZoneBaseline? Baseline => current?.Baseline;

    public string? Source => current?.Source;

    /// <summary>True once the file read at start is recorded (or there is none): the <c>baseline</c> health check.</summary>
    public bool Started => started;

    internal void MarkStarted() => started = true;

    /// <summary>Reads a policy file named by a baseline, relative to the baseline file's folder and never outside it.</summary>
    public string? ReadPolicyFile(string file)
    {
        if (Folder is null)
        {
            return null;
        }
        var path = Path.GetFullPath(Path.Combine(Folder, file));
        return path.StartsWith(Folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(path) ? File.ReadAllText(path) : null;
    }

    /// <summary>
    /// The newest recorded version as <paramref name="db"/> sees it (inside the caller's transaction, if any),
    /// or the file read at start while nothing is recorded. One indexed read when nothing changed.
    /// </summary>
    public async Task<BaselineVersion?> CurrentAsync(GovernanceDbContext db, CancellationToken cancellationToken)
    {
        var latest = await db.BaselineVersions.AsNoTracking().OrderByDescending(v => v.Version)
            .Select(v => new { v.Version, v.Hash }).FirstOrDefaultAsync(cancellationToken);
        var cached = current;
        if (latest is null || (cached is not null && cached.Version == latest.Version && cached.Hash == latest.Hash))
        {
            return cached;
        }
        var record = await db.BaselineVersions.AsNoTracking().SingleAsync(v => v.Version == latest.Version, cancellationToken);
        var (version, errors) = BaselineVersion.FromRecord(record);
        if (version is null)
        {
            logger.LogError("Baseline version {Version} cannot be read by this release ({Faults}); still comparing against version {Current}",
                record.Version, string.Join("; ", errors), cached?.Version);
            return cached;
        }
        current = version;
        return version;
    }
}
