using ControlTower.Web.Gateway;

namespace ControlTower.Web.Exports;

/// <summary>
/// The audit log export as a download: the browser holds no gateway credential, so the portal asks the gateway as the
/// signed-in person and streams its answer through unchanged (CSV or JSON, never buffered whole).
/// </summary>
public static class AuditExport
{
    private static readonly string[] Passed = ["format", "actor", "action", "targetType", "target", "from", "to", "result"];

    public static IEndpointRouteBuilder MapAuditExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/exports/audit", ExportAsync).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task ExportAsync(HttpContext context, GatewayClient gateway)
    {
        var query = string.Join("&", Passed
            .Where(name => !string.IsNullOrWhiteSpace(context.Request.Query[name]))
            .Select(name => $"{name}={Uri.EscapeDataString(context.Request.Query[name].ToString())}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit/export?" + query);
        HttpResponseMessage answer;
        try
        {
            answer = await gateway.OpenAsync(request, context.RequestAborted);
        }
        catch (GatewayProblemException ex)
        {
            await ex.Problem.ToResult().ExecuteAsync(context);
            return;
        }
        using (answer)
        {
            context.Response.ContentType = answer.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
            var format = context.Request.Query["format"].ToString() is "csv" ? "csv" : "json";
            context.Response.Headers.ContentDisposition = answer.Content.Headers.ContentDisposition?.ToString()
                ?? $"attachment; filename=\"audit.{format}\"";
            await using var body = await answer.Content.ReadAsStreamAsync(context.RequestAborted);
            await body.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }
}
