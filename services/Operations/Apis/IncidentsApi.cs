using System.Globalization;
using ControlTower.Operations.Audit;
using ControlTower.Operations.Data;
using ControlTower.Operations.Incidents;
using ControlTower.Operations.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Operations.Apis;

public static class IncidentsApi
{
    public const int MaxPageSize = 500;
    public const int MaxSignalsShown = 500;

    public static IEndpointRouteBuilder MapIncidentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/incidents").WithTags("Incidents");
        api.MapGet("/", ListIncidents).WithName("ListIncidents").WithSummary("Incidents, newest first; status=open|resolved|merged; keyset pages");
        api.MapGet("/{id:long}", GetIncident).WithName("GetIncident").WithSummary("One incident with its signals and timeline; the ETag header is what If-Match needs");
        api.MapPost("/{id:long}/merge", Merge).WithName("MergeIncidents").WithSummary("Moves the signals of other incidents into this one (If-Match required)");
        api.MapPost("/{id:long}/split", Split).WithName("SplitIncident").WithSummary("Moves some of this incident's signals into a new incident (If-Match required)");
        api.MapPost("/{id:long}/notes", Note).WithName("IncidentNote").WithSummary("Adds a note to the incident's timeline (If-Match required)");
        return app;
    }

    public static async Task<Results<Ok<IncidentPage>, ValidationProblem>> ListIncidents(
        OperationsDbContext db, string? status, string? limit, string? after, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string[]>();
        var size = (int)(TriageProblems.Number(limit, "limit", problems, 1, MaxPageSize) ?? 50);
        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(problems);
        }
        var query = db.Incidents.AsNoTracking();
        if (status is not null)
        {
            if (status is not (IncidentGrouping.Open or IncidentGrouping.Resolved or IncidentGrouping.Merged))
            {
                return TriageProblems.Invalid("status", "status is open, resolved or merged.");
            }
            query = query.Where(i => i.Status == status);
        }
        if (after is not null)
        {
            if (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor))
            {
                return TriageProblems.Invalid("after", "after is the 'next' cursor of the previous page.");
            }
            query = query.Where(i => i.Id < cursor);
        }
        var rows = await query.OrderByDescending(i => i.Id).Take(size).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();
        var counts = await db.Signals.AsNoTracking().Where(s => s.IncidentId != null && ids.Contains(s.IncidentId.Value))
            .GroupBy(s => s.IncidentId!.Value)
            .Select(g => new { Id = g.Key, Total = g.Count(), Open = g.Count(s => s.Status != TriageStatus.Resolved && s.Status != TriageStatus.Closed) })
            .ToDictionaryAsync(g => g.Id, cancellationToken);
        return TypedResults.Ok(new IncidentPage(
            rows.Select(r => IncidentView.From(r, counts.GetValueOrDefault(r.Id)?.Total ?? 0, counts.GetValueOrDefault(r.Id)?.Open ?? 0)).ToList(),
            rows.Count == size ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    public static async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> GetIncident(
        long id, HttpContext context, OperationsDbContext db, CancellationToken cancellationToken)
    {
        var incident = await db.Incidents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (incident is null)
        {
            return TriageProblems.NotFound("incident", id);
        }
        var signals = await db.Signals.AsNoTracking().Where(s => s.IncidentId == id).OrderBy(s => s.Id).Take(MaxSignalsShown).ToListAsync(cancellationToken);
        var total = await db.Signals.CountAsync(s => s.IncidentId == id, cancellationToken);
        var open = await db.Signals.CountAsync(s => s.IncidentId == id && s.Status != TriageStatus.Resolved && s.Status != TriageStatus.Closed, cancellationToken);
        var timeline = await db.Timeline.AsNoTracking().Where(t => t.TargetType == Timeline.Incident && t.TargetId == id)
            .OrderBy(t => t.Id).ToListAsync(cancellationToken);
        context.Response.Headers.ETag = TriageProblems.ETag(incident.Version);
        return TypedResults.Ok(new IncidentDetail(IncidentView.From(incident, total, open),
            signals.Select(SignalView.From).ToList(), timeline.Select(TimelineView.Of).ToList()));
    }

    public static async Task<Results<Ok<IncidentView>, ProblemHttpResult, ValidationProblem>> Merge(
        long id, HttpContext context, OperationsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (request, incident, problem) = await PrepareAsync<MergeRequest>(id, context, db, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (request!.IncidentIds is not { Count: > 0 } sourceIds)
        {
            return TriageProblems.Invalid("incidentIds", "Name the incidents to merge into this one.");
        }
        if (sourceIds.Contains(id))
        {
            return TriageProblems.Invalid("incidentIds", "An incident cannot be merged into itself.");
        }
        var sources = await db.Incidents.Where(i => sourceIds.Contains(i.Id)).ToListAsync(cancellationToken);
        if (sourceIds.Distinct().FirstOrDefault(s => sources.All(i => i.Id != s)) is var missing and > 0)
        {
            return TriageProblems.NotFound("incident", missing);
        }
        if (sources.FirstOrDefault(i => i.Status == IncidentGrouping.Merged) is { } merged)
        {
            return TriageProblems.Forbidden("incident", merged.Id, merged.Status, "merge", $"Incident {merged.Id} was already merged into {merged.MergedInto}.");
        }
        var now = clock.GetUtcNow();
        var caller = Caller.From(context);
        var version = incident!.Version;
        var sourceVersions = sources.ToDictionary(x => x.Id, x => x.Version);
        var failed = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            ForgetAdded(db);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var source in sources)
            {
                var moved = await db.Signals.Where(s => s.IncidentId == source.Id).Select(s => s.Id).ToListAsync(cancellationToken);
                await db.Signals.Where(s => s.IncidentId == source.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.IncidentId, id).SetProperty(s => s.Version, s => s.Version + 1), cancellationToken);
                source.Status = IncidentGrouping.Merged;
                source.MergedInto = id;
                source.Version = sourceVersions[source.Id] + 1;
                source.UpdatedAt = now;
                incident.FirstSeen = source.FirstSeen < incident.FirstSeen ? source.FirstSeen : incident.FirstSeen;
                incident.LastSeen = source.LastSeen > incident.LastSeen ? source.LastSeen : incident.LastSeen;
                db.Timeline.Add(Timeline.Entry(Timeline.Incident, source.Id, now, caller.Actor, "merged", to: id.ToString(CultureInfo.InvariantCulture), text: request.Reason));
                db.Timeline.Add(Timeline.Entry(Timeline.Incident, id, now, caller.Actor, "merged-in", from: source.Id.ToString(CultureInfo.InvariantCulture),
                    text: $"{moved.Count} signal(s)"));
                db.Timeline.AddRange(moved.Select(s => Timeline.Entry(Timeline.Signal, s, now, caller.Actor, "grouped",
                    source.Id.ToString(CultureInfo.InvariantCulture), id.ToString(CultureInfo.InvariantCulture), "incidents merged")));
                db.AuditLog.Add(AuditTrail.Entry(caller, now, "incident.merge", "incident", source.Id.ToString(CultureInfo.InvariantCulture),
                    $$"""{"status":"open"}""", $$"""{"status":"merged","mergedInto":{{id}}}""", request.Reason));
            }
            incident.Version = version + 1;
            incident.UpdatedAt = now;
            db.AuditLog.Add(AuditTrail.Entry(caller, now, "incident.merge", "incident", id.ToString(CultureInfo.InvariantCulture), null,
                $$"""{"mergedFrom":[{{string.Join(',', sources.Select(s => s.Id))}}]}""", request.Reason));
            if (await SaveAsync(db, incident, cancellationToken) is { } stale)
            {
                return stale;
            }
            await IncidentGrouping.RefreshAsync(db, [id], now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        });
        if (failed is not null)
        {
            return failed;
        }
        return TypedResults.Ok(await ViewAsync(db, id, context, cancellationToken));
    }

    public static async Task<Results<Created<IncidentView>, ProblemHttpResult, ValidationProblem>> Split(
        long id, HttpContext context, OperationsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (request, incident, problem) = await PrepareAsync<SplitRequest>(id, context, db, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (request!.SignalIds is not { Count: > 0 } signalIds)
        {
            return TriageProblems.Invalid("signalIds", "Name the signals to split off.");
        }
        var signals = await db.Signals.Where(s => signalIds.Contains(s.Id)).ToListAsync(cancellationToken);
        if (signalIds.Distinct().FirstOrDefault(s => signals.All(x => x.Id != s)) is var missing and > 0)
        {
            return TriageProblems.NotFound("signal", missing);
        }
        if (signals.FirstOrDefault(s => s.IncidentId != id) is { } stranger)
        {
            return TriageProblems.Invalid("signalIds", $"Signal {stranger.Id} does not belong to incident {id}.");
        }
        if (await db.Signals.CountAsync(s => s.IncidentId == id, cancellationToken) == signals.Count)
        {
            return TriageProblems.Invalid("signalIds", "Splitting off every signal leaves the incident empty; keep at least one.");
        }
        var now = clock.GetUtcNow();
        var caller = Caller.From(context);
        var version = incident!.Version;
        var signalVersions = signals.ToDictionary(x => x.Id, x => x.Version);
        var (failed, createdId) = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            ForgetAdded(db);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var created = new IncidentRecord
            {
                GroupKey = incident.GroupKey,
                Title = string.IsNullOrWhiteSpace(request.Title) ? signals.OrderBy(s => s.Id).First().Title : request.Title.Trim(),
                Status = IncidentGrouping.Open,
                FirstSeen = signals.Min(s => s.FirstSeen),
                LastSeen = signals.Max(s => s.LastSeen),
                Version = 1,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Incidents.Add(created);
            incident.Version = version + 1;
            incident.UpdatedAt = now;
            if (await SaveAsync(db, incident, cancellationToken) is { } stale)
            {
                return (stale, 0L);
            }
            var newId = created.Id.ToString(CultureInfo.InvariantCulture);
            foreach (var signal in signals)
            {
                signal.IncidentId = created.Id;
                signal.Version = signalVersions[signal.Id] + 1;
                signal.UpdatedAt = now;
                db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, caller.Actor, "grouped", id.ToString(CultureInfo.InvariantCulture), newId, "split off"));
            }
            db.Timeline.Add(Timeline.Entry(Timeline.Incident, id, now, caller.Actor, "split", to: newId, text: $"{signals.Count} signal(s): {request.Reason}"));
            db.Timeline.Add(Timeline.Entry(Timeline.Incident, created.Id, now, caller.Actor, "created", from: id.ToString(CultureInfo.InvariantCulture), text: "split off"));
            db.AuditLog.Add(AuditTrail.Entry(caller, now, "incident.split", "incident", id.ToString(CultureInfo.InvariantCulture), null,
                $$"""{"newIncident":{{created.Id}},"signals":[{{string.Join(',', signals.Select(s => s.Id))}}]}""", request.Reason));
            if (await SaveAsync(db, incident, cancellationToken) is { } conflict)
            {
                return (conflict, 0L);
            }
            await IncidentGrouping.RefreshAsync(db, [id, created.Id], now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return ((ProblemHttpResult?)null, created.Id);
        });
        if (failed is not null)
        {
            return failed;
        }
        return TypedResults.Created($"/api/incidents/{createdId}", await ViewAsync(db, createdId, context, cancellationToken));
    }

    public static async Task<Results<Ok<IncidentView>, ProblemHttpResult, ValidationProblem>> Note(
        long id, HttpContext context, OperationsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (request, incident, problem) = await PrepareAsync<NoteRequest>(id, context, db, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (string.IsNullOrWhiteSpace(request!.Text) || request.Text.Length > SignalStateMachine.MaxTextLength)
        {
            return TriageProblems.Invalid("text", $"A note needs text, at most {SignalStateMachine.MaxTextLength} characters.");
        }
        var now = clock.GetUtcNow();
        var caller = Caller.From(context);
        incident!.Version++;
        incident.UpdatedAt = now;
        db.Timeline.Add(Timeline.Entry(Timeline.Incident, id, now, caller.Actor, "note", text: request.Text));
        db.AuditLog.Add(AuditTrail.Entry(caller, now, "incident.note", "incident", id.ToString(CultureInfo.InvariantCulture), null, null, request.Text));
        if (await SaveAsync(db, incident, cancellationToken) is { } stale)
        {
            return stale;
        }
        return TypedResults.Ok(await ViewAsync(db, id, context, cancellationToken));
    }

    /// <summary>Scope, body, If-Match, existence, ETag and not-merged, in that order.</summary>
    private static async Task<(T? Request, IncidentRecord? Incident, ProblemHttpResult? Problem)> PrepareAsync<T>(
        long id, HttpContext context, OperationsDbContext db, CancellationToken cancellationToken) where T : class
    {
        if (!context.HasScope(TriageProblems.TriageScope))
        {
            return (null, null, TriageProblems.MissingScope(TriageProblems.TriageScope));
        }
        var (request, problem) = await JsonBody.ReadAsync<T>(context.Request);
        if (problem is not null)
        {
            return (null, null, TriageProblems.FromBody(problem));
        }
        if (TriageProblems.IfMatch(context.Request) is not { } ifMatch)
        {
            return (null, null, TriageProblems.IfMatchRequired("incident"));
        }
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (incident is null)
        {
            return (null, null, TriageProblems.NotFound("incident", id));
        }
        if (incident.Version != ifMatch)
        {
            return (null, null, TriageProblems.Stale("incident", id, TriageProblems.ETag(incident.Version)));
        }
        if (incident.Status == IncidentGrouping.Merged)
        {
            return (null, null, TriageProblems.Forbidden("incident", id, incident.Status, "change",
                $"Incident {id} was merged into {incident.MergedInto}; act on that one."));
        }
        return (request, incident, null);
    }

    /// <summary>What a failed attempt added is not carried into the retry.</summary>
    private static void ForgetAdded(OperationsDbContext db)
    {
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList())
        {
            entry.State = EntityState.Detached;
        }
    }

    private static async Task<ProblemHttpResult?> SaveAsync(OperationsDbContext db, IncidentRecord incident, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            var current = await db.Incidents.AsNoTracking().Where(i => i.Id == incident.Id).Select(i => i.Version).FirstOrDefaultAsync(cancellationToken);
            return TriageProblems.Stale("incident", incident.Id, TriageProblems.ETag(current));
        }
    }

    private static async Task<IncidentView> ViewAsync(OperationsDbContext db, long id, HttpContext context, CancellationToken cancellationToken)
    {
        var incident = await db.Incidents.AsNoTracking().FirstAsync(i => i.Id == id, cancellationToken);
        var total = await db.Signals.CountAsync(s => s.IncidentId == id, cancellationToken);
        var open = await db.Signals.CountAsync(s => s.IncidentId == id && s.Status != TriageStatus.Resolved && s.Status != TriageStatus.Closed, cancellationToken);
        context.Response.Headers.ETag = TriageProblems.ETag(incident.Version);
        return IncidentView.From(incident, total, open);
    }
}

public sealed record MergeRequest(IReadOnlyList<long>? IncidentIds, string? Reason);

public sealed record SplitRequest(IReadOnlyList<long>? SignalIds, string? Title, string? Reason);

public sealed record NoteRequest(string? Text);

public sealed record IncidentPage(IReadOnlyList<IncidentView> Items, string? Next);

public sealed record IncidentView(
    long Id, string GroupKey, string Title, string Status, long? MergedInto, int Signals, int OpenSignals, DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen, string ETag, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static IncidentView From(IncidentRecord i, int signals, int open) => new(i.Id, i.GroupKey, i.Title, i.Status, i.MergedInto, signals, open,
        i.FirstSeen, i.LastSeen, TriageProblems.ETag(i.Version), i.CreatedAt, i.UpdatedAt);
}

public sealed record IncidentDetail(IncidentView Incident, IReadOnlyList<SignalView> Signals, IReadOnlyList<TimelineView> Timeline);
