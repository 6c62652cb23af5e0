using System.Globalization;
using System.Text;
using System.Text.Json;
using ControlTower.Operations.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlTower.Operations.Apis;

public static class AuditApi
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/audit").WithTags("Audit");
        api.MapGet("/", ListAudit).WithName("ListAudit")
            .WithSummary("The audit log, newest first, by actor, target, action and time range; keyset pages (scope audit:read)");
        api.MapGet("/export", ExportAudit).WithName("ExportAudit")
            .WithSummary("The audit log entries the filters match, streamed as CSV or JSON (scope audit:read)");
        return app;
    }

    public static async Task<Results<Ok<AuditPage>, ProblemHttpResult, ValidationProblem>> ListAudit(
        HttpContext context, OperationsDbContext db, [AsParameters] AuditQuery query, CancellationToken cancellationToken)
    {
        if (!context.HasScope(TriageProblems.AuditScope))
        {
            return TriageProblems.MissingScope(TriageProblems.AuditScope);
        }
        var limitErrors = new Dictionary<string, string[]>();
        var size = (int)(TriageProblems.Number(query.Limit, "limit", limitErrors, 1, MaxPageSize) ?? 100);
        if (limitErrors.Count > 0)
        {
            return TypedResults.ValidationProblem(limitErrors);
        }
        var (entries, errors) = query.Apply(db.AuditLog.AsNoTracking());
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await entries.OrderByDescending(a => a.At).ThenByDescending(a => a.Seq).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new AuditPage(rows.Select(AuditView.From).ToList(), rows.Count == size ? Cursor(rows[^1]) : null));
    }

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult, ValidationProblem>> ExportAudit(
        HttpContext context, OperationsDbContext db, [AsParameters] AuditQuery query, string? format, IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        if (!context.HasScope(TriageProblems.AuditScope))
        {
            return TriageProblems.MissingScope(TriageProblems.AuditScope);
        }
        var csv = (format ?? "json").ToLowerInvariant() switch
        {
            "csv" => true,
            "json" => false,
            _ => (bool?)null,
        };
        if (csv is null)
        {
            return TriageProblems.Invalid("format", "format is 'csv' or 'json'.");
        }
        var (entries, errors) = query.Apply(db.AuditLog.AsNoTracking());
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var response = context.Response;
        response.ContentType = csv.Value ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"audit.{(csv.Value ? "csv" : "json")}\"";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 16 * 1024);
        var rows = entries.OrderByDescending(a => a.At).ThenByDescending(a => a.Seq).AsAsyncEnumerable();
        var first = true;
        var count = 0;
        await writer.WriteAsync(csv.Value ? "id,at,actor,actorKind,action,targetType,targetId,before,after,clientAddress,reason,status,traceId,origin\n" : "[");
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            if (csv.Value)
            {
                await writer.WriteAsync(string.Join(',', new[]
                {
                    row.Id.ToString(), row.At.ToString("O", CultureInfo.InvariantCulture), row.Actor, row.ActorKind, row.Action, row.TargetType,
                    row.TargetId, row.Before, row.After, row.ClientAddress, row.Reason, row.Status?.ToString(CultureInfo.InvariantCulture), row.TraceId, row.Origin,
                }.Select(Csv)) + "\n");
            }
            else
            {
                await writer.WriteAsync((first ? "" : ",") + JsonSerializer.Serialize(AuditView.From(row), json.Value.SerializerOptions));
            }
            first = false;
            if (++count % 500 == 0)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }
        if (!csv.Value)
        {
            await writer.WriteAsync("]");
        }
        await writer.FlushAsync(cancellationToken);
        return TypedResults.Empty;
    }

    private static string Cursor(AuditEntryRecord row) =>
        row.At.UtcTicks.ToString(CultureInfo.InvariantCulture) + "." + row.Seq.ToString(CultureInfo.InvariantCulture);

    // Quoted when it must be; a leading =, +, - or @ is prefixed so a spreadsheet never runs it as a formula.
    private static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}

/// <param name="Result"><c>succeeded</c> (an answer below 400, or one of Operations' own changes) or <c>failed</c> (400 and above).</param>
public sealed record AuditQuery(string? Actor, string? Action, string? TargetType, string? Target, string? From, string? To, string? Limit, string? After,
    string? Result = null)
{
    public (IQueryable<AuditEntryRecord> Query, Dictionary<string, string[]>? Errors) Apply(IQueryable<AuditEntryRecord> query)
    {
        var errors = new Dictionary<string, string[]>();
        var fromTime = TriageProblems.Time(From, "from", errors);
        var toTime = TriageProblems.Time(To, "to", errors);
        if (!string.IsNullOrWhiteSpace(Actor))
        {
            query = query.Where(a => a.Actor == Actor);
        }
        if (!string.IsNullOrWhiteSpace(Action))
        {
            // "signal.*" for every signal action; else the exact action.
            if (Action.EndsWith('*'))
            {
                var prefix = Action[..^1];
                query = query.Where(a => a.Action.StartsWith(prefix));
            }
            else
            {
                query = query.Where(a => a.Action == Action);
            }
        }
        if (!string.IsNullOrWhiteSpace(TargetType))
        {
            query = query.Where(a => a.TargetType == TargetType);
        }
        if (!string.IsNullOrWhiteSpace(Target))
        {
            query = query.Where(a => a.TargetId == Target);
        }
        switch (Result?.Trim().ToLowerInvariant())
        {
            case null or "":
                break;
            case "succeeded":
                query = query.Where(a => a.Status == null || a.Status < 400);
                break;
            case "failed":
                query = query.Where(a => a.Status >= 400);
                break;
            default:
                errors["result"] = ["result is 'succeeded' or 'failed'."];
                break;
        }
        if (fromTime is { } from && toTime is { } to && to <= from)
        {
            errors["to"] = ["to must be after from."];
        }
        if (fromTime is { } since)
        {
            var utc = since;
            query = query.Where(a => a.At >= utc);
        }
        if (toTime is { } until)
        {
            var utc = until;
            query = query.Where(a => a.At < utc);
        }
        if (After is { } cursor)
        {
            var parts = cursor.Split('.');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks)
            {
                var at = new DateTimeOffset(ticks, TimeSpan.Zero);
                query = query.Where(a => a.At < at || (a.At == at && a.Seq < seq));
            }
            else
            {
                errors["after"] = ["after is the 'next' cursor of the previous page."];
            }
        }
        return (query, errors.Count > 0 ? errors : null);
    }
}

public sealed record AuditPage(IReadOnlyList<AuditView> Items, string? Next);

public sealed record AuditView(
    Guid Id, DateTimeOffset At, string Actor, string? ActorKind, string Action, string? TargetType, string? TargetId, string? Before,
    string? After, string? ClientAddress, string? Reason, int? Status, string? TraceId, string Origin)
{
    public static AuditView From(AuditEntryRecord a) => new(a.Id, a.At, a.Actor, a.ActorKind, a.Action, a.TargetType, a.TargetId,
        a.Before, a.After, a.ClientAddress, a.Reason, a.Status, a.TraceId, a.Origin);
}
