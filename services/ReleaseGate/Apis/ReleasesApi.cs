using System.Text.RegularExpressions;
using ControlTower.ReleaseGate.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ControlTower.ReleaseGate.Apis;

public static partial class ReleasesApi
{
    public static IEndpointRouteBuilder MapReleasesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/releases").WithTags("Releases");

        api.MapPost("/", RegisterRelease)
            .WithName("RegisterRelease")
            .WithSummary("Register a release (idempotent on service, environment and version)")
            .Accepts<RegisterReleaseRequest>("application/json")
            .Produces<ReleaseView>(StatusCodes.Status201Created)
            .Produces<ReleaseView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/{id:guid}", GetRelease).WithName("GetRelease").WithSummary("One release");
        api.MapGet("/", ListReleases).WithName("ListReleases").WithSummary("Recent releases, newest first");

        return app;
    }

    public static async Task<IResult> RegisterRelease(HttpContext context, ReleaseGateDbContext db, TimeProvider clock)
    {
        var (request, problem) = await JsonBody.ReadAsync<RegisterReleaseRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }
        var errors = Validate(request!);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var release = new Release
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            Service = request!.Service!,
            Environment = request.Environment!,
            Version = request.Version!,
            Commit = request.Commit!.ToLowerInvariant(),
            ArtifactDigests = request.ArtifactDigests?.Select(d => d.ToLowerInvariant()).Order(StringComparer.Ordinal).ToList() ?? [],
            Targets = request.Targets?.Select(t => t.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() ?? [],
            PipelineRun = request.PipelineRun,
            CommittedAt = request.CommittedAt?.ToUniversalTime(),
            RegisteredBy = context.AuthenticatedSource() ?? "unknown",
            RegisteredAt = clock.GetUtcNow(),
        };

        db.Releases.Add(release);
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
            return TypedResults.Created($"/api/releases/{release.Id}", ReleaseView.From(release));
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            var existing = await db.Releases.AsNoTracking().SingleAsync(
                r => r.Service == release.Service && r.Environment == release.Environment && r.Version == release.Version,
                context.RequestAborted);
            return existing.Commit == release.Commit && existing.ArtifactDigests.SequenceEqual(release.ArtifactDigests)
                && existing.Targets.SequenceEqual(release.Targets)
                ? TypedResults.Ok(ReleaseView.From(existing))
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Release already registered differently",
                    detail: $"{release.Service} {release.Version} in {release.Environment} is already registered with commit {existing.Commit} " +
                            "and other artifacts; a version names one build. Register a new version instead.");
        }
    }

    public static async Task<Results<Ok<ReleaseView>, ProblemHttpResult>> GetRelease(Guid id, ReleaseGateDbContext db, CancellationToken cancellationToken)
    {
        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        return release is null ? EvidenceApi.UnknownRelease(id) : TypedResults.Ok(ReleaseView.From(release));
    }

    public static async Task<Results<Ok<List<ReleaseView>>, ValidationProblem>> ListReleases(
        ReleaseGateDbContext db, string? service, string? environment, int? limit, CancellationToken cancellationToken)
    {
        var size = limit ?? 50;
        if (size is < 1 or > 500)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 500."] });
        }
        var query = db.Releases.AsNoTracking();
        if (service is not null)
        {
            query = query.Where(r => r.Service == service);
        }
        if (environment is not null)
        {
            query = query.Where(r => r.Environment == environment);
        }
        var releases = await query.OrderByDescending(r => r.RegisteredAt).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(releases.Select(ReleaseView.From).ToList());
    }

    internal static Dictionary<string, string[]> Validate(RegisterReleaseRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        void Check(string field, bool ok, string message)
        {
            if (!ok)
            {
                errors[field] = [message];
            }
        }
        Check("service", request.Service is { } s && NamePattern().IsMatch(s), "service is required: letters, digits, '.', '_' or '-', at most 128 characters.");
        Check("environment", request.Environment is { } e && e.Length <= 64 && NamePattern().IsMatch(e), "environment is required: letters, digits, '.', '_' or '-', at most 64 characters.");
        Check("version", request.Version is { Length: > 0 and <= 128 } v && !v.Any(char.IsControl), "version is required, at most 128 printable characters.");
        Check("commit", request.Commit is { } c && CommitPattern().IsMatch(c), "commit is required: a git commit id of 7 to 64 hexadecimal characters.");
        if (request.ArtifactDigests is { } digests)
        {
            var bad = digests.Select((d, i) => (d, i)).FirstOrDefault(x => x.d is null || !DigestPattern().IsMatch(x.d));
            Check("artifactDigests", digests.Count <= 50, "at most 50 artifact digests.");
            if (bad.d is not null || digests.Contains(null!))
            {
                errors[$"artifactDigests[{bad.i}]"] = ["an artifact digest is 'sha256:' followed by 64 hexadecimal characters."];
            }
        }
        Check("pipelineRun", request.PipelineRun is null || request.PipelineRun.Length <= 512, "pipelineRun is at most 512 characters.");
        Check("committedAt", request.CommittedAt is null || request.CommittedAt > new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero),
            "committedAt is when the commit was made (ISO 8601).");
        if (request.Targets is { } targets)
        {
            Check("targets", targets.Count <= 50, "at most 50 targets.");
            var badTarget = targets.Select((t, i) => (t, i)).FirstOrDefault(x => x.t is null || !(TargetPattern().IsMatch(x.t) || Guid.TryParseExact(x.t, "D", out _)));
            if (badTarget.t is not null || targets.Contains(null!))
            {
                errors[$"targets[{badTarget.i}]"] = ["a target is an AWS account id (12 digits) or an Azure subscription id (a GUID)."];
            }
        }
        return errors;
    }

    internal static bool IsCommit(string value) => CommitPattern().IsMatch(value);

    internal static bool IsDigest(string value) => DigestPattern().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9a-fA-F]{7,64}$")]
    private static partial Regex CommitPattern();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex TargetPattern();

    [GeneratedRegex("^sha256:[0-9a-fA-F]{64}$")]
    private static partial Regex DigestPattern();
}

public sealed record RegisterReleaseRequest(
    string? Service, string? Environment, string? Version, string? Commit, List<string>? ArtifactDigests, string? PipelineRun,
    List<string>? Targets = null, DateTimeOffset? CommittedAt = null);

public sealed record ReleaseView(
    Guid Id, string Service, string Environment, string Version, string Commit, IReadOnlyList<string> ArtifactDigests,
    string? PipelineRun, string RegisteredBy, DateTimeOffset RegisteredAt, IReadOnlyList<string> Targets)
{
    public static ReleaseView From(Release r) =>
        new(r.Id, r.Service, r.Environment, r.Version, r.Commit, r.ArtifactDigests, r.PipelineRun, r.RegisteredBy, r.RegisteredAt, r.Targets);
}
