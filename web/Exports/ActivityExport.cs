using System.Globalization;
using System.Text;
using System.Text.Json;
using ControlTower.Web.Gateway;

namespace ControlTower.Web.Exports;

/// <summary>
/// The activity page's export of its current view, as CSV or JSON. It pages through the gateway as the signed-in person
/// (their scopes and rate limits apply) and writes each page as it reads it, so memory stays flat whatever the size, up
/// to <see cref="MaxRows"/> rows; a capped export ends with a note saying so. It needs the portal's cookie like any page.
/// </summary>
public static class ActivityExport
{
    public const int MaxRows = 100_000;
    private const int GatewayPage = 500;

    private static readonly string[] Columns =
        ["time", "provider", "eventId", "account", "region", "service", "operation", "actor", "actorType", "sourceIp", "outcome", "errorCode"];

    public static IEndpointRouteBuilder MapActivityExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/export/activity", ExportAsync)
            .RequireAuthorization()
            .WithName("ExportActivity")
            .ExcludeFromDescription();
        return app;
    }

    public static async Task ExportAsync(HttpContext context, GatewayClient gateway, string? format, int? max)
    {
        var csv = format is null or "csv";
        if (!csv && format != "json")
        {
            await TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["format is csv or json."] }).ExecuteAsync(context);
            return;
        }
        var cap = Math.Clamp(max ?? MaxRows, 1, MaxRows);
        var filters = ActivityFilters.Read(name => context.Request.Query[name].FirstOrDefault());
        var now = DateTimeOffset.UtcNow;
        var query = filters.ToApiQuery(now);
        var cancellationToken = context.RequestAborted;

        // The first page is read before anything is written, so a refusal (a bad filter, a missing scope) is answered as itself.
        ActivityPage page;
        try
        {
            page = await ReadAsync(gateway, query, null, Math.Min(GatewayPage, cap), cancellationToken);
        }
        catch (GatewayProblemException ex)
        {
            await ex.Problem.ToResult().ExecuteAsync(context);
            return;
        }

        var stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        context.Response.ContentType = csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"activity-{stamp}.{(csv ? "csv" : "json")}\"";
        context.Response.Headers.CacheControl = "no-store";

        await using var writer = csv ? (IRowWriter)new CsvRows(context.Response.Body) : new JsonRows(context.Response.Body, filters, now);
        await writer.StartAsync(cancellationToken);
        var written = 0;
        string? stopped = null;
        while (true)
        {
            foreach (var item in page.Items)
            {
                if (written == cap)
                {
                    break;
                }
                writer.Write(item);
                written++;
            }
            await writer.FlushAsync(cancellationToken);
            if (page.Next is null)
            {
                break;
            }
            if (written >= cap)
            {
                stopped = $"Capped at {cap:N0} rows: there are more. Narrow the filters (time range, account, operation) to export the rest.";
                break;
            }
            try
            {
                page = await ReadAsync(gateway, query, page.Next, Math.Min(GatewayPage, cap - written), cancellationToken);
            }
            catch (GatewayProblemException ex)
            {
                stopped = $"Stopped after {written:N0} rows: the gateway answered {ex.Status} ({ex.Problem.Describe()}). Export again to get the rest.";
                break;
            }
        }
        await writer.EndAsync(written, stopped, cancellationToken);
    }

    private static Task<ActivityPage> ReadAsync(GatewayClient gateway, string query, string? before, int limit, CancellationToken cancellationToken) =>
        gateway.GetAsync<ActivityPage>($"/api/activity?limit={limit}" + (query.Length == 0 ? "" : "&" + query)
            + (before is null ? "" : "&before=" + Uri.EscapeDataString(before)), cancellationToken);

    private interface IRowWriter : IAsyncDisposable
    {
        Task StartAsync(CancellationToken cancellationToken);

        void Write(ActivitySummary item);

        Task FlushAsync(CancellationToken cancellationToken);

        Task EndAsync(int written, string? stopped, CancellationToken cancellationToken);
    }

    /// <summary>RFC 4180 CSV with a header row; a capped or broken export ends with a line starting <c>#</c> that says why.</summary>
    private sealed class CsvRows(Stream body) : IRowWriter
    {
        private readonly StreamWriter writer = new(body, new UTF8Encoding(false), 64 * 1024) { NewLine = "\r\n" };

        public Task StartAsync(CancellationToken cancellationToken)
        {
            writer.WriteLine(string.Join(',', Columns));
            return Task.CompletedTask;
        }

        public void Write(ActivitySummary a)
        {
            string?[] values =
            [
                a.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), a.Provider, a.EventId, a.Account, a.Region,
                a.Service, a.Operation, a.Actor, a.ActorType, a.SourceIp, a.Outcome, a.ErrorCode,
            ];
            writer.WriteLine(string.Join(',', values.Select(Escape)));
        }

        public Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);

        public async Task EndAsync(int written, string? stopped, CancellationToken cancellationToken)
        {
            if (stopped is not null)
            {
                writer.WriteLine("# " + stopped);
            }
            await writer.FlushAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => writer.DisposeAsync();

        internal static string Escape(string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return "";
            }
            // A cell a spreadsheet would run as a formula is quoted with a leading apostrophe (OWASP's CSV injection advice).
            if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            {
                value = "'" + value;
            }
            return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
        }
    }

    /// <summary>One JSON object: the filters, the items as the gateway gave them, then the count and whether it was capped.</summary>
    private sealed class JsonRows(Stream body, ActivityFilters filters, DateTimeOffset now) : IRowWriter
    {
        private readonly Utf8JsonWriter writer = new(body, new JsonWriterOptions { Indented = false });

        public Task StartAsync(CancellationToken cancellationToken)
        {
            writer.WriteStartObject();
            writer.WriteString("exportedAt", now);
            writer.WriteStartObject("filters");
            foreach (var (name, value) in filters.Values())
            {
                if (value is not null)
                {
                    writer.WriteString(name, value);
                }
            }
            writer.WriteEndObject();
            writer.WriteStartArray("items");
            return Task.CompletedTask;
        }

        public void Write(ActivitySummary item) => JsonSerializer.Serialize(writer, item, GatewayClient.Json);

        public async Task FlushAsync(CancellationToken cancellationToken) => await writer.FlushAsync(cancellationToken);

        public async Task EndAsync(int written, string? stopped, CancellationToken cancellationToken)
        {
            writer.WriteEndArray();
            writer.WriteNumber("count", written);
            writer.WriteBoolean("complete", stopped is null);
            if (stopped is not null)
            {
                writer.WriteString("note", stopped);
            }
            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => writer.DisposeAsync();
    }
}
