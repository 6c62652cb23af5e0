using System.Text.Json;
using ControlTower.Operations.Audit;
using ControlTower.Operations.Data;
using ControlTower.Operations.Incidents;
using ControlTower.Operations.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlTower.Operations.Apis;

public static class SignalsApi
{
    public const int MaxPageSize = 500;
    private const int BulkChunk = 500;

    public static IEndpointRouteBuilder MapSignalsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/signals").WithTags("Signals");
        api.MapGet("/", ListSignals).WithName("ListSignals")
            .WithSummary("Signals, newest first, filtered by status, condition, severity, kind, source, environment, owner, team, account, free text (q), mine or myTeam; keyset pages");
        api.MapGet("/{id:long}", GetSignal).WithName("GetSignal").WithSummary("One signal with its timeline; the ETag header is what If-Match needs");
        foreach (var action in Enum.GetValues<TriageAction>())
        {
            var name = SignalStateMachine.Name(action);
            api.MapPost($"/{{id:long}}/{(action == TriageAction.Note ? "notes" : name)}",
                    (long id, HttpContext context, OperationsDbContext db, TriageService triage, TimeProvider clock, CancellationToken ct) =>
                        Act(id, action, context, db, triage, clock, ct))
                .WithName("Signal" + action)
                .WithSummary($"Triage: {name} one signal (If-Match required)");
        }
        api.MapPost("/bulk", Bulk).WithName("BulkSignals")
            .WithSummary("One triage action over every signal a filter matches; dryRun previews the count and per-item outcomes");
        return app;
    }

    public static async Task<Results<Ok<SignalPage>, ValidationProblem>> ListSignals(
        HttpContext context, OperationsDbContext db, [AsParameters] SignalQuery query, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string[]>();
        var size = (int)(TriageProblems.Number(query.Limit, "limit", problems, 1, MaxPageSize) ?? 50);
        var after = TriageProblems.Number(query.After, "after", problems);
        var filter = new SignalFilter
        {
            Status = query.Status, Condition = query.Condition, Severity = query.Severity, Kind = query.Kind, Owner = query.Owner,
            Team = query.Team, Account = query.Account, Mine = TriageProblems.Flag(query.Mine, "mine", problems),
            MyTeam = TriageProblems.Flag(query.MyTeam, "myTeam", problems), Source = query.Source, Environment = query.Environment, Q = query.Q,
            Incident = TriageProblems.Number(query.Incident, "incident", problems), DedupKey = query.DedupKey,
        };
        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(problems);
        }
        var (signals, errors) = filter.Apply(db.Signals.AsNoTracking(), context.AuthenticatedSource(), db.DirectoryAccounts.AsNoTracking());
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (after is { } before)
        {
            signals = signals.Where(s => s.Id < before);
        }
        var rows = await signals.OrderByDescending(s => s.Id).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new SignalPage(rows.Select(SignalView.From).ToList(),
            rows.Count == size ? rows[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    public static async Task<Results<Ok<SignalDetail>, ProblemHttpResult>> GetSignal(
        long id, HttpContext context, OperationsDbContext db, CancellationToken cancellationToken)
    {
        var signal = await db.Signals.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (signal is null)
        {
            return TriageProblems.NotFound("signal", id);
        }
        var timeline = await db.Timeline.AsNoTracking()
            .Where(t => t.TargetType == Timeline.Signal && t.TargetId == id).OrderBy(t => t.Id).ToListAsync(cancellationToken);
        context.Response.Headers.ETag = TriageProblems.ETag(signal.Version);
        return TypedResults.Ok(new SignalDetail(SignalView.From(signal),
            signal.Details is null ? null : JsonElement.Parse(signal.Details), timeline.Select(TimelineView.Of).ToList()));
    }

    public static async Task<Results<Ok<SignalView>, ProblemHttpResult, ValidationProblem>> Act(
        long id, TriageAction action, HttpContext context, OperationsDbContext db, TriageService triage, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (!context.HasScope(TriageProblems.TriageScope))
        {
            return TriageProblems.MissingScope(TriageProblems.TriageScope);
        }
        if (action == TriageAction.Suppress && !context.HasScope(TriageProblems.SuppressScope))
        {
            return TriageProblems.MissingScope(TriageProblems.SuppressScope);
        }
        var request = new TriageRequest();
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var (body, problem) = await JsonBody.ReadAsync<TriageRequest>(context.Request);
            if (problem is not null)
            {
                return TriageProblems.FromBody(problem);
            }
            request = body!;
        }
        var (command, invalid) = request.ToCommand(action);
        if (invalid is not null)
        {
            return invalid;
        }
        var ifMatch = TriageProblems.IfMatch(context.Request);
        if (ifMatch is null)
        {
            return TriageProblems.IfMatchRequired("signal");
        }
        var signal = await db.Signals.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (signal is null)
        {
            return TriageProblems.NotFound("signal", id);
        }
        if (ifMatch != signal.Version)
        {
            return TriageProblems.Stale("signal", id, TriageProblems.ETag(signal.Version));
        }
        var statusBefore = signal.Status;
        var outcome = triage.Apply(signal, command!, Caller.From(context));
        switch (outcome.Fault)
        {
            case TriageFault.Forbidden:
                return TriageProblems.Forbidden("signal", id, SignalStateMachine.Name(signal.Status), SignalStateMachine.Name(action), outcome.Message!);
            case TriageFault.Invalid:
                return TriageProblems.Invalid(outcome.Field!, outcome.Message!);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            var current = await db.Signals.AsNoTracking().Where(s => s.Id == id).Select(s => s.Version).FirstOrDefaultAsync(cancellationToken);
            return TriageProblems.Stale("signal", id, TriageProblems.ETag(current));
        }
        if (statusBefore != signal.Status && signal.IncidentId is { } incident)
        {
            await IncidentGrouping.RefreshAsync(db, [incident], clock.GetUtcNow(), cancellationToken);
        }
        context.Response.Headers.ETag = TriageProblems.ETag(signal.Version);
        return TypedResults.Ok(SignalView.From(signal));
    }

    public static async Task<Results<Ok<BulkResult>, ProblemHttpResult, ValidationProblem>> Bulk(
        HttpContext context, OperationsDbContext db, TriageService triage, IOptions<SignalsOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (!context.HasScope(TriageProblems.TriageScope))
        {
            return TriageProblems.MissingScope(TriageProblems.TriageScope);
        }
        var (request, problem) = await JsonBody.ReadAsync<BulkRequest>(context.Request);
        if (problem is not null)
        {
            return TriageProblems.FromBody(problem);
        }
        if (SignalsJson.ParseAction(request!.Action) is not { } action)
        {
            return TriageProblems.Invalid("action", "action is one of acknowledge, assign, snooze, suppress, note, resolve, reopen, close.");
        }
        if (action == TriageAction.Suppress && !context.HasScope(TriageProblems.SuppressScope))
        {
            return TriageProblems.MissingScope(TriageProblems.SuppressScope);
        }
        if (request.Filter is null)
        {
            return TriageProblems.Invalid("filter", "A bulk action needs a filter (an empty object matches every signal).");
        }
        var (command, invalid) = request.ToCommand(action);
        if (invalid is not null)
        {
            return invalid;
        }
        var caller = Caller.From(context);
        var (query, errors) = request.Filter.Apply(db.Signals.AsNoTracking(), caller.Actor, db.DirectoryAccounts.AsNoTracking(), "filter.");
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var max = options.Value.MaxBulkItems;
        var ids = await query.OrderBy(s => s.Id).Select(s => s.Id).Take(max + 1).ToListAsync(cancellationToken);
        if (ids.Count > max && !request.DryRun)
        {
            return TriageProblems.Invalid("filter", $"The filter matches more than {max} signals; narrow it (a dry run shows the count).");
        }
        if (request.DryRun)
        {
            var matched = await query.CountAsync(cancellationToken);
            var now = clock.GetUtcNow();
            var previews = new List<BulkItemResult>();
            foreach (var chunk in ids.Take(max).Chunk(BulkChunk))
            {
                var states = await db.Signals.AsNoTracking().Where(s => chunk.Contains(s.Id))
                    .Select(s => new { s.Id, s.Status, s.Condition, s.Until, s.Classification, s.Owner, s.Team })
                    .ToListAsync(cancellationToken);
                previews.AddRange(states.OrderBy(s => s.Id).Select(s =>
                {
                    var outcome = SignalStateMachine.Apply(new TriageState(s.Status, s.Condition, s.Until, s.Classification, s.Owner, s.Team),
                        command!, now, options.Value.Limits);
                    return Item(s.Id, outcome, s.Status);
                }));
            }
            return TypedResults.Ok(BulkResult.From(true, matched, previews));
        }

        var results = new List<BulkItemResult>(ids.Count);
        var incidents = new HashSet<long>();
        foreach (var chunk in ids.Chunk(BulkChunk))
        {
            var pending = chunk.ToHashSet();
            for (var attempt = 0; attempt < 3 && pending.Count > 0; attempt++)
            {
                var signals = await db.Signals.Where(s => pending.Contains(s.Id)).OrderBy(s => s.Id).ToListAsync(cancellationToken);
                var round = new List<BulkItemResult>();
                foreach (var signal in signals)
                {
                    var before = signal.Status;
                    var outcome = triage.Apply(signal, command!, caller);
                    round.Add(Item(signal.Id, outcome, before));
                    if (outcome.Succeeded && before != signal.Status && signal.IncidentId is { } incident)
                    {
                        incidents.Add(incident);
                    }
                }
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    results.AddRange(round);
                    // Signals deleted meanwhile simply drop out.
                    pending.Clear();
                }
                catch (DbUpdateConcurrencyException)
                {
                    // A signal of the chunk changed under us (an operator, the ingest); read the chunk again and decide afresh.
                    db.ChangeTracker.Clear();
                    if (attempt == 2)
                    {
                        results.AddRange(pending.Order().Select(pid => new BulkItemResult(pid, "conflict", null, "It kept changing while the bulk action ran; retry.")));
                    }
                }
                finally
                {
                    db.ChangeTracker.Clear();
                }
            }
        }
        await IncidentGrouping.RefreshAsync(db, incidents, clock.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(BulkResult.From(false, ids.Count, results));
    }

    private static BulkItemResult Item(long id, TriageOutcome outcome, TriageStatus before) => outcome.Fault switch
    {
        TriageFault.None => new(id, "changed", SignalStateMachine.Name(outcome.State.Status), null),
        TriageFault.Forbidden => new(id, "forbidden", SignalStateMachine.Name(before), outcome.Message),
        _ => new(id, "invalid", SignalStateMachine.Name(before), $"{outcome.Field}: {outcome.Message}"),
    };
}

