using System.Text.Json;
using System.Text.RegularExpressions;
using ControlTower.Contracts.Activity;

namespace ControlTower.Governance.Observed;

/// <summary>
/// The subscription now sits in this management group, or (<paramref name="Removed"/>) was taken out of it and
/// so sits under the tenant root group.
/// </summary>
public sealed record SubscriptionPlaced(string SubscriptionId, string ManagementGroupId, bool Removed, string? Name, DateTimeOffset At, string EventId)
    : OrganizationChange(At, EventId);

/// <summary>A management group was created or updated (name and parent when the event carries them) or deleted.</summary>
public sealed record ManagementGroupChanged(string GroupId, string? Name, string? ParentId, bool Deleted, DateTimeOffset At, string EventId)
    : OrganizationChange(At, EventId);

/// <summary>A policy assignment was written (definition, enforcement mode and effect when the event carries them) or deleted.</summary>
public sealed record PolicyAssignmentChanged(
    string AssignmentId, string Name, string Scope, string? DefinitionId, string? EnforcementMode, string? Effect, bool Deleted, DateTimeOffset At, string EventId)
    : OrganizationChange(At, EventId);

/// <summary>A policy exemption was written (with the assignment it exempts from when the event carries it) or deleted.</summary>
public sealed record PolicyExemptionChanged(
    string ExemptionId, string Name, string Scope, string? AssignmentId, string? Category, DateTimeOffset? ExpiresOn, bool Deleted, DateTimeOffset At, string EventId)
    : OrganizationChange(At, EventId);

/// <summary>
/// Reads Azure activity (Activity Log records and Event Grid resource events, as Collector.Azure normalises
/// them) into the changes it makes to the observed management groups, subscriptions, policy assignments and
/// exemptions. Pure. Operation names are compared without case (exports write them in upper case); only
/// succeeded operations count (a <c>Started</c> or <c>Accepted</c> record announces a change that may still fail).
/// The written object's properties come from the record's <c>properties.requestbody</c> (or <c>responseBody</c>)
/// when it carries them, and are left unknown when it does not. Ids are returned in lower case.
/// </summary>
public static partial class AzureEvents
{
    public const string ManagementGroupPrefix = "/providers/microsoft.management/managementgroups/";

    public static IReadOnlyList<OrganizationChange> Interpret(CloudActivity activity)
    {
        if (activity.Provider != "azure" || activity.Outcome != ActivityOutcome.Success || activity.ResourceId is not { Length: > 0 } resourceId)
        {
            return [];
        }
        var operation = activity.Operation;
        var at = activity.Time;
        var id = activity.EventId;
        if (Is(operation, "Microsoft.Management/managementGroups/subscriptions/write", "Microsoft.Management/managementGroups/subscriptions/delete"))
        {
            var match = SubscriptionInGroup().Match(resourceId);
            return match.Success
                ? [new SubscriptionPlaced(match.Groups["sub"].Value.ToLowerInvariant(), match.Groups["mg"].Value.ToLowerInvariant(),
                    operation.EndsWith("/delete", StringComparison.OrdinalIgnoreCase), null, at, id)]
                : [];
        }
        if (Is(operation, "Microsoft.Management/managementGroups/write", "Microsoft.Management/managementGroups/delete"))
        {
            var match = ManagementGroup().Match(resourceId);
            if (!match.Success)
            {
                return [];
            }
            var deleted = operation.EndsWith("/delete", StringComparison.OrdinalIgnoreCase);
            var properties = deleted ? default : BodyProperties(activity);
            var parent = Text(Object(Object(properties, "details"), "parent"), "id") is { } parentId ? LastSegment(parentId) : null;
            return [new ManagementGroupChanged(match.Groups["mg"].Value.ToLowerInvariant(), Text(properties, "displayName"), parent, deleted, at, id)];
        }
        if (Is(operation, "Microsoft.Authorization/policyAssignments/write", "Microsoft.Authorization/policyAssignments/delete"))
        {
            var match = Assignment().Match(resourceId);
            if (!match.Success)
            {
                return [];
            }
            var deleted = operation.EndsWith("/delete", StringComparison.OrdinalIgnoreCase);
            var properties = deleted ? default : BodyProperties(activity);
            return [new PolicyAssignmentChanged(resourceId.ToLowerInvariant().TrimEnd('/'), match.Groups["name"].Value.ToLowerInvariant(), Scope(match),
                Text(properties, "policyDefinitionId"), Text(properties, "enforcementMode"), Effect(properties), deleted, at, id)];
        }
        if (Is(operation, "Microsoft.Authorization/policyExemptions/write", "Microsoft.Authorization/policyExemptions/delete"))
        {
            var match = Exemption().Match(resourceId);
            if (!match.Success)
            {
                return [];
            }
            var deleted = operation.EndsWith("/delete", StringComparison.OrdinalIgnoreCase);
            var properties = deleted ? default : BodyProperties(activity);
            DateTimeOffset? expires = Text(properties, "expiresOn") is { } text
                && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed : null;
            return [new PolicyExemptionChanged(resourceId.ToLowerInvariant().TrimEnd('/'), match.Groups["name"].Value.ToLowerInvariant(), Scope(match),
                Text(properties, "policyAssignmentId")?.ToLowerInvariant(), Text(properties, "exemptionCategory"), expires, deleted, at, id)];
        }
        return [];
    }

