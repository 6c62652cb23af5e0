using ControlTower.ReleaseGate.Data;

namespace ControlTower.ReleaseGate.Verdicts;

/// <summary>
/// The four DORA figures for one service in one environment over a window, from this service's own records:
/// a registered release is a deployment; a deployment failed when its latest verdict was rejected; it was
/// restored by the next deployment there whose latest verdict was approved.
/// </summary>
/// <param name="LeadTimeHours">Median hours from the commit (<c>committedAt</c>, when the pipeline gave it) to the deployment.</param>
/// <param name="ChangeFailureRate">Failed deployments over deployments that have a verdict; null when none has.</param>
/// <param name="TimeToRestoreHours">Median hours from a failed deployment to the next approved one there.</param>
/// <param name="Unrestored">Failed deployments not yet followed by an approved one.</param>
public sealed record DoraView(string Service, string Environment, int Deployments, decimal DeploymentsPerDay, decimal? LeadTimeHours,
    decimal? ChangeFailureRate, decimal? TimeToRestoreHours, int Unrestored);

public static class Dora
{
    /// <summary>Pure: the figures per service and environment for the deployments registered in [from, to).</summary>
    public static List<DoraView> Compute(IReadOnlyList<Release> releases, IReadOnlyDictionary<Guid, string> latestGitHubState, DateTimeOffset from, DateTimeOffset to)
    {
        var days = (decimal)(to - from).TotalDays;
        return [.. releases.GroupBy(r => (r.Service, r.Environment))
            .Select(group =>
            {
                var all = group.OrderBy(r => r.RegisteredAt).ThenBy(r => r.Id).ToList();
                var window = all.Where(r => r.RegisteredAt >= from && r.RegisteredAt < to).ToList();
                var judged = window.Where(r => latestGitHubState.ContainsKey(r.Id)).ToList();
                var failed = judged.Where(r => latestGitHubState[r.Id] == "rejected").ToList();
                var restores = failed.Select(f => all.FirstOrDefault(r => r.RegisteredAt > f.RegisteredAt
                        && latestGitHubState.GetValueOrDefault(r.Id) == "approved") is { } next ? Hours(next.RegisteredAt - f.RegisteredAt) : (decimal?)null)
                    .ToList();
                return new DoraView(group.Key.Service, group.Key.Environment, window.Count,
                    days <= 0 ? 0 : Math.Round(window.Count / days, 3),
                    Median([.. window.Where(r => r.CommittedAt is not null).Select(r => Hours(r.RegisteredAt - r.CommittedAt!.Value))]),
                    judged.Count == 0 ? null : Math.Round((decimal)failed.Count / judged.Count, 3),
                    Median([.. restores.Where(h => h is not null).Select(h => h!.Value)]),
                    restores.Count(h => h is null));
            })
            .Where(v => v.Deployments > 0)
            .OrderBy(v => v.Service, StringComparer.Ordinal).ThenBy(v => v.Environment, StringComparer.Ordinal)];
    }

    private static decimal Hours(TimeSpan span) => Math.Round((decimal)span.TotalHours, 3);

    private static decimal? Median(List<decimal> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }
}
