using System.Text.Json;
using ControlTower.ReleaseGate.Data;
using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Verdicts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ControlTower.ReleaseGate.Apis;

/// <summary>
/// Evidence a pipeline posts for a registered release: smoke reports, deployment truth, approvals, waivers and
/// metric samples. Each post is validated whole before anything is stored, and posting the same thing again
/// returns what was stored the first time.
/// </summary>
public static class EvidenceApi
{
    /// <summary>Most observations or samples one post may carry.</summary>
    public const int MaxItemsPerPost = 500;

    public static IEndpointRouteBuilder MapEvidenceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/releases/{id:guid}").WithTags("Evidence");

        api.MapPost("/smoke", PostSmoke)
            .WithName("PostSmokeReport")
            .WithSummary("Post a smoke report: JUnit XML, CTRF JSON or TAP, as the body or a multipart file (idempotent by content)")
            .Produces<EvidenceView>(StatusCodes.Status201Created)
            .Produces<EvidenceView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapPost("/truth/gather", GatherTruth).WithName("GatherTruth")
            .WithSummary("Ask every replica the ReleaseGate:Truth:Sources configuration names for this release's service and environment what it runs, and keep the answers (or why a replica could not be asked) as truth observations");
        api.MapPost("/truth", PostTruth).WithName("PostTruthObservations")
            .WithSummary("Post what replicas report running (idempotent per observation)")
            .Accepts<TruthRequest>("application/json").Produces<List<EvidenceView>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/approvals", PostApproval).WithName("PostApproval")
            .WithSummary("Post a person's approval or rejection of the release's commit (each post is a new word; the newest counts)")
            .Accepts<ApprovalRequest>("application/json").Produces<EvidenceView>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/waivers", PostWaiver).WithName("PostWaiver")
            .WithSummary("Post a waiver for a rule id or kind, with reason, requester, approver (not the requester) and expiry (idempotent by content)")
            .Accepts<WaiverRequest>("application/json").Produces<EvidenceView>(StatusCodes.Status201Created).Produces<EvidenceView>()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/metrics", PostMetrics).WithName("PostMetricSamples")
            .WithSummary("Post metric samples (idempotent per sample)")
            .Accepts<MetricsRequest>("application/json").Produces<List<EvidenceView>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/evidence", ListEvidence).WithName("ListEvidence").WithSummary("The evidence posted for a release, oldest first");

