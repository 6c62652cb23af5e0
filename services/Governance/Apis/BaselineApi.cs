using System.Text;
using System.Text.Json;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Data;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Apis;

/// <summary>
/// The landing-zone baseline: the version in place (with its ETag), replacing it with a diff of what changes
/// (or only previewing that), and every version before it.
/// </summary>
public static class BaselineApi
{
    public const long MaxBytes = JsonBody.DefaultMaxBytes;
    private static readonly string[] YamlTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapBaselineApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/governance/baseline").WithTags("Governance");
        api.MapGet("", GetBaseline)
            .WithName("GetBaseline")
            .WithSummary("The landing-zone baseline in place: its version, ETag (the SHA-256 of its text and policy files) and content");
        api.MapPut("", (Delegate)ReplaceBaseline)
            .WithName("ReplaceBaseline")
            .WithSummary("Put a new baseline (YAML) in place, or with ?dryRun=true only see what it would change; If-Match guards against replacing a version you have not seen")
            .Accepts<string>("application/yaml", "text/yaml", "text/plain")
            .Produces<BaselineReplacementView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/history", ListVersions)
            .WithName("ListBaselineVersions")
            .WithSummary("Every version of the baseline, newest first, with who put it in place and how many changes it made; page with ?before=<version>");
        api.MapGet("/history/{version:int}", GetVersion)
            .WithName("GetBaselineVersion")
            .WithSummary("One version of the baseline: its text, the policy files it named and what it changed from the version before");
        return app;
    }

    public static async Task<Results<Ok<BaselineView>, ProblemHttpResult>> GetBaseline(
        HttpContext context, BaselineProvider provider, GovernanceDbContext db, CancellationToken cancellationToken)
    {
        if (await provider.CurrentAsync(db, cancellationToken) is not { } current)
        {
            return DriftApi.NoBaseline();
        }
        context.Response.Headers.ETag = current.ETag;
        return TypedResults.Ok(BaselineView.From(current));
    }

    public static async Task<IResult> ReplaceBaseline(HttpContext context, BaselineHistory history, Outbox<GovernanceDbContext> outbox, bool? dryRun,
        string? reason, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (mediaType is null || !YamlTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
                detail: $"Content-Type '{request.ContentType ?? "(none)"}' is not accepted; send the baseline as application/yaml.");
        }
        var body = request.ContentLength > MaxBytes ? null : await request.Body.ReadAtMostAsync(MaxBytes, cancellationToken);
        if (body is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
                detail: $"The baseline exceeds the limit of {MaxBytes} bytes.");
        }
        string yaml;
        try
        {
            yaml = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["$"] = ["the baseline is not UTF-8 text"] },
                title: "The baseline is not valid");
        }
        var ifMatch = request.Headers.IfMatch.Count > 0 ? request.Headers.IfMatch.ToString().Trim() : null;
        var outcome = await history.ReplaceAsync(yaml, context.AuthenticatedSource() ?? "unknown", reason, ifMatch, dryRun ?? false,
            outbox.Publish, cancellationToken);
        switch (outcome)
        {
            case BaselineOutcome.Invalid invalid:
                return TypedResults.ValidationProblem(
                    invalid.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => $"line {e.Line}: {e.Message}").ToArray()),
                    title: "The baseline is not valid", detail: $"{invalid.Errors.Count} fault(s); nothing changed.");
            case BaselineOutcome.Stale stale:
                return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "The baseline changed",
                    detail: $"If-Match {ifMatch} is not the baseline in place ({stale.Current?.ETag ?? "none"}, version {stale.Current?.Version}); "
                        + "read it again, and replace it if you still mean to.");
            case BaselineOutcome.Done done:
                context.Response.Headers.ETag = done.Version.ETag;
                return TypedResults.Ok(new BaselineReplacementView(done.Applied, dryRun ?? false, done.Version.Version, done.Version.Hash, done.Changes,
                    done.Version.NotEnforced));
            default:
                throw new InvalidOperationException($"Unknown outcome {outcome.GetType().Name}");
        }
    }

    public static async Task<Results<Ok<List<BaselineVersionSummary>>, ValidationProblem>> ListVersions(
        GovernanceDbContext db, int? before, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 200)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit is 1 to 200 (default 50)."] });
        }
        var query = db.BaselineVersions.AsNoTracking();
        if (before is { } version)
        {
            query = query.Where(v => v.Version < version);
        }
        var rows = await query.OrderByDescending(v => v.Version).Take(limit ?? 50)
            .Select(v => new { v.Version, v.Hash, v.Origin, v.Source, v.Reason, v.RecordedAt, v.Changes })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(v => new BaselineVersionSummary(v.Version, v.Hash, v.Origin, v.Source, v.Reason, v.RecordedAt,
            JsonSerializer.Deserialize<List<BaselineChange>>(v.Changes, Json)!.Count)).ToList());
    }

    public static async Task<Results<Ok<BaselineVersionView>, ProblemHttpResult>> GetVersion(
        GovernanceDbContext db, int version, CancellationToken cancellationToken)
    {
        var record = await db.BaselineVersions.AsNoTracking().SingleOrDefaultAsync(v => v.Version == version, cancellationToken);
        return record is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such baseline version",
                detail: $"There is no baseline version {version}; GET /api/governance/baseline/history lists them.")
            : TypedResults.Ok(new BaselineVersionView(record.Version, record.Hash, record.Origin, record.Source, record.Reason, record.RecordedAt,
                record.Yaml, JsonSerializer.Deserialize<Dictionary<string, string>>(record.Files, Json)!,
                JsonSerializer.Deserialize<List<BaselineChange>>(record.Changes, Json)!));
    }
}

/// <summary>The baseline in place. <see cref="Version"/> is 0 while the file read at start is not yet recorded.</summary>
public sealed record BaselineView(int Version, string Hash, string Origin, string Source, DateTimeOffset RecordedAt, LandingZoneBaseline Baseline)
{
    public static BaselineView From(BaselineVersion version) =>
        new(version.Version, version.Hash, version.Origin, version.Source, version.RecordedAt, version.Baseline);
}

/// <summary>
/// What a PUT did: whether a new version is in place (not for a dry run or an identical baseline), which, the
/// changes, and per preventive control the accounts where it would be on but the baseline's SCPs do not deny its
/// actions (a warning: there the control is only watched).
/// </summary>
public sealed record BaselineReplacementView(bool Applied, bool DryRun, int Version, string Hash, IReadOnlyList<BaselineChange> Changes,
    IReadOnlyDictionary<string, IReadOnlyList<string>> NotEnforced);

public sealed record BaselineVersionSummary(int Version, string Hash, string Origin, string Source, string? Reason, DateTimeOffset RecordedAt, int Changes);

public sealed record BaselineVersionView(int Version, string Hash, string Origin, string Source, string? Reason, DateTimeOffset RecordedAt,
    string Yaml, IReadOnlyDictionary<string, string> Files, IReadOnlyList<BaselineChange> Changes);
