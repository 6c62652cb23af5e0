using ControlTower.Governance.Baseline;
using ControlTower.Governance.Data;
using ControlTower.Governance.Drift;
using ControlTower.Governance.Findings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Apis;

public static class DriftApi
{
    public static IEndpointRouteBuilder MapDriftApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/governance").WithTags("Governance");
        api.MapGet("/drift", GetDrift)
            .WithName("GetDrift")
            .WithSummary("Every difference between the baseline and the observed organisation now, with AWS Control Tower's drift types and their Azure analogues, evidence and repair");
        api.MapGet("/findings", ListFindings)
            .WithName("ListFindings")
            .WithSummary("Drift and guardrail findings, kept as the events arrive: one per drift type or control and subject, open or resolved, with how many times it opened or how many events broke the control, and the suppression over it; ?status=open|resolved, ?kind=drift|guardrail, ?suppressed=true|false");
        return app;
    }

    public static async Task<Results<Ok<List<FindingView>>, ValidationProblem>> ListFindings(
        GovernanceDbContext db, TimeProvider clock, string? status, string? kind, bool? suppressed, CancellationToken cancellationToken)
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
        var findings = await query.OrderByDescending(f => f.LastDetectedAt).ThenBy(f => f.Type).ThenBy(f => f.Subject)
            .Take(1000)
            .ToListAsync(cancellationToken);
        var suppressions = await ActiveSuppressions.ReadAsync(db, clock.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(findings
            .Select(f => (Finding: f, Suppression: suppressions.Covering(f.Type, f.Subject)))
            .Where(f => suppressed is null || (f.Suppression is not null) == suppressed)
            .Select(f => FindingView.From(f.Finding, f.Suppression))
            .ToList());
    }

    public static async Task<Results<Ok<DriftView>, ProblemHttpResult>> GetDrift(
        BaselineProvider provider, GovernanceDbContext db, CancellationToken cancellationToken)
    {
        if (await provider.CurrentAsync(db, cancellationToken) is not { } current)
        {
            return NoBaseline();
        }
        // Both clouds from one snapshot, as the findings see them.
        var drift = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            var aws = await OrganizationApi.ReadInTransactionAsync(db, cancellationToken);
            var azure = await AzureApi.ReadInTransactionAsync(db, cancellationToken);
            await snapshot.CommitAsync(cancellationToken);
            return DriftEvaluator.Evaluate(current.Baseline, aws, azure);
        });
        return TypedResults.Ok(new DriftView(current.Version, current.Source, drift));
    }

    /// <summary>The 404 problem of every endpoint that works from the baseline when none is loaded.</summary>
    internal static ProblemHttpResult NoBaseline() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "No baseline", detail: "No landing-zone baseline is loaded: set Governance:BaselinePath to a baseline file (see deploy/landing-zone/), or PUT one to /api/governance/baseline.");
}

/// <summary>
/// A finding: <see cref="Kind"/> <c>drift</c> (<see cref="Type"/> is the drift type) or <c>guardrail</c> (<see cref="Type"/> is
/// the control id, <see cref="Occurrences"/> the distinct events that broke it, the latest first in <see cref="EvidenceEventIds"/>).
/// <see cref="SuppressedBy"/> is the suppression in force over it, if any: it is kept and counted but not announced.
/// </summary>
public sealed record FindingView(Guid Id, string Kind, string Type, string Subject, string Status, string Severity, string Expected, string Observed,
    string Repair, string? EvidenceEventId, IReadOnlyList<string> EvidenceEventIds, string? Provider, string? Account, int Occurrences,
    DateTimeOffset FirstDetectedAt, DateTimeOffset LastDetectedAt, DateTimeOffset? ResolvedAt, SuppressedBy? SuppressedBy = null)
{
    public static FindingView From(Finding f, Suppression? suppression) =>
        new(f.Id, f.Kind, f.Type, f.Subject, f.Status, f.Severity, f.Expected, f.Observed, f.Repair, f.EvidenceEventId, f.EvidenceEventIds, f.Provider,
            f.Account, f.Occurrences, f.FirstDetectedAt, f.LastDetectedAt, f.ResolvedAt,
            suppression is { } s ? new SuppressedBy(s.Id, s.Reason, s.ExpiresAt) : null);
}

/// <summary>The drift against baseline version <paramref name="BaselineVersion"/> (read from <paramref name="Baseline"/>).</summary>
public sealed record DriftView(int BaselineVersion, string Baseline, IReadOnlyList<DriftFinding> Findings);