        return app;
    }

    public static async Task<IResult> PostSmoke(HttpContext context, Guid id, ReleaseGateDbContext db, TimeProvider clock,
        string? format, string? commit, string? version, string? suite)
    {
        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, context.RequestAborted);
        if (release is null)
        {
            return UnknownRelease(id);
        }
        var limits = SmokeLimits.Default;
        var request = context.Request;
        var errors = new Dictionary<string, string[]>();
        if (commit is not null && !ReleasesApi.IsCommit(commit))
        {
            errors["commit"] = ["commit is a git commit id of 7 to 64 hexadecimal characters."];
        }
        if (version is { Length: 0 or > 128 })
        {
            errors["version"] = ["version is at most 128 characters."];
        }
        if (suite is { Length: 0 or > 256 })
        {
            errors["suite"] = ["suite (the name of a TAP stream's suite) is at most 256 characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        byte[]? bytes;
        string? contentType;
        string? fileName = null;
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException ex)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [$"the multipart body does not read: {ex.Message}"] });
            }
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["send the report as a multipart file named 'file'."] });
            }
            if (file.Length > limits.MaxBytes)
            {
                return TooLarge(limits.MaxBytes);
            }
            await using var stream = file.OpenReadStream();
            bytes = await stream.ReadAtMostAsync(limits.MaxBytes, context.RequestAborted);
            contentType = file.ContentType;
            fileName = file.FileName;
            format ??= form["format"].FirstOrDefault();
        }
        else
        {
            if (request.ContentLength > limits.MaxBytes)
            {
                return TooLarge(limits.MaxBytes);
            }
            bytes = await request.Body.ReadAtMostAsync(limits.MaxBytes, context.RequestAborted);
            contentType = request.ContentType;
        }
        if (bytes is null)
        {
            return TooLarge(limits.MaxBytes);
        }

        var smokeFormat = format is not null ? SmokeReportParser.FormatNamed(format) : FormatOf(contentType, fileName);
        if (smokeFormat is null)
        {
            return format is not null
                ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"'{format}' is not a smoke format: junit, ctrf or tap."] })
                : TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
                    detail: $"Content-Type '{contentType ?? "(none)"}' names no smoke format: send application/xml (JUnit), application/json (CTRF) " +
                            "or text/x-tap (TAP), a multipart file with one of those types or extensions, or ?format=junit|ctrf|tap.");
        }

        var parsed = SmokeReportParser.Parse(smokeFormat.Value, bytes, limits, suite);
        if (parsed.Run is not { } run)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["report"] = [parsed.Error!.ToString()] },
                title: "The smoke report does not parse");
        }

        var now = EvidenceCodec.Microseconds(clock.GetUtcNow());
        var recordId = Guid.CreateVersion7(now);
        var item = new SmokeRunEvidence
        {
            Id = recordId.ToString(),
            Service = release.Service,
            Environment = release.Environment,
            CollectedAt = now,
            // What the caller says wins, then what the report says, then what the release claims.
            Commit = (commit ?? run.ReportedCommit ?? release.Commit).ToLowerInvariant(),
            Version = version ?? run.ReportedVersion ?? release.Version,
            Run = run,
        };
        var record = new EvidenceRecord
        {
            Id = recordId,
            ReleaseId = release.Id,
            Kind = item.Kind,
            ContentKey = run.OriginalSha256,
            Digest = item.Digest,
            Canonical = CanonicalJson.ToText(item.Canonical()),
            Original = bytes,
            SmokeFormat = smokeFormat.Value.ToString(),
            TapSuite = smokeFormat == SmokeFormat.Tap ? suite : null,
            CollectedAt = now,
            SubmittedBy = context.AuthenticatedSource() ?? "unknown",
            SubmittedAt = now,
        };
        var (stored, created) = await StoreAsync(db, release.Id, [record], context.RequestAborted);
        return created
            ? TypedResults.Created($"/api/releases/{release.Id}/evidence", EvidenceView.From(stored[0]))
            : TypedResults.Ok(EvidenceView.From(stored[0]));
    }

    public static async Task<IResult> PostTruth(HttpContext context, Guid id, ReleaseGateDbContext db, TimeProvider clock)
    {
        var (posted, problem) = await BeginAsync<TruthRequest>(context, id, db);
        if (posted is null)
        {
            return problem!;
        }
        var (request, release) = posted;
        var errors = new Dictionary<string, string[]>();
        var observations = request!.Observations ?? [];
        if (observations.Count is 0 or > MaxItemsPerPost)
        {
            errors["observations"] = [$"send 1 to {MaxItemsPerPost} observations."];
        }
        for (var i = 0; i < observations.Count && errors.Count < 20; i++)
        {
            var o = observations[i];
            var at = $"observations[{i}]";
            if (o is null)
            {
                errors[at] = ["an observation is an object."];
                continue;
            }
            Check(errors, $"{at}.replica", Text(o.Replica, 256), "replica is required, at most 256 printable characters.");
            Check(errors, $"{at}.observedAt", o.ObservedAt is not null, "observedAt is required: when the replica was asked.");
            Check(errors, $"{at}.version", o.Version is null || Text(o.Version, 128), "version is at most 128 printable characters.");
            Check(errors, $"{at}.commit", o.Commit is null || ReleasesApi.IsCommit(o.Commit), "commit is a git commit id of 7 to 64 hexadecimal characters.");
            Check(errors, $"{at}.imageDigest", o.ImageDigest is null || ReleasesApi.IsDigest(o.ImageDigest), "imageDigest is 'sha256:' followed by 64 hexadecimal characters.");
            Check(errors, $"{at}.error", o.Error is null || Text(o.Error, 1024), "error is at most 1024 printable characters.");
            Check(errors, at, o.Error is not null || o.Version is not null || o.Commit is not null || o.ImageDigest is not null,
                "an observation says what the replica runs (version, commit, imageDigest) or why it could not be asked (error).");
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = EvidenceCodec.Microseconds(clock.GetUtcNow());
        var records = observations.Select(o => Record(context, release, now, new TruthObservation
        {
            Id = "",
            Service = release.Service,
            Environment = release.Environment,
            CollectedAt = EvidenceCodec.Microseconds(o!.ObservedAt!.Value),
            Replica = o.Replica!,
            Version = o.Version,
            Commit = o.Commit?.ToLowerInvariant(),
            ImageDigest = o.ImageDigest?.ToLowerInvariant(),
            Error = o.Error,
        }, withTime: true)).ToList();
        var (stored, _) = await StoreAsync(db, release.Id, records, context.RequestAborted);
        return TypedResults.Ok(stored.Select(EvidenceView.From).ToList());
    }

    public static async Task<IResult> GatherTruth(HttpContext context, Guid id, ReleaseGateDbContext db, TimeProvider clock,
        Microsoft.Extensions.Options.IOptions<DeploymentTruth.TruthSourceOptions> options, DeploymentTruth.TruthGatherer gatherer)
    {
        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, context.RequestAborted);
        if (release is null)
        {
            return UnknownRelease(id);
        }
        if (options.Value.For(release.Service, release.Environment) is not { Replicas.Count: > 0 } source)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No truth source",
                detail: $"ReleaseGate:Truth:Sources names no replicas for {release.Service} in {release.Environment}; post what the pipeline observed to /truth instead.");
        }
        var now = EvidenceCodec.Microseconds(clock.GetUtcNow());
        var observations = await gatherer.GatherAsync(source, release.Service, release.Environment, now, context.RequestAborted);
        var records = observations.Select(o => Record(context, release, now, o, withTime: true)).ToList();
        var (stored, _) = await StoreAsync(db, release.Id, records, context.RequestAborted);
        return TypedResults.Ok(stored.Select(EvidenceView.From).ToList());
    }

    public static async Task<IResult> PostApproval(HttpContext context, Guid id, ReleaseGateDbContext db, TimeProvider clock)
    {
        var (posted, problem) = await BeginAsync<ApprovalRequest>(context, id, db);
        if (posted is null)
        {
            return problem!;
        }
        var (request, release) = posted;
        var errors = new Dictionary<string, string[]>();
        Check(errors, "approver", Text(request!.Approver, 128), "approver is required: who approves, at most 128 printable characters.");
        Check(errors, "approved", request.Approved is not null, "approved is required: true to approve, false to reject.");
        Check(errors, "comment", request.Comment is null || Text(request.Comment, 2048), "comment is at most 2048 printable characters.");
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var now = EvidenceCodec.Microseconds(clock.GetUtcNow());
        var record = Record(context, release, now, new ApprovalEvidence
        {
            Id = "",
            Service = release.Service,
            Environment = release.Environment,
            CollectedAt = now,
            Approver = request.Approver!,
            Commit = release.Commit,
            Approved = request.Approved!.Value,
            Comment = request.Comment,
        }, withTime: true);
        var (stored, _) = await StoreAsync(db, release.Id, [record], context.RequestAborted);
        return TypedResults.Created($"/api/releases/{release.Id}/evidence", EvidenceView.From(stored[0]));
    }

    public static async Task<IResult> PostWaiver(HttpContext context, Guid id, ReleaseGateDbContext db, TimeProvider clock)
    {
        var (posted, problem) = await BeginAsync<WaiverRequest>(context, id, db);
        if (posted is null)
        {
            return problem!;
        }
        var (request, release) = posted;
        var now = EvidenceCodec.Microseconds(clock.GetUtcNow());
        var errors = new Dictionary<string, string[]>();
        Check(errors, "ruleId", (request!.RuleId is null) != (request.RuleKind is null), "name exactly one of ruleId and ruleKind.");
        Check(errors, "ruleId", request.RuleId is null || Text(request.RuleId, 128), "ruleId is at most 128 printable characters.");
        Check(errors, "ruleKind", request.RuleKind is null || Text(request.RuleKind, 64), "ruleKind is at most 64 printable characters.");
        Check(errors, "reason", Text(request.Reason, 2048), "reason is required, at most 2048 printable characters.");
        Check(errors, "requestedBy", Text(request.RequestedBy, 128), "requestedBy is required: who asks for the waiver.");
        Check(errors, "approvedBy", Text(request.ApprovedBy, 128), "approvedBy is required: who grants it.");
        // A person grants a waiver in their own name: the gateway says who they are, so they cannot name someone else.
        var person = context.CallerKind() == "user" ? context.AuthenticatedSource() : null;
        Check(errors, "approvedBy", person is null || request.ApprovedBy is null || string.Equals(request.ApprovedBy, person, StringComparison.OrdinalIgnoreCase),
            $"approvedBy must be you ({person}): a person grants a waiver in their own name.");
        // The evaluator would list such a waiver as not applying; refusing it here tells the pipeline at once.
        Check(errors, "approvedBy", request.ApprovedBy is null || !string.Equals(request.ApprovedBy, request.RequestedBy, StringComparison.OrdinalIgnoreCase),
            "the approver must not be the requester.");
        Check(errors, "expiresAt", request.ExpiresAt is { } e && e > now, "expiresAt is required and in the future.");
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var record = Record(context, release, now, new Waiver
        {
            Id = "",
            Service = release.Service,
            Environment = release.Environment,
            CollectedAt = now,
            RuleId = request.RuleId,
            RuleKind = request.RuleKind,
            Reason = request.Reason!,
            RequestedBy = request.RequestedBy!,
            ApprovedBy = request.ApprovedBy!,
            ExpiresAt = EvidenceCodec.Microseconds(request.ExpiresAt!.Value),
        }, withTime: false);
        var (stored, created) = await StoreAsync(db, release.Id, [record], context.RequestAborted);
        return created
            ? TypedResults.Created($"/api/releases/{release.Id}/evidence", EvidenceView.From(stored[0]))
            : TypedResults.Ok(EvidenceView.From(stored[0]));
    }

    public static async Task<IResult> PostMetrics(HttpContext context, Guid id, ReleaseGateDbContext db, TimeProvider clock)
    {
        var (posted, problem) = await BeginAsync<MetricsRequest>(context, id, db);
        if (posted is null)
        {
            return problem!;
        }
        var (request, release) = posted;
        var errors = new Dictionary<string, string[]>();
        var samples = request!.Samples ?? [];
        if (samples.Count is 0 or > MaxItemsPerPost)
        {
            errors["samples"] = [$"send 1 to {MaxItemsPerPost} samples."];
        }
        for (var i = 0; i < samples.Count && errors.Count < 20; i++)
        {
            var s = samples[i];
            if (s is null)
            {
                errors[$"samples[{i}]"] = ["a sample is an object."];
                continue;
            }
            Check(errors, $"samples[{i}].metric", Text(s.Metric, 256), "metric is required, at most 256 printable characters.");
            Check(errors, $"samples[{i}].observedAt", s.ObservedAt is not null, "observedAt is required: when the value was measured.");
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var now = EvidenceCodec.Microseconds(clock.GetUtcNow());
        var records = samples.Select(s => Record(context, release, now, new MetricSample
        {
            Id = "",
            Service = release.Service,
            Environment = release.Environment,
            CollectedAt = EvidenceCodec.Microseconds(s!.ObservedAt!.Value),
            Metric = s.Metric!,
            Value = s.Value,
        }, withTime: true)).ToList();
        var (stored, _) = await StoreAsync(db, release.Id, records, context.RequestAborted);
        return TypedResults.Ok(stored.Select(EvidenceView.From).ToList());
    }

    public static async Task<Results<Ok<List<EvidenceView>>, ProblemHttpResult>> ListEvidence(Guid id, ReleaseGateDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Releases.AnyAsync(r => r.Id == id, cancellationToken))
        {
            return UnknownRelease(id);
        }
        var records = await db.Evidence.AsNoTracking().Where(e => e.ReleaseId == id).OrderBy(e => e.SubmittedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(records.Select(EvidenceView.From).ToList());
    }

    /// <summary>A JSON evidence post's body and the release it is for, or the problem that stops it (bad body first, then an unknown release).</summary>
    private static async Task<(Posted<T>? Posted, IResult? Problem)> BeginAsync<T>(HttpContext context, Guid id, ReleaseGateDbContext db) where T : class
    {
        var (request, problem) = await JsonBody.ReadAsync<T>(context.Request);
        if (problem is not null)
        {
            return (null, problem);
        }
        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, context.RequestAborted);
        return release is null ? (null, UnknownRelease(id)) : (new Posted<T>(request!, release), null);
    }

    private sealed record Posted<T>(T Request, Release Release);

    internal static ProblemHttpResult UnknownRelease(Guid id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "No such release", detail: $"There is no release {id}; register it with POST /api/releases first.");

    private static ProblemHttpResult TooLarge(int limit) => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Payload too large", detail: $"A smoke report is at most {limit} bytes.");

    internal static SmokeFormat? FormatOf(string? contentType, string? fileName)
    {
        var media = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        var byType = media switch
        {
            "application/xml" or "text/xml" or "application/junit+xml" => SmokeFormat.JUnit,
            "application/json" or "application/ctrf+json" => SmokeFormat.Ctrf,
            "text/x-tap" or "text/tap" or "application/tap" => SmokeFormat.Tap,
            _ => (SmokeFormat?)null,
        };
        return byType ?? Path.GetExtension(fileName ?? "").ToLowerInvariant() switch
        {
            ".xml" => SmokeFormat.JUnit,
            ".json" => SmokeFormat.Ctrf,
            ".tap" => SmokeFormat.Tap,
            _ => null,
        };
    }

    private static EvidenceRecord Record(HttpContext context, Release release, DateTimeOffset now, EvidenceItem draft, bool withTime)
    {
        var recordId = Guid.CreateVersion7(now);
        var item = draft with { Id = recordId.ToString() };
        return new EvidenceRecord
        {
            Id = recordId,
            ReleaseId = release.Id,
            Kind = item.Kind,
            ContentKey = EvidenceCodec.ContentKey(item, withTime),
            Digest = item.Digest,
            Canonical = CanonicalJson.ToText(item.Canonical()),
            CollectedAt = item.CollectedAt,
            SubmittedBy = context.AuthenticatedSource() ?? "unknown",
            SubmittedAt = now,
        };
    }

    /// <summary>
    /// Stores the records not stored before (by content key) in one transaction, and returns each one as stored;
    /// a concurrent post of the same content makes the unique index refuse ours, and then theirs is returned.
    /// </summary>
    private static async Task<(List<EvidenceRecord> Stored, bool Created)> StoreAsync(
        ReleaseGateDbContext db, Guid releaseId, List<EvidenceRecord> records, CancellationToken cancellationToken)
    {
        // Within one post, the same content twice is one item.
        records = records.DistinctBy(r => (r.Kind, r.ContentKey)).ToList();
        var keys = records.Select(r => r.ContentKey).ToList();
        var existing = await db.Evidence.AsNoTracking().Where(e => e.ReleaseId == releaseId && keys.Contains(e.ContentKey)).ToListAsync(cancellationToken);
        var fresh = records.Where(r => !existing.Any(e => e.Kind == r.Kind && e.ContentKey == r.ContentKey)).ToList();
        if (fresh.Count > 0)
        {
            db.Evidence.AddRange(fresh);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                db.ChangeTracker.Clear();
                existing = await db.Evidence.AsNoTracking().Where(e => e.ReleaseId == releaseId && keys.Contains(e.ContentKey)).ToListAsync(cancellationToken);
                fresh = [];
            }
        }
        var all = existing.Concat(fresh).ToList();
        return ([.. records.Select(r => all.First(e => e.Kind == r.Kind && e.ContentKey == r.ContentKey))], fresh.Count > 0);
    }

    private static void Check(Dictionary<string, string[]> errors, string field, bool ok, string message)
    {
        if (!ok && !errors.ContainsKey(field))
        {
            errors[field] = [message];
        }
    }

    private static bool Text(string? value, int max) => value is { Length: > 0 } v && v.Length <= max && !v.Any(char.IsControl);
}

