using System.Text.Json;
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

    /// <summary>The text of a non-empty string property of an object; null otherwise.</summary>
    public static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? Text(value) : null;

    public static string? Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary>A property that the REST form writes as <c>{"value": ..., "localizedValue": ...}</c> and other forms as a string.</summary>
    public static string? Value(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Object ? Text(value, "value") : Text(value);
    }

    public static JsonElement Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : default;

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

    /// <summary>The caller from the token's claims and the authorization evidence (role and principal type), where either is given.</summary>
    public static ActivityIdentity? Identity(JsonElement claims, JsonElement authorization)
    {
        var evidence = Object(authorization, "evidence");
        if (claims.ValueKind != JsonValueKind.Object && evidence.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var upn = Text(claims, ClaimUpn) ?? Text(claims, "upn");
        var name = Text(claims, ClaimName) ?? Text(claims, ClaimEmail) ?? Text(claims, "unique_name");
        var appId = Text(claims, "appid") ?? Text(claims, "azp");
        var type = Text(evidence, "principalType") ?? (upn is not null ? "User" : appId is not null ? "ServicePrincipal" : null);
        return new ActivityIdentity
        {
            Type = type,
            PrincipalId = Text(claims, ClaimObjectId) ?? Text(claims, "oid") ?? Text(evidence, "principalId"),
            UserName = upn ?? name,
            Account = Text(claims, ClaimTenantId) ?? Text(claims, "tid"),
            AppId = appId,
            Role = Text(evidence, "role"),
            IdentityProvider = Text(claims, "iss") ?? Text(claims, "idp"),
        };
    }

    /// <summary>Whether the token says MFA was used (<c>mfa</c> among its authentication methods); null when it does not say.</summary>
    public static bool? MfaUsed(JsonElement claims)
    {
        var methods = Text(claims, ClaimMethods) ?? Text(claims, "amr");
        return methods?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Contains("mfa", StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Who acted, in the most readable form there is: user name, then application, then principal id.</summary>
    public static string? Actor(ActivityIdentity? identity, string? caller = null) =>
        identity?.UserName ?? caller ?? identity?.AppId ?? identity?.PrincipalId;

    /// <summary>The resource of an event as a resource entry, with its type from the id.</summary>
    public static IReadOnlyList<ActivityResource> Resources(string? resourceId, string? account) =>
        resourceId is null ? [] : [new ActivityResource { Id = resourceId, Type = ResourceType(resourceId), Account = account }];

    public static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
