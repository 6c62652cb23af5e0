using ControlTower.Governance.Baseline;
using ControlTower.Governance.Data;
using ControlTower.Governance.Drift;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Apis;

public static class DriftApi
{
    public static IEndpointRouteBuilder MapDriftApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/governance").WithTags("Governance");
        api.MapGet("/baseline", GetBaseline)
            .WithName("GetBaseline")
            .WithSummary("The landing-zone baseline this service compares against");
        api.MapGet("/drift", GetDrift)
            .WithName("GetDrift")
            .WithSummary("Every difference between the baseline and the observed organisation now, with AWS Control Tower's drift types, evidence and repair");
        api.MapGet("/findings", ListFindings)
            .WithName("ListFindings")
            .WithSummary("Drift and guardrail findings, kept as the events arrive: one per drift type or control and subject, open or resolved, with how many times it opened or how many events broke the control");
        return app;
    }

    public static async Task<Results<Ok<List<FindingView>>, ValidationProblem>> ListFindings(
        GovernanceDbContext db, string? status, string? kind, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string[]>();
        if (status is not (null or "open" or "resolved"))
        {
            problems["status"] = ["status is 'open' or 'resolved'."];
        }
        if (kind is not (null or Finding.Drift or Finding.Guardrail))
        {
            problems["kind"] = ["kind is 'drift' or 'guardrail'."];
        }
        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(problems);
        }
        var query = db.Findings.AsNoTracking();
        if (status is not null)
        {
            query = query.Where(f => f.Status == status);
        }
        if (kind is not null)
        {
            query = query.Where(f => f.Kind == kind);
        }
        return TypedResults.Ok(await query.OrderByDescending(f => f.LastDetectedAt).ThenBy(f => f.Type).ThenBy(f => f.Subject)
            .Take(1000)
            .Select(f => new FindingView(f.Id, f.Kind, f.Type, f.Subject, f.Status, f.Severity, f.Expected, f.Observed, f.Repair, f.EvidenceEventId,
                f.EvidenceEventIds, f.Provider, f.Account, f.Occurrences, f.FirstDetectedAt, f.LastDetectedAt, f.ResolvedAt))
            .ToListAsync(cancellationToken));
    }

    public static Results<Ok<BaselineView>, ProblemHttpResult> GetBaseline(BaselineProvider provider) =>
        provider.Baseline is { } baseline
            ? TypedResults.Ok(new BaselineView(provider.Source!, baseline))
            : NoBaseline();

    public static async Task<Results<Ok<DriftView>, ProblemHttpResult>> GetDrift(
        BaselineProvider provider, GovernanceDbContext db, CancellationToken cancellationToken)
    {
        if (provider.Baseline?.Aws is not { } aws)
        {
            return NoBaseline();
        }
        var observed = await OrganizationApi.ReadAsync(db, cancellationToken);
        return TypedResults.Ok(new DriftView(provider.Source!, DriftEvaluator.Evaluate(aws, observed)));
    }

    /// <summary>The 404 problem of every endpoint that works from the baseline when none is loaded.</summary>
    internal static ProblemHttpResult NoBaseline() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "No baseline", detail: "No landing-zone baseline is loaded: set Governance:BaselinePath to a baseline file (see deploy/landing-zone/).");
}

public sealed record BaselineView(string Source, LandingZoneBaseline Baseline);

/// <summary>
/// A finding: <see cref="Kind"/> <c>drift</c> (<see cref="Type"/> is the drift type) or <c>guardrail</c> (<see cref="Type"/> is
/// the control id, <see cref="Occurrences"/> the distinct events that broke it, the latest first in <see cref="EvidenceEventIds"/>).
/// </summary>
public sealed record FindingView(Guid Id, string Kind, string Type, string Subject, string Status, string Severity, string Expected, string Observed,
    string Repair, string? EvidenceEventId, IReadOnlyList<string> EvidenceEventIds, string? Provider, string? Account, int Occurrences,
    DateTimeOffset FirstDetectedAt, DateTimeOffset LastDetectedAt, DateTimeOffset? ResolvedAt);

public sealed record DriftView(string Baseline, IReadOnlyList<DriftFinding> Findings);