public sealed record TruthRequest(List<TruthObservationRequest?>? Observations);

public sealed record TruthObservationRequest(string? Replica, string? Version, string? Commit, string? ImageDigest, string? Error, DateTimeOffset? ObservedAt);

public sealed record ApprovalRequest(string? Approver, bool? Approved, string? Comment);

public sealed record WaiverRequest(string? RuleId, string? RuleKind, string? Reason, string? RequestedBy, string? ApprovedBy, DateTimeOffset? ExpiresAt);

public sealed record MetricsRequest(List<MetricSampleRequest?>? Samples);

public sealed record MetricSampleRequest(string? Metric, decimal? Value, DateTimeOffset? ObservedAt);

/// <param name="Content">The evidence item as the evaluator sees it (its canonical JSON, which <paramref name="Digest"/> hashes).</param>
public sealed record EvidenceView(Guid Id, Guid ReleaseId, string Kind, string Digest, DateTimeOffset CollectedAt, string SubmittedBy,
    DateTimeOffset SubmittedAt, JsonElement Content)
{
    public static EvidenceView From(EvidenceRecord r)
    {
        using var document = JsonDocument.Parse(r.Canonical);
        return new(r.Id, r.ReleaseId, r.Kind, r.Digest, r.CollectedAt, r.SubmittedBy, r.SubmittedAt, document.RootElement.Clone());
    }
}
