using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ControlTower.Collector.Ingestion;
using ControlTower.Contracts.Activity;

namespace ControlTower.Collector.Azure.Parsing;

/// <summary>
/// What every Azure format shares: resource ids, Entra ID claims, and the case and value variants Azure writes
/// the same thing in (<c>Succeeded</c>/<c>Success</c>, <c>Information</c>/<c>Informational</c>, upper-case
/// operation names). Pure.
/// </summary>
public static class AzureFields
{
    public const string Provider = "azure";
    public const string UnknownAccount = "unknown";

    private const string ClaimUpn = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";
    private const string ClaimName = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
    private const string ClaimEmail = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
    private const string ClaimObjectId = "http://schemas.microsoft.com/identity/claims/objectidentifier";
    private const string ClaimTenantId = "http://schemas.microsoft.com/identity/claims/tenantid";
    private const string ClaimMethods = "http://schemas.microsoft.com/claims/authnmethodsreferences";

    private static readonly Utf8Interner Interned = new();
    private static readonly Utf8Interner InternedLower = new(transform: text => text.ToLowerInvariant());

    /// <summary>
    /// <see cref="Text(JsonElement)"/> for values that repeat from record to record (operations, locations,
    /// tenants, categories): the same string comes back for the same text instead of a fresh copy per record.
    /// </summary>
    public static string? Shared(JsonElement value) => Interned.Text(value);

    /// <summary><see cref="Shared"/> in lower case, lowered once per distinct text.</summary>
    public static string? SharedLower(JsonElement value) => InternedLower.Text(value);

    /// <summary>A value the REST form writes as <c>{"value": ...}</c> and other forms as a string, shared.</summary>
    public static string? SharedValue(JsonElement value) =>
        Shared(value.ValueKind == JsonValueKind.Object && value.TryGetProperty("value"u8, out var inner) ? inner : value);

    /// <summary>The text of a non-empty string property of an object; null otherwise.</summary>
    public static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? Text(value) : null;

    public static string? Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    public static JsonElement Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : default;

    /// <summary>The parts of a resource id the activity names, found in one pass over it.</summary>
    public readonly record struct ResourceIdParts(string? Subscription, string? ResourceGroup, string? Provider, string? Type)
    {
        public static readonly ResourceIdParts None = default;

        /// <summary>
        /// <c>/subscriptions/{id}/resourceGroups/{name}/providers/{namespace}/{type}/{name}[/{type}/{name}...]</c>,
        /// any case; the provider and type are those after the last <c>providers</c>, in lower case.
        /// </summary>
        public static ResourceIdParts Parse(string? resourceId)
        {
            if (resourceId is null)
            {
                return None;
            }
            var id = resourceId.AsSpan();
            string? subscription = null, group = null;
            var providers = -1;
            var segment = 0;
            var start = 0;
            Span<Range> seen = stackalloc Range[64];
            var count = 0;
            for (var i = 0; i <= id.Length && count < seen.Length; i++)
            {
                if (i < id.Length && id[i] != '/')
                {
                    continue;
                }
                if (i > start)
                {
                    seen[count++] = new Range(start, i);
                }
                start = i + 1;
            }
            for (segment = 0; segment < count - 1; segment++)
            {
                var name = id[seen[segment]];
                if (subscription is null && name.Equals("subscriptions", StringComparison.OrdinalIgnoreCase))
                {
                    subscription = id[seen[segment + 1]].ToString().ToLowerInvariant();
                }
                else if (group is null && name.Equals("resourceGroups", StringComparison.OrdinalIgnoreCase))
                {
                    group = id[seen[segment + 1]].ToString();
                }
                else if (name.Equals("providers", StringComparison.OrdinalIgnoreCase))
                {
                    providers = segment;
                }
            }
            if (providers < 0)
            {
                return new ResourceIdParts(subscription, group, null, null);
            }
            var provider = id[seen[providers + 1]].ToString().ToLowerInvariant();
            var type = new System.Text.StringBuilder(provider);
            for (var j = providers + 2; j < count; j += 2)
            {
                type.Append('/').Append(id[seen[j]]);
            }
            return new ResourceIdParts(subscription, group, provider, type.ToString().ToLowerInvariant());
        }
    }