public sealed record SignalQuery(
    string? Status, string? Condition, string? Severity, string? Kind, string? Owner, string? Team, string? Account, string? Mine,
    string? Incident, string? DedupKey, string? Limit, string? After, string? MyTeam = null, string? Source = null, string? Environment = null,
    string? Q = null);

/// <summary>Which signals: each field a comma-separated list where it makes sense; all given fields must hold.</summary>
public sealed record SignalFilter
{
    public string? Status { get; init; }
    public string? Condition { get; init; }
    public string? Severity { get; init; }
    public string? Kind { get; init; }
    public string? Owner { get; init; }
    public string? Team { get; init; }
    public string? Account { get; init; }

    /// <summary>Only those owned by the caller.</summary>
    public bool? Mine { get; init; }

    /// <summary>
    /// Only those of the caller's teams: the teams of the directory's accounts the caller owns, and of the signals assigned to
    /// the caller.
    /// </summary>
    public bool? MyTeam { get; init; }

    /// <summary>Where signals come from, as the overview counts them: aws, azure, pipelines, platform or unknown.</summary>
    public string? Source { get; init; }

    /// <summary>Environments; <c>unassigned</c> matches signals without one (as the overview counts them).</summary>
    public string? Environment { get; init; }

    /// <summary>Free text, matched case-insensitively in the title, summary, resource, account, dedup key, owner and team.</summary>
    public string? Q { get; init; }
    public long? Incident { get; init; }
    public string? DedupKey { get; init; }
    public IReadOnlyList<long>? Ids { get; init; }

