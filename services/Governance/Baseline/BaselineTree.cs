namespace ControlTower.Governance.Baseline;

/// <summary>The baseline's AWS tree walked from an account up: the one path every SCP question follows.</summary>
public static class BaselineTree
{
    /// <summary>Each OU's parent (the root or another OU).</summary>
    public static Dictionary<string, string> Parents(AwsBaseline baseline) =>
        baseline.OrganizationalUnits.ToDictionary(o => o.Id, o => o.ParentId, StringComparer.Ordinal);

    /// <summary>The targets from the root down to <paramref name="account"/> itself, root first.</summary>
    public static List<string> PathTo(BaselineAccount account, IReadOnlyDictionary<string, string> parents)
    {
        var path = PathTo(account.ParentId, parents);
        path.Add(account.Id);
        return path;
    }

    /// <summary>The targets from the root down to <paramref name="target"/> (the root or an OU), root first.</summary>
    public static List<string> PathTo(string target, IReadOnlyDictionary<string, string> parents)
    {
        var path = new List<string> { target };
        while (parents.TryGetValue(path[^1], out var parent))
        {
            path.Add(parent);
        }
        path.Reverse();
        return path;
    }
}