    /// <summary>The segment after <paramref name="key"/> in a resource id (<c>/subscriptions/{id}/resourceGroups/{name}/...</c>), any case.</summary>
    public static string? Segment(string? resourceId, string key)
    {
        if (resourceId is null)
        {
            return null;
        }
        var parts = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (parts[i].Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                return parts[i + 1];
            }
        }
        return null;
    }

    /// <summary>The subscription of a resource id or topic, as a lower-case GUID (Azure ids are case-insensitive and arrive in either case).</summary>
    public static string? Subscription(string? resourceId) => Segment(resourceId, "subscriptions")?.ToLowerInvariant();

    public static string? ResourceGroup(string? resourceId) => Segment(resourceId, "resourceGroups");

    /// <summary>The resource provider namespace of a resource id: the one after its last <c>providers</c> segment.</summary>
    public static string? ProviderOf(string? resourceId)
    {
        if (resourceId is null)
        {
            return null;
        }
        var parts = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 2; i >= 0; i--)
        {
            if (parts[i].Equals("providers", StringComparison.OrdinalIgnoreCase))
            {
                return parts[i + 1];
            }
        }
        return null;
    }

    /// <summary>
    /// <c>microsoft.storage/storageaccounts</c> for a storage account's id: namespace and type names after the last
    /// <c>providers</c>, in lower case as operation names are (ids arrive in any case).
    /// </summary>
    public static string? ResourceType(string? resourceId)
    {
        if (resourceId is null)
        {
            return null;
        }
        var parts = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 2; i >= 0; i--)
        {
            if (parts[i].Equals("providers", StringComparison.OrdinalIgnoreCase))
            {
                var type = new List<string> { parts[i + 1] };
                for (var j = i + 2; j < parts.Length; j += 2)
                {
                    type.Add(parts[j]);
                }
                return string.Join('/', type).ToLowerInvariant();
            }
        }
        return null;
    }

    /// <summary>
    /// An ARM operation name (<c>Namespace/type/action</c>) in lower case, so the same operation is one value
    /// whichever door and case it came in; any other name (a data-plane <c>GetBlob</c>) as given.
    /// </summary>
    public static string Operation(string name) => name.Contains('/', StringComparison.Ordinal) ? name.ToLowerInvariant() : name;

    /// <summary>The provider namespace an ARM operation name starts with, in lower case.</summary>
    public static string? OperationNamespace(string? name)
    {
        var slash = name?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash > 0 ? name![..slash].ToLowerInvariant() : null;
    }

    /// <summary>Outcome from a status or result type: <c>Succeeded</c>/<c>Success</c>, <c>Failed</c>/<c>Failure</c>; anything else (Started, Accepted, Active) is no outcome yet.</summary>
    public static ActivityOutcome Outcome(string? status) => status?.ToLowerInvariant() switch
    {
        "success" or "succeeded" => ActivityOutcome.Success,
        "failure" or "failed" => ActivityOutcome.Failure,
        _ => ActivityOutcome.Unknown,
    };

    /// <summary><c>Information</c> and <c>Informational</c> are one level; the names in the documented case.</summary>
    public static string? Level(string? level) => level?.ToLowerInvariant() switch
    {
        null => null,
        "information" or "informational" => "Informational",
        "critical" => "Critical",
        "error" => "Error",
        "warning" => "Warning",
        "verbose" => "Verbose",
        _ => level,
    };

    /// <summary>
    /// The Activity Log category. <c>Write</c>, <c>Action</c> and <c>Delete</c> are how some exports name the
    /// Administrative category; the rest are kept as given.
    /// </summary>
    public static string? Category(string? category) => category?.ToLowerInvariant() switch
    {
        null => null,
        "administrative" or "write" or "action" or "delete" => "Administrative",
        "policy" => "Policy",
        "security" => "Security",
        "servicehealth" => "ServiceHealth",
        "resourcehealth" => "ResourceHealth",
        "alert" => "Alert",
        "autoscale" => "Autoscale",
        "recommendation" => "Recommendation",
        _ => category,
    };

    /// <summary>An address as the caller's IP: an IPv4 address with a port (<c>10.0.0.1:42781</c>) loses the port.</summary>
    public static string? Address(string? address)
    {
        if (address is null)
        {
            return null;
        }
        var colon = address.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && address.IndexOf(':', colon + 1) < 0 && address.IndexOf('.', StringComparison.Ordinal) > 0 ? address[..colon] : address;
    }

    /// <summary>What the token's claims and the authorization evidence say about the caller.</summary>
    public readonly record struct Caller(ActivityIdentity? Identity, bool? MfaUsed, string? IpAddress);

    // Claim names in slot order (long URIs and their short JWT forms); a record's claims are read in one pass.
    private static readonly byte[][] ClaimNames =
    [
        Encoding.UTF8.GetBytes(ClaimUpn), "upn"u8.ToArray(), Encoding.UTF8.GetBytes(ClaimName), Encoding.UTF8.GetBytes(ClaimEmail),
        "unique_name"u8.ToArray(), "appid"u8.ToArray(), "azp"u8.ToArray(), Encoding.UTF8.GetBytes(ClaimObjectId), "oid"u8.ToArray(),
        Encoding.UTF8.GetBytes(ClaimTenantId), "tid"u8.ToArray(), "iss"u8.ToArray(), "idp"u8.ToArray(),
        Encoding.UTF8.GetBytes(ClaimMethods), "amr"u8.ToArray(), "ipaddr"u8.ToArray(),
    ];

    /// <summary>
    /// The caller from the token's claims and the authorization evidence (role and principal type), where either
    /// is given; whether the token says MFA was used (<c>mfa</c> among its authentication methods); its address.
    /// </summary>
    public static Caller ReadCaller(JsonElement claims, JsonElement authorization)
    {
        var evidence = Object(authorization, "evidence");
        if (claims.ValueKind != JsonValueKind.Object && evidence.ValueKind != JsonValueKind.Object)
        {
            return default;
        }
        var values = new string?[16];
        if (claims.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in claims.EnumerateObject())
            {
                var name = JsonMarshal.GetRawUtf8PropertyName(property);
                for (var slot = 0; slot < ClaimNames.Length; slot++)
                {
                    if (name.SequenceEqual(ClaimNames[slot]))
                    {
                        values[slot] = Shared(property.Value);
                        break;
                    }
                }
            }
        }
        var upn = values[0] ?? values[1];
        var appId = values[5] ?? values[6];
        var methods = values[13] ?? values[14];
        var identity = new ActivityIdentity
        {
            Type = Text(evidence, "principalType") ?? (upn is not null ? "User" : appId is not null ? "ServicePrincipal" : null),
            PrincipalId = values[7] ?? values[8] ?? Text(evidence, "principalId"),
            UserName = upn ?? values[2] ?? values[3] ?? values[4],
            Account = values[9] ?? values[10],
            AppId = appId,
            Role = Text(evidence, "role"),
            IdentityProvider = values[11] ?? values[12],
        };
        bool? mfa = methods?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Contains("mfa", StringComparer.OrdinalIgnoreCase);
        return new Caller(identity, mfa, values[15]);
    }

    /// <summary>Who acted, in the most readable form there is: user name, then application, then principal id.</summary>
    public static string? Actor(ActivityIdentity? identity, string? caller = null) =>
        identity?.UserName ?? caller ?? identity?.AppId ?? identity?.PrincipalId;

    /// <summary>The resource of an event as a resource entry, with its type from the id.</summary>
    public static IReadOnlyList<ActivityResource> Resources(string? resourceId, string? account) =>
        resourceId is null ? [] : [new ActivityResource { Id = resourceId, Type = ResourceType(resourceId), Account = account }];

    public static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