    /// <summary>Whether the activity may change the observed Azure estate (cheap: the consumer filters a batch with it).</summary>
    public static bool Concerns(CloudActivity activity) =>
        activity.Provider == "azure"
        && (activity.Operation.StartsWith("microsoft.management/managementgroups", StringComparison.OrdinalIgnoreCase)
            || activity.Operation.StartsWith("microsoft.authorization/policyassignments", StringComparison.OrdinalIgnoreCase)
            || activity.Operation.StartsWith("microsoft.authorization/policyexemptions", StringComparison.OrdinalIgnoreCase));

    /// <summary>The management group id at the end of <c>/providers/Microsoft.Management/managementGroups/{id}</c>, or the text itself, in lower case.</summary>
    public static string LastSegment(string id) => id.TrimEnd('/')[(id.TrimEnd('/').LastIndexOf('/') + 1)..].ToLowerInvariant();

    /// <summary>The scope an assignment or exemption id starts with, in lower case; <c>/</c> for the tenant root.</summary>
    private static string Scope(Match match) => match.Groups["scope"].Value is { Length: > 0 } scope ? scope.ToLowerInvariant() : "/";

    private static bool Is(string operation, string write, string delete) =>
        string.Equals(operation, write, StringComparison.OrdinalIgnoreCase) || string.Equals(operation, delete, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The <c>properties</c> of the object the request wrote: from <c>properties.requestbody</c> (a JSON string in
    /// both Activity Log forms), else <c>properties.responseBody</c>; undefined when neither holds an object.
    /// </summary>
    private static JsonElement BodyProperties(CloudActivity activity)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(activity.Raw.ToString());
        }
        catch (JsonException)
        {
            return default;
        }
        using (document)
        {
            var properties = Property(document.RootElement, "properties");
            foreach (var name in new[] { "requestbody", "responseBody" })
            {
                var body = Property(properties, name);
                if (body.ValueKind == JsonValueKind.String)
                {
                    try
                    {
                        using var inner = JsonDocument.Parse(body.GetString()!);
                        if (Property(inner.RootElement, "properties") is { ValueKind: JsonValueKind.Object } written)
                        {
                            return written.Clone();
                        }
                    }
                    catch (JsonException)
                    {
                        // A truncated or redacted body says nothing; the next one may.
                    }
                }
                else if (Property(body, "properties") is { ValueKind: JsonValueKind.Object } written)
                {
                    return written.Clone();
                }
            }
            return default;
        }
    }

    /// <summary>The value of the assignment's parameter named <c>effect</c> (any case), as Azure Landing Zones names it.</summary>
    private static string? Effect(JsonElement properties)
    {
        var parameters = Property(properties, "parameters");
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var parameter in parameters.EnumerateObject())
        {
            if (string.Equals(parameter.Name, "effect", StringComparison.OrdinalIgnoreCase))
            {
                var value = parameter.Value.ValueKind == JsonValueKind.Object ? Property(parameter.Value, "value") : parameter.Value;
                return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } effect ? effect : null;
            }
        }
        return null;
    }

    /// <summary>A property by name, ignoring case (the two Activity Log forms spell <c>requestbody</c> differently).</summary>
    private static JsonElement Property(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            return default;
        }
        if (parent.TryGetProperty(name, out var exact))
        {
            return exact;
        }
        foreach (var property in parent.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }
        return default;
    }

    private static JsonElement Object(JsonElement parent, string name) => Property(parent, name) is { ValueKind: JsonValueKind.Object } value ? value : default;

    private static string? Text(JsonElement parent, string name) =>
        Property(parent, name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { Length: > 0 } text ? text : null;

    [GeneratedRegex(@"^/providers/Microsoft\.Management/managementGroups/(?<mg>[^/]+)/subscriptions/(?<sub>[^/]+)/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SubscriptionInGroup();

    [GeneratedRegex(@"^/providers/Microsoft\.Management/managementGroups/(?<mg>[^/]+)/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ManagementGroup();

    [GeneratedRegex(@"^(?<scope>.*)/providers/Microsoft\.Authorization/policyAssignments/(?<name>[^/]+)/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^(?<scope>.*)/providers/Microsoft\.Authorization/policyExemptions/(?<name>[^/]+)/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Exemption();
}
