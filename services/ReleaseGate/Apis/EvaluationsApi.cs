using System.Text.Json;
using ControlTower.Contracts.Releases;
using ControlTower.ReleaseGate.Data;
using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;
using ControlTower.ReleaseGate.Verdicts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ControlTower.ReleaseGate.Apis;

/// <summary>
/// Verdicts: asked for (idempotent by <c>Idempotency-Key</c>), appended and never changed, read back, and replayed
/// against the stored policy text and evidence to show the digest comes out the same.
/// </summary>
public static class EvaluationsApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapEvaluationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/releases").WithTags("Verdicts");

        api.MapPost("/{id:guid}/evaluations", Evaluate)
            .WithName("EvaluateRelease")
            .WithSummary("Evaluate the release now against its policy and evidence, and store the verdict (idempotent by Idempotency-Key)")
            .Produces<EvaluationView>(StatusCodes.Status201Created)
            .Produces<EvaluationView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/{id:guid}/evaluations", History).WithName("ListEvaluations").WithSummary("A release's verdicts, newest first");
        api.MapGet("/evaluations/{evaluationId:guid}", GetEvaluation).WithName("GetEvaluation").WithSummary("One verdict");
        api.MapPost("/evaluations/{evaluationId:guid}/replay", Replay)
            .WithName("ReplayEvaluation")
            .WithSummary("Re-run a stored verdict on its stored policy and evidence and compare the digests");
        api.MapGet("/{id:guid}/detail", Detail).WithName("ReleaseDetail")
            .WithSummary("A release as the portal shows it: the release, its latest verdict with every rule's explanation, its earlier verdicts, its evidence, and the findings open now in its targets");
        api.MapGet("/dora", DoraFigures).WithName("Dora")
            .WithSummary("DORA figures per service and environment over the last ?days= (default 30, at most 366): deployments and per day, median lead time (from committedAt), change failure rate, median time to restore");
        api.MapGet("/readiness", Readiness).WithName("Readiness").WithSummary("Per service and environment: the latest release and its latest verdict");
        api.MapGet("/policies", ListPolicies).WithName("ListPolicies").WithSummary("The gate policies loaded, and older versions verdicts used");

        return app;
    }

    public static async Task<IResult> Evaluate(HttpContext context, Guid id, ReleaseGateDbContext db, GatePolicies policies,
        Outbox<ReleaseGateDbContext> outbox, TimeProvider clock)
    {
        var key = context.Request.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length > 200 || key.Any(char.IsControl))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [IdempotencyKeyHeader] = ["the key is at most 200 printable characters."] });
        }
        var idempotencyKey = key.Length == 0 ? null : key;
        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, context.RequestAborted);
        if (release is null)
        {
            return EvidenceApi.UnknownRelease(id);
        }
        if (idempotencyKey is not null
            && await db.Evaluations.AsNoTracking().FirstOrDefaultAsync(e => e.ReleaseId == id && e.IdempotencyKey == idempotencyKey, context.RequestAborted) is { } earlier)
        {
            return TypedResults.Ok(EvaluationView.From(earlier, release));
        }
        if (policies.For(release.Service, release.Environment) is not { } policy)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No gate policy applies",
                detail: $"No policy loaded from ReleaseGate:PoliciesPath covers {release.Service} in {release.Environment}, and there is no default (scope */*).");
        }

        var now = EvidenceCodec.Microseconds(clock.GetUtcNow());
        var records = await db.Evidence.AsNoTracking().Where(e => e.ReleaseId == id && e.SubmittedAt <= now).ToListAsync(context.RequestAborted);
        // What Governance had open in the release's targets, now: evidence of this verdict, stored with it.
        var findings = await GovernanceFeed.FindingsSnapshots.TakeAsync(db, release, now, context.AuthenticatedSource() ?? "unknown", context.RequestAborted);
        records.AddRange(findings);
        var snapshot = new EvidenceSnapshot([.. records.Select(EvidenceCodec.ToItem)]);
        var verdict = GateEvaluator.Evaluate(policy.Snapshot, snapshot, ReleaseClaim.From(release, release.Targets), now);

        var evaluation = new Data.Evaluation
        {
            Id = Guid.CreateVersion7(now),
            ReleaseId = id,
            IdempotencyKey = idempotencyKey,
            RequestedBy = context.AuthenticatedSource() ?? "unknown",
            EvaluatedAt = now,
            EvaluatorVersion = verdict.EvaluatorVersion,
            PolicyId = verdict.PolicyId,
            PolicyVersion = verdict.PolicyVersion,
            PolicyHash = verdict.PolicyHash,
            EvidenceIds = [.. records.Select(r => r.Id).Order()],
            RawOutcome = verdict.RawOutcome.ToString(),
            Decision = verdict.Decision.ToString(),
            GitHub = VerdictJson.GitHub(verdict.GitHub),
            CheckConclusion = verdict.CheckConclusion,
            Summary = verdict.Summary,
            Digest = verdict.Digest,
            CanonicalJson = verdict.CanonicalJson,
            Results = VerdictJson.Results(verdict),
        };
        await GatePolicies.KeepAsync(db, policy, now, context.RequestAborted);
        db.Evidence.AddRange(findings);
        db.Evaluations.Add(evaluation);
        outbox.Add(new ReleaseVerdictIssued
        {
            EvaluationId = evaluation.Id,
            ReleaseId = release.Id,
            Service = release.Service,
            Environment = release.Environment,
            Version = release.Version,
            Commit = release.Commit,
            Decision = evaluation.Decision,
            RawOutcome = evaluation.RawOutcome,
            GitHub = evaluation.GitHub,
            PolicyId = evaluation.PolicyId,
            PolicyVersion = evaluation.PolicyVersion,
            PolicyHash = evaluation.PolicyHash,
            Digest = evaluation.Digest,
            EvaluatedAt = evaluation.EvaluatedAt,
            Summary = evaluation.Summary,
        });
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } && idempotencyKey is not null)
        {
            // The same key raced in: the verdict stored first is the answer to both.
            db.ChangeTracker.Clear();
            var stored = await db.Evaluations.AsNoTracking().FirstAsync(e => e.ReleaseId == id && e.IdempotencyKey == idempotencyKey, context.RequestAborted);
            return TypedResults.Ok(EvaluationView.From(stored, release));
        }
        return TypedResults.Created($"/api/releases/evaluations/{evaluation.Id}", EvaluationView.From(evaluation, release));
    }

    public static async Task<Results<Ok<List<EvaluationView>>, ProblemHttpResult, ValidationProblem>> History(
        Guid id, ReleaseGateDbContext db, int? limit, CancellationToken cancellationToken)
    {
        var size = limit ?? 50;
        if (size is < 1 or > 500)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 500."] });
        }
        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (release is null)
        {
            return EvidenceApi.UnknownRelease(id);
        }
        var evaluations = await db.Evaluations.AsNoTracking().Where(e => e.ReleaseId == id)
            .OrderByDescending(e => e.EvaluatedAt).ThenByDescending(e => e.Id).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(evaluations.Select(e => EvaluationView.From(e, release)).ToList());
    }

    public static async Task<Results<Ok<EvaluationView>, ProblemHttpResult>> GetEvaluation(Guid evaluationId, ReleaseGateDbContext db, CancellationToken cancellationToken)
    {
        var evaluation = await db.Evaluations.AsNoTracking().FirstOrDefaultAsync(e => e.Id == evaluationId, cancellationToken);
        if (evaluation is null)
        {
            return UnknownEvaluation(evaluationId);
        }
        var release = await db.Releases.AsNoTracking().SingleAsync(r => r.Id == evaluation.ReleaseId, cancellationToken);
        return TypedResults.Ok(EvaluationView.From(evaluation, release));
    }

    public static async Task<Results<Ok<ReplayView>, ProblemHttpResult>> Replay(Guid evaluationId, ReleaseGateDbContext db, CancellationToken cancellationToken)
    {
        var evaluation = await db.Evaluations.AsNoTracking().FirstOrDefaultAsync(e => e.Id == evaluationId, cancellationToken);
        if (evaluation is null)
        {
            return UnknownEvaluation(evaluationId);
        }
        var release = await db.Releases.AsNoTracking().SingleAsync(r => r.Id == evaluation.ReleaseId, cancellationToken);
        var policyText = await db.PolicyVersions.AsNoTracking().Where(p => p.Hash == evaluation.PolicyHash).Select(p => p.Text).SingleAsync(cancellationToken);
        var policy = GatePolicyParser.Parse(policyText).Snapshot
            ?? throw new InvalidOperationException($"The stored policy {evaluation.PolicyHash} no longer parses.");
        var records = await db.Evidence.AsNoTracking().Where(e => evaluation.EvidenceIds.Contains(e.Id)).ToListAsync(cancellationToken);
        if (records.Count != evaluation.EvidenceIds.Count)
        {
            throw new InvalidOperationException($"Evaluation {evaluationId} names {evaluation.EvidenceIds.Count} evidence items; {records.Count} are stored.");
        }
        var replayed = GateEvaluator.Evaluate(policy, new EvidenceSnapshot([.. records.Select(EvidenceCodec.ToItem)]), ReleaseClaim.From(release, release.Targets), evaluation.EvaluatedAt);
        var matches = replayed.Digest == evaluation.Digest && replayed.CanonicalJson == evaluation.CanonicalJson;
        return TypedResults.Ok(new ReplayView(evaluation.Id, evaluation.Digest, replayed.Digest, matches, policy.Hash == evaluation.PolicyHash,
            evaluation.EvaluatorVersion, replayed.EvaluatorVersion, evaluation.Decision, replayed.Decision.ToString()));
    }

    public static async Task<Ok<List<ReadinessView>>> Readiness(ReleaseGateDbContext db, CancellationToken cancellationToken)
    {
        var (latest, newest) = await LatestWithVerdictsAsync(db, db.Releases.AsNoTracking(), cancellationToken);
        return TypedResults.Ok(latest.Select(r => new ReadinessView(r.Service, r.Environment, ReleaseView.From(r),
            newest.TryGetValue(r.Id, out var e) ? EvaluationSummary.From(e) : null)).ToList());
    }

    /// <summary>
    /// The newest of <paramref name="releases"/> per service × environment (ordered by service, then environment), and
    /// each one's newest verdict, both picked in the database (a window over the (service, environment, registered_at)
    /// and (release_id, evaluated_at) indexes), whatever the history's length. Readiness and the portal's board share it.
    /// </summary>
    internal static async Task<(List<Release> Latest, Dictionary<Guid, Data.Evaluation> Verdicts)> LatestWithVerdictsAsync(
        ReleaseGateDbContext db, IQueryable<Release> releases, CancellationToken cancellationToken)
    {
        var latest = (await releases
            .GroupBy(r => new { r.Service, r.Environment })
            .Select(g => g.OrderByDescending(r => r.RegisteredAt).ThenByDescending(r => r.Id).First())
            .ToListAsync(cancellationToken))
            .OrderBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Environment, StringComparer.Ordinal)
            .ToList();
        var ids = latest.Select(r => r.Id).ToList();
        var verdicts = (await db.Evaluations.AsNoTracking().Where(e => ids.Contains(e.ReleaseId))
            .GroupBy(e => e.ReleaseId)
            .Select(g => g.OrderByDescending(e => e.EvaluatedAt).ThenByDescending(e => e.Id).First())
            .ToListAsync(cancellationToken))
            .ToDictionary(e => e.ReleaseId);
        return (latest, verdicts);
    }

    public static async Task<Results<Ok<ReleaseDetailView>, ProblemHttpResult>> Detail(Guid id, ReleaseGateDbContext db, CancellationToken cancellationToken)
    {
        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (release is null)
        {
            return EvidenceApi.UnknownRelease(id);
        }
        var verdicts = await db.Evaluations.AsNoTracking().Where(e => e.ReleaseId == id)
            .OrderByDescending(e => e.EvaluatedAt).ThenByDescending(e => e.Id).Take(20).ToListAsync(cancellationToken);
        var evidence = await db.Evidence.AsNoTracking().Where(e => e.ReleaseId == id).OrderBy(e => e.SubmittedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        var findings = release.Targets.Count == 0
            ? []
            : await db.GovernanceFindings.AsNoTracking().Where(f => f.Open && f.Scope != null && release.Targets.Contains(f.Scope))
                .OrderBy(f => f.Scope).ThenBy(f => f.Type).ThenBy(f => f.Subject)
                .Select(f => new OpenFindingView(f.FindingId, f.Kind, f.Type, f.Subject, f.Scope!, f.Severity, f.ChangedAt))
                .ToListAsync(cancellationToken);
        return TypedResults.Ok(new ReleaseDetailView(ReleaseView.From(release),
            verdicts.Count == 0 ? null : EvaluationView.From(verdicts[0], release),
            [.. verdicts.Select(EvaluationSummary.From)], [.. evidence.Select(EvidenceView.From)], findings));
    }

    public static async Task<Results<Ok<List<DoraView>>, ValidationProblem>> DoraFigures(ReleaseGateDbContext db, TimeProvider clock, int? days,
        string? service, CancellationToken cancellationToken)
    {
        if (days is < 1 or > 366)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["days"] = ["days is 1 to 366 (default 30)."] });
        }
        var to = clock.GetUtcNow();
        var from = to.AddDays(-(days ?? 30));
        // A failure in the window may be restored after it, and is compared with the releases that follow.
        var releases = await db.Releases.AsNoTracking().Where(r => r.RegisteredAt >= from && (service == null || r.Service == service))
            .ToListAsync(cancellationToken);
        var ids = releases.Select(r => r.Id).ToList();
        var states = (await db.Evaluations.AsNoTracking().Where(e => ids.Contains(e.ReleaseId))
                .Select(e => new { e.ReleaseId, e.EvaluatedAt, e.Id, e.GitHub }).ToListAsync(cancellationToken))
            .GroupBy(e => e.ReleaseId)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(e => e.EvaluatedAt).ThenByDescending(e => e.Id).First().GitHub);
        return TypedResults.Ok(Dora.Compute(releases, states, from, to));
    }

    public static async Task<Ok<List<PolicyView>>> ListPolicies(GatePolicies policies, ReleaseGateDbContext db, CancellationToken cancellationToken)
    {
        var loaded = policies.Policies.Select(p => new PolicyView(p.Snapshot.Policy.Id, p.Snapshot.Policy.Version, p.Snapshot.Policy.Service,
            p.Snapshot.Policy.Environment, p.Snapshot.Hash, p.Source, p.Snapshot.Policy.Rules.Count, Active: true, p.Text)).ToList();
        var hashes = loaded.Select(p => p.Hash).ToList();
        var older = await db.PolicyVersions.AsNoTracking().Where(p => !hashes.Contains(p.Hash)).OrderBy(p => p.PolicyId).ThenByDescending(p => p.Version).ToListAsync(cancellationToken);
        loaded.AddRange(older.Select(p => GatePolicyParser.Parse(p.Text).Snapshot is { } s
            ? new PolicyView(p.PolicyId, p.Version, s.Policy.Service, s.Policy.Environment, p.Hash, p.Source, s.Policy.Rules.Count, Active: false, p.Text)
            : new PolicyView(p.PolicyId, p.Version, "?", "?", p.Hash, p.Source, 0, Active: false, p.Text)));
        return TypedResults.Ok(loaded);
    }

    private static ProblemHttpResult UnknownEvaluation(Guid id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "No such evaluation", detail: $"There is no evaluation {id}; GET /api/releases/{{id}}/evaluations lists a release's verdicts.");
}

