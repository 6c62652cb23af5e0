using ControlTower.ReleaseGate.Data;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.ReleaseGate.Policies;

/// <summary>Where the gate policies are read from at start: a folder of <c>*.yaml</c>/<c>*.yml</c> files.</summary>
public sealed class GatePolicyOptions
{
    public const string Section = "ReleaseGate";

    /// <summary>The folder; unset means no policy, and every evaluation is refused with a problem saying so.</summary>
    public string? PoliciesPath { get; set; }
}

/// <summary>A policy read from a file: its pinned snapshot, the text it came from and the file's name.</summary>
public sealed record LoadedPolicy(GatePolicySnapshot Snapshot, string Text, string Source);

/// <summary>
/// The policies read at start. A file that does not parse, or two files with the same policy id, stop the service
/// from starting: a gate that silently lost a policy would fall back to a weaker one.
/// </summary>
public sealed class GatePolicies
{
    public GatePolicies(IReadOnlyList<LoadedPolicy> policies) => Policies = policies;

    public IReadOnlyList<LoadedPolicy> Policies { get; }

    public static GatePolicies Load(string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
        {
            return new GatePolicies([]);
        }
        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException($"ReleaseGate:PoliciesPath names {folder}, which is not a folder.");
        }
        var loaded = new List<LoadedPolicy>();
        var errors = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder)
                     .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                     .Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            var parsed = GatePolicyParser.Parse(text);
            if (parsed.Snapshot is null)
            {
                errors.AddRange(parsed.Errors.Select(e => $"{Path.GetFileName(file)}: {e}"));
                continue;
            }
            loaded.Add(new LoadedPolicy(parsed.Snapshot, text, Path.GetFileName(file)));
        }
        errors.AddRange(loaded.GroupBy(p => p.Snapshot.Policy.Id, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"policy '{g.Key}' is defined in {string.Join(" and ", g.Select(p => p.Source))}"));
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The gate policies do not load: " + string.Join("; ", errors));
        }
        return new GatePolicies(loaded);
    }

    public LoadedPolicy? For(string service, string environment) =>
        GatePolicyCatalog.Select(Policies.Select(p => p.Snapshot), service, environment) is { } chosen
            ? Policies.First(p => ReferenceEquals(p.Snapshot, chosen))
            : null;

    /// <summary>
    /// Keeps the policy's text under its hash, once. Written on its own, before the verdict, with ON CONFLICT: two
    /// first evaluations racing must not fail on each other, and a stored text nobody used yet does no harm.
    /// </summary>
    public static async Task KeepAsync(ReleaseGateDbContext db, LoadedPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var snapshot = policy.Snapshot;
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO policy_versions (hash, policy_id, version, text, source, first_used_at)
            VALUES ({snapshot.Hash}, {snapshot.Policy.Id}, {snapshot.Policy.Version}, {policy.Text}, {policy.Source}, {now})
            ON CONFLICT (hash) DO NOTHING
            """, cancellationToken);
    }
}
