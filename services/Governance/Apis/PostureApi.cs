using ControlTower.Contracts.Governance;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Data;
using ControlTower.Governance.Findings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Apis;

/// <summary>The landing zone at a glance: how much of the estate is clean, and what is open where, counted in the database.</summary>
public static class PostureApi
{
    public static IEndpointRouteBuilder MapPostureApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/governance").WithTags("Governance")
            .MapGet("/posture", GetPosture)
            .WithName("GetPosture")
            .WithSummary("The landing zone at a glance: accounts and subscriptions in the baseline, how many have open findings, open findings by kind, severity and environment (suppressed ones counted apart), and the preventive controls the baseline's own SCPs do not enforce");
        return app;
    }

    public static async Task<Results<Ok<PostureView>, ProblemHttpResult>> GetPosture(
        BaselineProvider provider, GovernanceDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await provider.CurrentAsync(db, cancellationToken) is not { } current)
        {
            return DriftApi.NoBaseline();
        }
        var open = await db.Findings.AsNoTracking().Where(f => f.Status == "open")
            .Select(f => new { f.Kind, f.Type, f.Subject, f.Severity, f.Account, f.LastDetectedAt })
            .ToListAsync(cancellationToken);
        var suppressions = await ActiveSuppressions.ReadAsync(db, clock.GetUtcNow(), cancellationToken);
        var directory = AccountDirectory.Of(current.Baseline, current.Version, clock.GetUtcNow()).Accounts
            .ToDictionary(a => a.Account, StringComparer.Ordinal);

        var counted = open.Where(f => suppressions.Covering(f.Type, f.Subject) is null).ToList();
        // A finding about an account (a guardrail broken in it, the account moved) counts against that account and its
        // environment; one about an OU or a policy counts against none.
        var accounts = counted.Select(f => directory.GetValueOrDefault(f.Account ?? f.Subject)).ToList();

        return TypedResults.Ok(new PostureView(
            current.Version,
            Accounts: current.Baseline.Aws?.Accounts.Count ?? 0,
            Subscriptions: current.Baseline.Azure?.Subscriptions.Count ?? 0,
            WithOpenFindings: accounts.OfType<DirectoryAccount>().Select(a => a.Account).Distinct(StringComparer.Ordinal).Count(),
            OpenFindings: counted.Count,
            Suppressed: open.Count - counted.Count,
            ByKind: Count(counted.Select(f => f.Kind)),
            BySeverity: Count(counted.Select(f => f.Severity)),
            ByEnvironment: Count(accounts.Select(a => a is null ? "organization" : a.Environment ?? "unassigned")),
            ControlsNotEnforced: current.NotEnforced.Count,
            LastFindingAt: counted.Count == 0 ? null : counted.Max(f => f.LastDetectedAt)));
    }

    private static SortedDictionary<string, int> Count(IEnumerable<string> keys) =>
        new(keys.GroupBy(k => k, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal), StringComparer.Ordinal);
}

/// <summary>
/// The landing zone at a glance. <see cref="ByEnvironment"/> counts a finding under its account's environment
/// (<c>unassigned</c> when the baseline names none), or <c>organization</c> when it is about an OU, a policy or a setting.
/// </summary>
public sealed record PostureView(
    int BaselineVersion,
    int Accounts,
    int Subscriptions,
    int WithOpenFindings,
    int OpenFindings,
    int Suppressed,
    IReadOnlyDictionary<string, int> ByKind,
    IReadOnlyDictionary<string, int> BySeverity,
    IReadOnlyDictionary<string, int> ByEnvironment,
    int ControlsNotEnforced,
    DateTimeOffset? LastFindingAt);
