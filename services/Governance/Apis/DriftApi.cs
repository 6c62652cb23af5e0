using ControlTower.Governance.Baseline;
using ControlTower.Governance.Data;
using ControlTower.Governance.Drift;
using Microsoft.AspNetCore.Http.HttpResults;

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
        return app;
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

    private static ProblemHttpResult NoBaseline() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "No baseline", detail: "No landing-zone baseline is loaded: set Governance:BaselinePath to a baseline file (see deploy/landing-zone/).");
}

public sealed record BaselineView(string Source, LandingZoneBaseline Baseline);

public sealed record DriftView(string Baseline, IReadOnlyList<DriftFinding> Findings);
