using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ControlTower.Web.Gateway;

public sealed record ActivitySummary(
    string Provider, string EventId, DateTimeOffset Time, string Account, string? Region, string Service,
    string Operation, string? Actor, string? ActorType, string? SourceIp, string Outcome, string? ErrorCode);

public sealed record ActivityPage(IReadOnlyList<ActivitySummary> Items, string? Next);

/// <summary>One event as Operations keeps it (<c>GET /api/activity/{provider}/{eventId}</c>): the normalised fields and the raw source record.</summary>
public sealed record ActivityDetail(
    ActivitySummary Activity, string? UserAgent, string? ErrorMessage, bool? ReadOnly, string? EventType,
    string? EventCategory, bool? ManagementEvent, string? EventVersion, string? RecipientAccount, string? OrganizationId,
    bool? MfaUsed, string? RequestId, string? ResourceGroup, string? ResourceId, string? CorrelationId, string? Level,
    JsonElement? Identity, JsonElement? Resources, JsonElement? Anomalies, string Source, DateTimeOffset ReceivedAt, string Raw)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The raw record indented for reading; as it came when it is not JSON.</summary>
    public string PrettyRaw()
    {
        try
        {
            using var document = JsonDocument.Parse(Raw);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return Raw;
        }
    }
}

/// <summary>
/// The activity explorer's filters as they stand in the page's URL (and the export's): a time range preset
/// (<c>range</c> = 1h, 24h, 7d, or custom with <c>from</c>/<c>to</c>; none means any time), provider, account or
/// subscription, service, operation, actor, outcome and free text <c>q</c>. <see cref="ToApiQuery"/> turns them into the
/// gateway's <c>/api/activity</c> query, resolving a preset against the time given.
/// </summary>
public sealed record ActivityFilters(
    string? Range = null, string? From = null, string? To = null, string? Provider = null, string? Account = null,
    string? Service = null, string? Operation = null, string? Actor = null, string? Outcome = null, string? Q = null)
{
    public static readonly IReadOnlyList<(string Value, string Label)> Ranges =
        [("", "Any time"), ("1h", "Last hour"), ("24h", "Last 24 hours"), ("7d", "Last 7 days"), ("custom", "Custom range")];

    public static readonly IReadOnlyList<(string Value, string Label)> Providers = [("", "Any provider"), ("aws", "AWS"), ("azure", "Azure")];

    public static readonly IReadOnlyList<(string Value, string Label)> Outcomes =
        [("", "Any outcome"), ("Success", "Success"), ("Failure", "Failure"), ("Unknown", "Unknown")];

    /// <summary>The query parameter names, in the order they appear in a URL.</summary>
    public static readonly IReadOnlyList<string> Names = ["range", "from", "to", "provider", "account", "service", "operation", "actor", "outcome", "q"];

    /// <summary>Reads the filters from a query string lookup (a blank value counts as none).</summary>
    public static ActivityFilters Read(Func<string, string?> query)
    {
        string? Get(string name) => query(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        return new ActivityFilters(Get("range"), Get("from"), Get("to"), Get("provider"), Get("account"), Get("service"),
            Get("operation"), Get("actor"), Get("outcome"), Get("q")).Normalised();
    }

    /// <summary>Blank values as none; an unknown preset as none; from/to kept only for a custom range (which they imply).</summary>
    public ActivityFilters Normalised()
    {
        static string? N(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
        var range = N(Range);
        if (range is not null && Ranges.All(r => r.Value != range))
        {
            range = null;
        }
        var from = N(From);
        var to = N(To);
        if (range is null && (from is not null || to is not null))
        {
            range = "custom";
        }
        if (range != "custom")
        {
            from = to = null;
        }
        return new ActivityFilters(range, from, to, N(Provider)?.ToLowerInvariant(), N(Account), N(Service), N(Operation), N(Actor), N(Outcome), N(Q));
    }

    /// <summary>Whether the newest events can still arrive in this view (no fixed end): the first page then follows them live.</summary>
    public bool OpenEnded => Range != "custom" || To is null;

    public bool IsEmpty => Values().All(v => v.Value is null);

    public IEnumerable<KeyValuePair<string, string?>> Values() =>
    [
        new("range", Range), new("from", From), new("to", To), new("provider", Provider), new("account", Account),
        new("service", Service), new("operation", Operation), new("actor", Actor), new("outcome", Outcome), new("q", Q),
    ];

    /// <summary>The page URL's parameters (null removes one), for <c>NavigationManager.GetUriWithQueryParameters</c>.</summary>
    public Dictionary<string, object?> ToUrlParameters() => Values().ToDictionary(v => v.Key, v => (object?)v.Value);

    /// <summary>The filters as a query string without the leading '?', e.g. for the export links.</summary>
    public string ToQueryString() => Join(Values());

    /// <summary>The gateway's query: a preset becomes <c>from</c> = <paramref name="now"/> less its span.</summary>
    public string ToApiQuery(DateTimeOffset now)
    {
        var from = Range switch
        {
            "1h" => Iso(now.AddHours(-1)),
            "24h" => Iso(now.AddDays(-1)),
            "7d" => Iso(now.AddDays(-7)),
            "custom" => From,
            _ => null,
        };
        return Join([
            new("from", from), new("to", Range == "custom" ? To : null), new("provider", Provider), new("account", Account),
            new("service", Service), new("operation", Operation), new("actor", Actor), new("outcome", Outcome), new("q", Q),
        ]);
    }

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Join(IEnumerable<KeyValuePair<string, string?>> values)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in values)
        {
            if (value is not null)
            {
                text.Append(text.Length == 0 ? "" : "&").Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }
        return text.ToString();
    }
}
