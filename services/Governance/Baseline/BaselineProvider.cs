using ControlTower.Governance.Controls;

namespace ControlTower.Governance.Baseline;

/// <summary>
/// The baseline this service compares against, read at start from <c>Governance:BaselinePath</c>. A baseline
/// with faults stops the service from starting, every fault named by line and field: drift measured against
/// a half-read baseline would be wrong in ways nobody could see.
/// </summary>
public sealed class BaselineProvider
{
    public BaselineProvider(IConfiguration configuration, ILogger<BaselineProvider> logger)
    {
        var path = configuration["Governance:BaselinePath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            logger.LogWarning("No landing-zone baseline (Governance:BaselinePath is not set): drift is not evaluated");
            return;
        }
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        var (baseline, errors) = BaselineLoader.Load(File.ReadAllText(full), file =>
        {
            var policyPath = Path.GetFullPath(Path.Combine(folder, file));
            return File.Exists(policyPath) ? File.ReadAllText(policyPath) : null;
        });
        if (baseline is null)
        {
            throw new InvalidOperationException($"The landing-zone baseline {full} has {errors.Count} fault(s):{Environment.NewLine}"
                + string.Join(Environment.NewLine, errors.Select(e => $"  {e}")));
        }
        Baseline = baseline;
        Source = full;
        Controls = new ControlPlacement(baseline, ControlCatalog.Default);
        logger.LogInformation("Landing-zone baseline {Path}: {Accounts} accounts, {Ous} OUs, {Policies} SCPs", full,
            baseline.Aws?.Accounts.Count ?? 0, baseline.Aws?.OrganizationalUnits.Count ?? 0, baseline.Aws?.Policies.Count ?? 0);
    }

    public LandingZoneBaseline? Baseline { get; }

    public string? Source { get; }

    /// <summary>Where the baseline enables each control; null without a baseline.</summary>
    public ControlPlacement? Controls { get; }
}
