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
            .WithSummary("Every difference between the baseline and the observed organisation now, with AWS Control Tower's drift types and their Azure analogues, evidence and repair");
        api.MapGet("/findings", ListFindings)
            .WithName("ListFindings")
            .WithSummary("Drift findings, kept as the events arrive: one per drift type and subject, open or resolved, with how many times it opened");
        return app;
    }

    public static async Task<Results<Ok<List<FindingView>>, ValidationProblem>> ListFindings(
        GovernanceDbContext db, string? status, CancellationToken cancellationToken)
    {
        if (status is not (null or "open" or "resolved"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["status is 'open' or 'resolved'."] });
        }
        var query = db.Findings.AsNoTracking();
        if (status is not null)
        {
            query = query.Where(f => f.Status == status);
        }
        return TypedResults.Ok(await query.OrderByDescending(f => f.LastDetectedAt).ThenBy(f => f.Type).ThenBy(f => f.Subject)
            .Take(1000)
            .Select(f => new FindingView(f.Id, f.Type, f.Subject, f.Status, f.Severity, f.Expected, f.Observed, f.Repair, f.EvidenceEventId,
                f.Occurrences, f.FirstDetectedAt, f.LastDetectedAt, f.ResolvedAt))
            .ToListAsync(cancellationToken));
    }

    public static Results<Ok<BaselineView>, ProblemHttpResult> GetBaseline(BaselineProvider provider) =>
        provider.Baseline is { } baseline
            ? TypedResults.Ok(new BaselineView(provider.Source!, baseline))
            : NoBaseline();

    public static async Task<Results<Ok<DriftView>, ProblemHttpResult>> GetDrift(
        BaselineProvider provider, GovernanceDbContext db, CancellationToken cancellationToken)
    {
        if (provider.Baseline is not { } baseline)
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
            return DriftEvaluator.Evaluate(baseline, aws, azure);
        });
        return TypedResults.Ok(new DriftView(provider.Source!, drift));
    }

    /// <summary>The 404 problem of every endpoint that works from the baseline when none is loaded.</summary>
    internal static ProblemHttpResult NoBaseline() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "No baseline", detail: "No landing-zone baseline is loaded: set Governance:BaselinePath to a baseline file (see deploy/landing-zone/).");
}

public sealed record BaselineView(string Source, LandingZoneBaseline Baseline);

public sealed record FindingView(Guid Id, string Type, string Subject, string Status, string Severity, string Expected, string Observed,
    string Repair, string? EvidenceEventId, int Occurrences, DateTimeOffset FirstDetectedAt, DateTimeOffset LastDetectedAt, DateTimeOffset? ResolvedAt);

public sealed record DriftView(string Baseline, IReadOnlyList<DriftFinding> Findings);
