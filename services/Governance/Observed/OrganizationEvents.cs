using System.Text.Json;
using ControlTower.Contracts.Activity;

namespace ControlTower.Governance.Observed;

/// <summary>
/// A change to the observed AWS organisation (or, for the Azure records in <see cref="AzureEvents"/>, the Azure
/// estate), stamped with the event that made it. Changes to one thing are
/// ordered by (<see cref="At"/>, <see cref="EventId"/>): the latest wins, whatever order events arrive in.
/// </summary>
public abstract record OrganizationChange(DateTimeOffset At, string EventId);

/// <summary>The account now sits under this root or OU (MoveAccount).</summary>
public sealed record AccountMoved(string AccountId, string ParentId, DateTimeOffset At, string EventId) : OrganizationChange(At, EventId);

/// <summary>The account joined (CreateAccountResult) or left (RemoveAccountFromOrganization, LeaveOrganization).</summary>
public sealed record AccountMembershipChanged(string AccountId, bool Member, string? Name, DateTimeOffset At, string EventId) : OrganizationChange(At, EventId);

/// <summary>An OU was created (with its name and parent) or deleted.</summary>
public sealed record OrganizationalUnitChanged(string OuId, string? Name, string? ParentId, bool Deleted, DateTimeOffset At, string EventId)
    : OrganizationChange(At, EventId);

/// <summary>A policy was created or updated (name, type, content, each when the event gives it) or deleted.</summary>
public sealed record PolicyChanged(string PolicyId, string? Name, string? Type, string? Content, bool Deleted, DateTimeOffset At, string EventId)
    : OrganizationChange(At, EventId);

/// <summary>A policy was attached to or detached from a root, OU or account.</summary>
public sealed record PolicyAttachmentChanged(string PolicyId, string TargetId, bool Attached, DateTimeOffset At, string EventId)
    : OrganizationChange(At, EventId);

/// <summary>
/// A switch of the organisation: a policy type on a root (<c>policy-type/r-ab12/SERVICE_CONTROL_POLICY</c>) or a
/// service's trusted access (<c>service-access/controltower.amazonaws.com</c>).
/// </summary>
public sealed record OrganizationSettingChanged(string Key, bool Enabled, DateTimeOffset At, string EventId) : OrganizationChange(At, EventId);

/// <summary>
/// Reads AWS Organizations events (CloudTrail, <c>organizations.amazonaws.com</c>) into the changes they make.
/// Pure. Failed calls change nothing; events of no interest, or missing what they need, yield nothing.
/// </summary>
public static class OrganizationEvents
{
    public static IReadOnlyList<OrganizationChange> Interpret(CloudActivity activity)
    {
        if (activity.Provider != "aws" || activity.Service != "organizations" || activity.Outcome != ActivityOutcome.Success)
        {
            return [];
        }
        using var document = JsonDocument.Parse(activity.Raw.ToString());
        var record = document.RootElement;
        var request = Object(record, "requestParameters");
        var response = Object(record, "responseElements");
        var at = activity.Time;
        var id = activity.EventId;
        var changes = new List<OrganizationChange>();
        switch (activity.Operation)
        {
            case "MoveAccount" when Text(request, "accountId") is { } account && Text(request, "destinationParentId") is { } parent:
                changes.Add(new AccountMoved(account, parent, at, id));
                break;
            case "RemoveAccountFromOrganization" when Text(request, "accountId") is { } removed:
                changes.Add(new AccountMembershipChanged(removed, false, null, at, id));
                break;
            case "LeaveOrganization":
                // Called by the member account itself, which is the account the event belongs to.
                changes.Add(new AccountMembershipChanged(activity.Account, false, null, at, id));
                break;
            case "CreateAccountResult":
                var status = Object(Object(record, "serviceEventDetails"), "createAccountStatus");
                if (string.Equals(Text(status, "state"), "SUCCEEDED", StringComparison.OrdinalIgnoreCase) && Text(status, "accountId") is { } created)
                {
                    changes.Add(new AccountMembershipChanged(created, true, Text(status, "accountName"), at, id));
                }
                break;
            case "CreateOrganizationalUnit" when Text(Object(response, "organizationalUnit"), "id") is { } ou:
                changes.Add(new OrganizationalUnitChanged(ou, Text(request, "name") ?? Text(Object(response, "organizationalUnit"), "name"),
                    Text(request, "parentId"), false, at, id));
                break;
            case "UpdateOrganizationalUnit" when Text(request, "organizationalUnitId") is { } renamed:
                changes.Add(new OrganizationalUnitChanged(renamed, Text(request, "name"), null, false, at, id));
                break;
            case "DeleteOrganizationalUnit" when Text(request, "organizationalUnitId") is { } deleted:
                changes.Add(new OrganizationalUnitChanged(deleted, null, null, true, at, id));
                break;
            case "CreatePolicy" or "UpdatePolicy":
                var summary = Object(Object(response, "policy"), "policySummary");
                if ((Text(request, "policyId") ?? Text(summary, "id")) is { } policy)
                {
                    changes.Add(new PolicyChanged(policy, Text(request, "name") ?? Text(summary, "name"),
                        Text(request, "type") ?? Text(summary, "type"), Text(request, "content"), false, at, id));
                }
                break;
            case "DeletePolicy" when Text(request, "policyId") is { } gone:
                changes.Add(new PolicyChanged(gone, null, null, null, true, at, id));
                break;
            case "AttachPolicy" or "DetachPolicy" when Text(request, "policyId") is { } attached && Text(request, "targetId") is { } target:
                changes.Add(new PolicyAttachmentChanged(attached, target, activity.Operation == "AttachPolicy", at, id));
                break;
            case "EnablePolicyType" or "DisablePolicyType" when Text(request, "rootId") is { } root && Text(request, "policyType") is { } type:
                changes.Add(new OrganizationSettingChanged($"policy-type/{root}/{type}", activity.Operation == "EnablePolicyType", at, id));
                break;
            case "EnableAWSServiceAccess" or "DisableAWSServiceAccess" when Text(request, "servicePrincipal") is { } principal:
                changes.Add(new OrganizationSettingChanged($"service-access/{principal}", activity.Operation == "EnableAWSServiceAccess", at, id));
                break;
        }
        return changes;
    }

    private static JsonElement Object(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : default;

    private static string? Text(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
