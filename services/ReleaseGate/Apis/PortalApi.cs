using System.Text;
using System.Text.Json;
using ControlTower.ReleaseGate.Data;
using ControlTower.ReleaseGate.Evidence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.ReleaseGate.Apis;

/// <summary>
/// What the portal reads besides the pipeline's API: the readiness board with each cell's evidence age and truth
/// status, one evidence file with its smoke cases and original text, and a replay a reader may ask for (a replay
/// stores nothing, so it is a GET, open to <c>releases:read</c>).
/// </summary>
public static class PortalApi
{
    /// <summary>The most of an original report shown as text; the rest is cut, and said to be.</summary>
    public const int MaxTextChars = 256 * 1024;

    /// <summary>The most not-passing cases listed for one smoke run.</summary>
    public const int MaxCases = 500;

    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/releases").WithTags("Portal");

        api.MapGet("/board", Board).WithName("ReadinessBoard")
            .WithSummary("Per service and environment (optionally one of each): the latest release, its latest verdict, when its newest evidence was collected, and the deployment truth rule's result");
        api.MapGet("/{id:guid}/evidence/{evidenceId:guid}", EvidenceFile).WithName("EvidenceFile")
            .WithSummary("One evidence item: its content, and for a smoke run the cases that did not pass (name, suite, status, message) and the original report as text");
        api.MapGet("/evaluations/{evaluationId:guid}/replay", EvaluationsApi.Replay).WithName("ReplayEvaluationRead")
            .WithSummary("The same replay as the POST, for readers: re-run a stored verdict on its stored policy and evidence and compare the digests");

        return app;
    }

    public static async Task<Ok<List<BoardCellView>>> Board(ReleaseGateDbContext db, string? service, string? environment, CancellationToken cancellationToken)
    {
        var (latest, verdicts) = await EvaluationsApi.LatestWithVerdictsAsync(db, db.Releases.AsNoTracking()
            .Where(r => (service == null || r.Service == service) && (environment == null || r.Environment == environment)), cancellationToken);
        var ids = latest.Select(r => r.Id).ToList();
        // Findings snapshots are taken by the gate itself at each evaluation, so they say nothing of the pipeline's evidence.
        var evidence = (await db.Evidence.AsNoTracking().Where(e => ids.Contains(e.ReleaseId) && e.Kind != "findingsSnapshot")
            .GroupBy(e => e.ReleaseId)
            .Select(g => new { ReleaseId = g.Key, Newest = g.Max(e => e.CollectedAt), Count = g.Count() })
            .ToListAsync(cancellationToken))
            .ToDictionary(e => e.ReleaseId);
        return TypedResults.Ok(latest.Select(r =>
        {
            var verdict = verdicts.GetValueOrDefault(r.Id);
            var newest = evidence.GetValueOrDefault(r.Id);
            return new BoardCellView(r.Service, r.Environment, ReleaseView.From(r), verdict is null ? null : EvaluationSummary.From(verdict),
                newest?.Newest, newest?.Count ?? 0, verdict is null ? null : Truth(verdict));
        }).ToList());
    }

    /// <summary>The verdict's deployment truth rules, worst first; null when its policy has none.</summary>
    private static TruthStatusView? Truth(Data.Evaluation verdict)
    {
        using var results = JsonDocument.Parse(verdict.Results);
        return results.RootElement.GetProperty("rules").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "truth.deployment")
            .Select(r => new TruthStatusView(r.GetProperty("ruleId").GetString()!, r.GetProperty("outcome").GetString()!,
                r.GetProperty("reasonCode").GetString()!, r.GetProperty("explanation").GetString()!))
            .OrderByDescending(t => Enum.TryParse<Evaluation.GateOutcome>(t.Outcome, out var o) ? (int)o : 0)
            .FirstOrDefault();
    }

    public static async Task<Results<Ok<EvidenceFileView>, ProblemHttpResult>> EvidenceFile(Guid id, Guid evidenceId, ReleaseGateDbContext db, CancellationToken cancellationToken)
    {
        var record = await db.Evidence.AsNoTracking().FirstOrDefaultAsync(e => e.Id == evidenceId && e.ReleaseId == id, cancellationToken);
        if (record is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such evidence",
                detail: $"Release {id} has no evidence {evidenceId}; GET /api/releases/{id}/evidence lists it.");
        }
        var view = EvidenceView.From(record);
        if (record.Original is not { } original || record.SmokeFormat is null)
        {
            return TypedResults.Ok(new EvidenceFileView(view, null, null, null, [], false, null, false));
        }
        var format = Enum.Parse<SmokeFormat>(record.SmokeFormat);
        var run = SmokeReportParser.Parse(format, original, tapSuite: record.TapSuite).Run;
        var notPassing = run?.Cases.Where(c => c.Status is SmokeCaseStatus.Failed or SmokeCaseStatus.Errored).ToList() ?? [];
        var text = Encoding.UTF8.GetString(original);
        var cut = text.Length > MaxTextChars;
        return TypedResults.Ok(new EvidenceFileView(view, record.SmokeFormat, run is null ? null : new SmokeCountsView(
                run.Counts.Total, run.Counts.Passed, run.Counts.Failed, run.Counts.Errored, run.Counts.Skipped),
            run?.Suites.Select(s => new SmokeSuiteView(s.Name, s.Counts.Total, s.Counts.Passed, s.Counts.Failed, s.Counts.Errored, s.Counts.Skipped)).ToList(),
            [.. notPassing.Take(MaxCases).Select(c => new SmokeCaseView(c.Suite, c.Name, c.Status.ToString(), c.Message))],
            notPassing.Count > MaxCases, cut ? text[..MaxTextChars] : text, cut));
    }
}

/// <param name="EvidenceAt">When the newest evidence the pipeline posted for the release was collected (findings snapshots left out).</param>
/// <param name="Truth">The latest verdict's deployment truth rule (the worst, if there are several); null before a verdict or without such a rule.</param>
public sealed record BoardCellView(string Service, string Environment, ReleaseView Release, EvaluationSummary? LatestVerdict,
    DateTimeOffset? EvidenceAt, int EvidenceCount, TruthStatusView? Truth);

public sealed record TruthStatusView(string RuleId, string Outcome, string ReasonCode, string Explanation);

public sealed record SmokeCountsView(int Total, int Passed, int Failed, int Errored, int Skipped);

public sealed record SmokeSuiteView(string Name, int Total, int Passed, int Failed, int Errored, int Skipped);

public sealed record SmokeCaseView(string Suite, string Name, string Status, string? Message);

/// <param name="Cases">The cases that failed or errored, at most <see cref="PortalApi.MaxCases"/> (<paramref name="CasesCut"/> when more).</param>
/// <param name="Text">The original report as UTF-8 text, at most <see cref="PortalApi.MaxTextChars"/> characters (<paramref name="TextCut"/> when longer).</param>
public sealed record EvidenceFileView(EvidenceView Evidence, string? Format, SmokeCountsView? Counts, IReadOnlyList<SmokeSuiteView>? Suites,
    IReadOnlyList<SmokeCaseView> Cases, bool CasesCut, string? Text, bool TextCut);