public sealed record PolicyRef(string Id, int Version, string Hash);

public sealed record GitHubView(string State, string Conclusion);

/// <summary>A finding Governance has open now in one of a release's targets.</summary>
public sealed record OpenFindingView(Guid FindingId, string Kind, string Type, string Subject, string Scope, string Severity, DateTimeOffset Since);

/// <summary>What the portal's release page shows, in one call: <see cref="Verdicts"/> newest first (at most 20).</summary>
public sealed record ReleaseDetailView(ReleaseView Release, EvaluationView? LatestVerdict, IReadOnlyList<EvaluationSummary> Verdicts,
    IReadOnlyList<EvidenceView> Evidence, IReadOnlyList<OpenFindingView> OpenFindings);

/// <summary>A stored verdict as the API shows it: what it decided and why, rule by rule, and what pins it.</summary>
public sealed record EvaluationView(Guid Id, Guid ReleaseId, string Service, string Environment, string Version, string Commit,
    DateTimeOffset EvaluatedAt, string RequestedBy, string? IdempotencyKey, PolicyRef Policy, string EvaluatorVersion,
    string RawOutcome, string Decision, GitHubView GitHub, string Summary, string Digest, IReadOnlyList<Guid> EvidenceIds,
    JsonElement Rules, JsonElement Waivers)
{
    public static EvaluationView From(Data.Evaluation e, Release r)
    {
        using var results = JsonDocument.Parse(e.Results);
        return new(e.Id, e.ReleaseId, r.Service, r.Environment, r.Version, r.Commit, e.EvaluatedAt, e.RequestedBy, e.IdempotencyKey,
            new PolicyRef(e.PolicyId, e.PolicyVersion, e.PolicyHash), e.EvaluatorVersion, e.RawOutcome, e.Decision,
            new GitHubView(e.GitHub, e.CheckConclusion), e.Summary, e.Digest, e.EvidenceIds,
            results.RootElement.GetProperty("rules").Clone(), results.RootElement.GetProperty("waivers").Clone());
    }
}

public sealed record EvaluationSummary(Guid Id, DateTimeOffset EvaluatedAt, string Decision, string RawOutcome, GitHubView GitHub, string Summary, string Digest)
{
    public static EvaluationSummary From(Data.Evaluation e) =>
        new(e.Id, e.EvaluatedAt, e.Decision, e.RawOutcome, new GitHubView(e.GitHub, e.CheckConclusion), e.Summary, e.Digest);
}

/// <param name="Matches">Whether the replay's digest and canonical JSON equal the stored ones byte for byte.</param>
public sealed record ReplayView(Guid EvaluationId, string StoredDigest, string ReplayedDigest, bool Matches, bool PolicyHashMatches,
    string StoredEvaluatorVersion, string CurrentEvaluatorVersion, string StoredDecision, string ReplayedDecision);

public sealed record ReadinessView(string Service, string Environment, ReleaseView Release, EvaluationSummary? LatestVerdict);

/// <param name="Active">Loaded from the policies folder now; an inactive one is an older version a stored verdict used.</param>
public sealed record PolicyView(string Id, int Version, string Service, string Environment, string Hash, string Source, int Rules, bool Active, string Text);
