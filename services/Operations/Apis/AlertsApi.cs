using System.Text.Json;
using ControlTower.Operations.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Operations.Apis;

public static class AlertsApi
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/alerts").WithTags("Alerts");
        api.MapGet("/", ListAlerts)
            .WithName("ListAlerts")
            .WithSummary("Alerts from the clouds' monitoring, most recently fired first; condition=fired for the open ones");
        api.MapGet("/{provider}/{**alertId}", GetAlert)
            .WithName("GetAlert")
            .WithSummary("One alert with its fired and resolved notifications as received");
        return app;
    }

    public static async Task<Results<Ok<List<AlertSummary>>, ValidationProblem>> ListAlerts(
        OperationsDbContext db, string? condition, int? limit, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var size = limit ?? 50;
        if (size is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        }
        string? wanted = null;
        if (condition is not null)
        {
            wanted = condition.ToLowerInvariant() switch
            {
                "fired" => "Fired",
                "resolved" => "Resolved",
                _ => null,
            };
            if (wanted is null)
            {
                errors["condition"] = ["condition is 'fired' or 'resolved'."];
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.Alerts.AsNoTracking();
        if (wanted is not null)
        {
            query = query.Where(a => a.Condition == wanted);
        }
        var rows = await query.OrderByDescending(a => a.FiredAt).ThenBy(a => a.Provider).ThenBy(a => a.AlertId)
            .Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(AlertSummary.From).ToList());
    }

    public static async Task<Results<Ok<AlertDetail>, NotFound>> GetAlert(
        OperationsDbContext db, string provider, string alertId, CancellationToken cancellationToken)
    {
        // Azure alert ids are resource paths; the route takes the rest of the URL, with or without its leading slash.
        var id = alertId.StartsWith('/') ? alertId : "/" + alertId;
        var row = await db.Alerts.AsNoTracking()
            .FirstOrDefaultAsync(a => a.Provider == provider && (a.AlertId == id || a.AlertId == alertId), cancellationToken);
        return row is null ? TypedResults.NotFound() : TypedResults.Ok(AlertDetail.From(row));
    }
}

public sealed record AlertSummary(
    string Provider, string AlertId, string Condition, string Rule, string? Severity, string? SignalType, string Account,
    string? ResourceGroup, IReadOnlyList<string> Targets, DateTimeOffset FiredAt, DateTimeOffset? ResolvedAt, string? Description)
{
    public static AlertSummary From(AlertRecord a) => new(a.Provider, a.AlertId, a.Condition.ToLowerInvariant(), a.Rule, a.Severity,
        a.SignalType, a.Account, a.ResourceGroup, JsonSerializer.Deserialize<List<string>>(a.Targets) ?? [], a.FiredAt, a.ResolvedAt, a.Description);
}

public sealed record AlertDetail(
    AlertSummary Alert, string? RuleId, string? MonitoringService, string? ResourceType, IReadOnlyList<string> ConfigurationItems,
    string? OriginAlertId, string? InvestigationLink, JsonElement Anomalies, string Source, DateTimeOffset FirstReceivedAt,
    DateTimeOffset UpdatedAt, string? RawFired, string? RawResolved)
{
    public static AlertDetail From(AlertRecord a) => new(AlertSummary.From(a), a.RuleId, a.MonitoringService, a.ResourceType,
        JsonSerializer.Deserialize<List<string>>(a.ConfigurationItems) ?? [], a.OriginAlertId, a.InvestigationLink,
        JsonElement.Parse(a.Anomalies), a.Source, a.FirstReceivedAt, a.UpdatedAt, a.RawFired, a.RawResolved);
}
