using ControlTower.Governance.Baseline;
using ControlTower.Governance.Controls;
using ControlTower.Governance.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Apis;

public static class ControlsApi
{
    public static IEndpointRouteBuilder MapControlsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/governance").WithTags("Governance");
        api.MapGet("/controls", ListControls)
            .WithName("ListControls")
            .WithSummary("The control catalog: each control with where the baseline enables it, its open findings, and how many calls its policy blocked");
        api.MapGet("/controls/{id}", GetControl)
            .WithName("GetControl")
            .WithSummary("One control of the catalog, with where it is enabled, its open findings and blocked calls");
        return app;
    }

    public static async Task<Results<Ok<List<ControlView>>, ValidationProblem>> ListControls(
        BaselineProvider baseline, GovernanceDbContext db, string? provider, CancellationToken cancellationToken)
    {
        if (provider is not null && !ControlCatalog.Providers.Contains(provider, StringComparer.Ordinal))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["provider"] = ["provider is 'aws' or 'azure'."] });
        }
        var controls = ControlCatalog.Default.Controls.Where(c => provider is null || c.Provider == provider).ToList();
        var current = await baseline.CurrentAsync(db, cancellationToken);
        var counts = await CountsAsync(db, null, cancellationToken);
        return TypedResults.Ok(controls.Select(c => View(c, current, counts)).ToList());
    }

    public static async Task<Results<Ok<ControlView>, ProblemHttpResult>> GetControl(
        string id, BaselineProvider baseline, GovernanceDbContext db, CancellationToken cancellationToken)
    {
        if (ControlCatalog.Default.Find(id) is not { } control)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such control",
                detail: $"'{id}' is not a control of the catalog (GET /api/governance/controls lists them).");
        }
        var current = await baseline.CurrentAsync(db, cancellationToken);
        return TypedResults.Ok(View(control, current, await CountsAsync(db, id, cancellationToken)));
    }

    // The version the database holds now, not the one this replica last saw: another replica may have put a new one in place.
    private static ControlView View(Control control, BaselineVersion? baseline, Counts counts) => new(
        control.Id, control.Title, control.Nature, control.Guidance, control.Severity, control.Provider, control.Subject, control.Repair,
        // Without a baseline nothing is judged, mandatory controls included: nothing says which account is which.
        baseline?.Controls.EnabledOn(control) ?? [],
        counts.Open.GetValueOrDefault(control.Id), counts.Blocked.GetValueOrDefault(control.Id), counts.LastBlocked.GetValueOrDefault(control.Id),
        baseline?.NotEnforced.GetValueOrDefault(control.Id) ?? []);

    private sealed record Counts(Dictionary<string, int> Open, Dictionary<string, int> Blocked, Dictionary<string, DateTimeOffset?> LastBlocked);

    private static async Task<Counts> CountsAsync(GovernanceDbContext db, string? id, CancellationToken cancellationToken)
    {
        var open = await db.Findings.AsNoTracking()
            .Where(f => f.Kind == Finding.Guardrail && f.Status == "open" && (id == null || f.Type == id))
            .GroupBy(f => f.Type).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, StringComparer.Ordinal, cancellationToken);
        var blocked = await db.GuardrailEvents.AsNoTracking()
            .Where(e => e.Outcome == GuardrailEvent.Blocked && (id == null || e.ControlId == id))
            .GroupBy(e => e.ControlId).Select(g => new { g.Key, Count = g.Count(), Last = g.Max(e => (DateTimeOffset?)e.EventTime) })
            .ToListAsync(cancellationToken);
        return new Counts(open, blocked.ToDictionary(b => b.Key, b => b.Count, StringComparer.Ordinal),
            blocked.ToDictionary(b => b.Key, b => b.Last, StringComparer.Ordinal));
    }
}

/// <summary>
/// A control as operators see it: <see cref="EnabledOn"/> is <c>mandatory</c> (every account) or the OUs and
/// management groups that list it; <see cref="Blocked"/> counts the calls its policy refused (preventive controls);
/// <see cref="NotEnforcedIn"/> names the accounts where a preventive control is on but the baseline's SCPs do not
/// deny its actions, so it is only watched there, not enforced.
/// </summary>
public sealed record ControlView(string Id, string Title, string Nature, string Guidance, string Severity, string Provider,
    IReadOnlyList<string> Subject, string Repair, IReadOnlyList<string> EnabledOn, int OpenFindings, int Blocked, DateTimeOffset? LastBlockedAt,
    IReadOnlyList<string> NotEnforcedIn);