    public const int MaxTextLength = 200;

    public (IQueryable<SignalRecord> Query, Dictionary<string, string[]>? Errors) Apply(IQueryable<SignalRecord> query, string? caller,
        IQueryable<DirectoryAccountRecord> directory, string prefix = "")
    {
        var all = query;
        var errors = new Dictionary<string, string[]>();
        if (Parse(Status, SignalsJson.ParseStatus, prefix + "status", "new, acknowledged, snoozed, suppressed, resolved, closed", errors) is { } statuses)
        {
            query = query.Where(s => statuses.Contains(s.Status));
        }
        if (Parse(Condition, SignalsJson.ParseCondition, prefix + "condition", "firing, resolved, stale", errors) is { } conditions)
        {
            query = query.Where(s => conditions.Contains(s.Condition));
        }
        if (Parse(Severity, SignalsJson.ParseSeverity, prefix + "severity", "critical, high, medium, low, informational", errors) is { } severities)
        {
            query = query.Where(s => severities.Contains(s.Severity));
        }
        if (Split(Kind) is { } kinds)
        {
            if (kinds.FirstOrDefault(k => !SignalKinds.All.Contains(k)) is { } unknown)
            {
                errors[prefix + "kind"] = [$"'{unknown}' is not a kind; kinds are {string.Join(", ", SignalKinds.All)}."];
            }
            query = query.Where(s => kinds.Contains(s.Kind));
        }
        if (Split(Owner) is { } owners)
        {
            query = query.Where(s => s.Owner != null && owners.Contains(s.Owner));
        }
        if (Split(Team) is { } teams)
        {
            query = query.Where(s => s.Team != null && teams.Contains(s.Team));
        }
        if (Split(Account) is { } accounts)
        {
            query = query.Where(s => s.Account != null && accounts.Contains(s.Account));
        }
        if (Mine == true)
        {
            if (caller is null)
            {
                errors[prefix + "mine"] = ["The gateway named no caller, so 'mine' means nothing."];
            }
            query = query.Where(s => s.Owner == caller);
        }
        if (MyTeam == true)
        {
            if (caller is null)
            {
                errors[prefix + "myTeam"] = ["The gateway named no caller, so 'myTeam' means nothing."];
            }
            var ownedTeams = directory.Where(d => d.Owner == caller && d.Team != null).Select(d => d.Team!);
            var assignedTeams = all.Where(s => s.Owner == caller && s.Team != null).Select(s => s.Team!);
            query = query.Where(s => s.Team != null && (ownedTeams.Contains(s.Team) || assignedTeams.Contains(s.Team)));
        }
        if (Split(Source) is { } sources)
        {
            if (sources.FirstOrDefault(x => !SignalSummaryApi.Sources.Contains(x)) is { } unknown)
            {
                errors[prefix + "source"] = [$"'{unknown}' is not a source; sources are {string.Join(", ", SignalSummaryApi.Sources)}."];
            }
            var providers = sources.Where(x => x is not ("pipelines" or "platform" or "unknown")).ToList();
            var pipelines = sources.Contains("pipelines");
            var platform = sources.Contains("platform");
            var unknownSource = sources.Contains("unknown");
            query = query.Where(s => (pipelines && s.Kind == SignalKinds.Release) || (platform && s.Kind == SignalKinds.DeadLetter)
                || (s.Kind != SignalKinds.Release && s.Kind != SignalKinds.DeadLetter
                    && ((s.Provider != null && providers.Contains(s.Provider)) || (unknownSource && s.Provider == null))));
        }
        if (Split(Environment) is { } environments)
        {
            var unassigned = environments.Contains(SignalSummaryApi.Unassigned);
            query = query.Where(s => (s.Environment != null && environments.Contains(s.Environment)) || (unassigned && s.Environment == null));
        }
        if (!string.IsNullOrWhiteSpace(Q))
        {
            if (Q.Length > MaxTextLength)
            {
                errors[prefix + "q"] = [$"At most {MaxTextLength} characters."];
            }
            var pattern = "%" + Q.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
                .Replace("_", "\\_", StringComparison.Ordinal) + "%";
            query = query.Where(s => EF.Functions.ILike(s.Title, pattern) || (s.Summary != null && EF.Functions.ILike(s.Summary, pattern))
                || (s.Resource != null && EF.Functions.ILike(s.Resource, pattern)) || (s.Account != null && EF.Functions.ILike(s.Account, pattern))
                || EF.Functions.ILike(s.DedupKey, pattern) || (s.Owner != null && EF.Functions.ILike(s.Owner, pattern))
                || (s.Team != null && EF.Functions.ILike(s.Team, pattern)));
        }
        if (Incident is { } incident)
        {
            query = query.Where(s => s.IncidentId == incident);
        }
        if (!string.IsNullOrEmpty(DedupKey))
        {
            var key = SignalKeys.Dedup(DedupKey);
            query = query.Where(s => s.DedupKey == key);
        }
        if (Ids is { Count: > 0 } ids)
        {
            var list = ids.ToList();
            query = query.Where(s => list.Contains(s.Id));
        }
        return (query, errors.Count > 0 ? errors : null);
    }

