using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ControlTower.Operations.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Operations.Apis;

public static class ActivityApi
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapActivityApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/activity").WithTags("Activity");

        api.MapGet("/", ListActivity)
            .WithName("ListActivity")
            .WithSummary("Recent activity across clouds, newest first, in keyset pages");
        api.MapGet("/{provider}/{eventId}", GetActivity)
            .WithName("GetActivity")
            .WithSummary("One activity with its raw source record");

        return app;
    }

    public static async Task<Results<Ok<ActivityPage>, ValidationProblem>> ListActivity(
        OperationsDbContext db,
        int? limit,
        string? before,
        CancellationToken cancellationToken)
    {
        var size = limit ?? 50;
        if (size is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"limit must be between 1 and {MaxPageSize}."],
            });
        }

        var query = db.Activities.AsNoTracking();
        if (before is not null)
        {
            if (!PageCursor.TryDecode(before, out var cursor))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["before"] = ["before is not a cursor this service issued; pass the 'next' value of a previous page."],
                });
            }
            query = query.Where(a => EF.Functions.LessThan(
                ValueTuple.Create(a.Time, a.Provider, a.EventId),
                ValueTuple.Create(cursor.Time, cursor.Provider, cursor.EventId)));
        }

        var rows = await query
            .OrderByDescending(a => a.Time).ThenByDescending(a => a.Provider).ThenByDescending(a => a.EventId)
            .Take(size + 1)
            .Select(a => new ActivitySummary(a.Provider, a.EventId, a.Time, a.Account, a.Region, a.Service,
                a.Operation, a.Actor, a.ActorType, a.SourceIp, a.Outcome, a.ErrorCode))
            .ToListAsync(cancellationToken);

        var next = rows.Count > size ? PageCursor.Encode(rows[size - 1]) : null;
        return TypedResults.Ok(new ActivityPage(rows.Take(size).ToList(), next));
    }

    public static async Task<Results<Ok<ActivityDetail>, NotFound>> GetActivity(
        OperationsDbContext db,
        string provider,
        string eventId,
        CancellationToken cancellationToken)
    {
        var detail = await db.Activities.AsNoTracking()
            .Where(a => a.Provider == provider && a.EventId == eventId)
            .FirstOrDefaultAsync(cancellationToken);
        return detail is null ? TypedResults.NotFound() : TypedResults.Ok(ActivityDetail.From(detail));
    }

    /// <summary>An opaque position in the newest-first order: (time, provider, event id) of the last row shown.</summary>
    internal readonly record struct PageCursor(DateTimeOffset Time, string Provider, string EventId)
    {
        public static string Encode(ActivitySummary last) =>
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
                $"{last.Time.UtcTicks.ToString(CultureInfo.InvariantCulture)}\n{last.Provider}\n{last.EventId}"));

        public static bool TryDecode(string value, out PageCursor cursor)
        {
            cursor = default;
            try
            {
                var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value)).Split('\n', 3);
                if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                    || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
                {
                    return false;
                }
                cursor = new PageCursor(new DateTimeOffset(ticks, TimeSpan.Zero), parts[1], parts[2]);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}

public sealed record ActivitySummary(
    string Provider, string EventId, DateTimeOffset Time, string Account, string? Region, string Service,
    string Operation, string? Actor, string? ActorType, string? SourceIp, string Outcome, string? ErrorCode);

public sealed record ActivityPage(IReadOnlyList<ActivitySummary> Items, string? Next);

public sealed record ActivityDetail(
    ActivitySummary Activity, string? UserAgent, string? ErrorMessage, bool? ReadOnly, string? EventType,
    string? EventCategory, bool? ManagementEvent, string? EventVersion, string? RecipientAccount, string? OrganizationId,
    bool? MfaUsed, string? RequestId, string? ResourceGroup, string? ResourceId, string? CorrelationId, string? Level,
    JsonElement? Identity, JsonElement Resources, JsonElement Anomalies, string Source, DateTimeOffset ReceivedAt, string Raw)
{
    public static ActivityDetail From(ActivityRecord a) => new(
        new ActivitySummary(a.Provider, a.EventId, a.Time, a.Account, a.Region, a.Service, a.Operation,
            a.Actor, a.ActorType, a.SourceIp, a.Outcome, a.ErrorCode),
        a.UserAgent, a.ErrorMessage, a.ReadOnly, a.EventType, a.EventCategory, a.ManagementEvent, a.EventVersion,
        a.RecipientAccount, a.OrganizationId, a.MfaUsed, a.RequestId, a.ResourceGroup, a.ResourceId, a.CorrelationId, a.Level,
        a.Identity is null ? null : JsonElement.Parse(a.Identity), JsonElement.Parse(a.Resources), JsonElement.Parse(a.Anomalies),
        a.Source, a.ReceivedAt, a.Raw);
}