    private static string[]? Split(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static List<T>? Parse<T>(string? value, Func<string, T?> parse, string field, string allowed, Dictionary<string, string[]> errors)
        where T : struct
    {
        if (Split(value) is not { } parts)
        {
            return null;
        }
        var list = new List<T>();
        foreach (var part in parts)
        {
            if (parse(part) is { } parsed)
            {
                list.Add(parsed);
            }
            else
            {
                errors[field] = [$"'{part}' is not one of {allowed}."];
            }
        }
        return list;
    }
}

/// <summary>The body of a triage action; which fields count depends on the action.</summary>
public record TriageRequest
{
    public string? Owner { get; init; }
    public string? Team { get; init; }
    public DateTimeOffset? Until { get; init; }
    public string? Reason { get; init; }
    public string? Classification { get; init; }

    /// <summary>The note (for <c>notes</c>), or a comment that goes with any other action.</summary>
    public string? Text { get; init; }

    public (TriageCommand? Command, ValidationProblem? Problem) ToCommand(TriageAction action)
    {
        Classification? classification = null;
        if (Classification is not null)
        {
            classification = SignalsJson.ParseClassification(Classification);
            if (classification is null)
            {
                return (null, TriageProblems.Invalid("classification",
                    $"'{Classification}' is not a classification; use truePositive, benignPositive, falsePositive or undetermined."));
            }
        }
        if (Text is { Length: > SignalStateMachine.MaxTextLength })
        {
            return (null, TriageProblems.Invalid("text", $"At most {SignalStateMachine.MaxTextLength} characters."));
        }
        return (new TriageCommand(action, Until?.ToUniversalTime(), Reason, classification, Owner, Team, Text), null);
    }
}

public sealed record BulkRequest : TriageRequest
{
    public SignalFilter? Filter { get; init; }
    public string? Action { get; init; }
    public bool DryRun { get; init; }
}

public sealed record BulkItemResult(long Id, string Outcome, string? Status, string? Detail);

public sealed record BulkResult(bool DryRun, int Matched, int Changed, int Forbidden, int Invalid, int Conflicts, IReadOnlyList<BulkItemResult> Items)
{
    public static BulkResult From(bool dryRun, int matched, List<BulkItemResult> items) => new(dryRun, matched,
        items.Count(i => i.Outcome == "changed"), items.Count(i => i.Outcome == "forbidden"), items.Count(i => i.Outcome == "invalid"),
        items.Count(i => i.Outcome == "conflict"), items);
}

public sealed record SignalPage(IReadOnlyList<SignalView> Items, string? Next);

public sealed record SignalView(
    long Id, string Kind, string DedupKey, string Title, string? Summary, string Severity, string? OriginalSeverity, string? Provider,
    string? Account, string? Resource, string? Environment, string? Owner, string? Team, string Condition, string Status,
    DateTimeOffset? Until, string? Classification, int Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long? IncidentId,
    string ETag, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static SignalView From(SignalRecord s) => new(s.Id, s.Kind, s.DedupKey, s.Title, s.Summary, SignalKeys.Name(s.Severity),
        s.OriginalSeverity, s.Provider, s.Account, s.Resource, s.Environment, s.Owner, s.Team, SignalIngestor.Name(s.Condition),
        SignalStateMachine.Name(s.Status), s.Until, s.Classification is { } c ? SignalsJson.Name(c) : null, s.Count, s.FirstSeen, s.LastSeen,
        s.IncidentId, TriageProblems.ETag(s.Version), s.CreatedAt, s.UpdatedAt);
}

public sealed record SignalDetail(SignalView Signal, JsonElement? Details, IReadOnlyList<TimelineView> Timeline);

public sealed record TimelineView(long Id, DateTimeOffset At, string Actor, string Type, string? From, string? To, string? Text)
{
    public static TimelineView Of(TimelineEntryRecord t) => new(t.Id, t.At, t.Actor, t.Type, t.From, t.To, t.Text);
}
