using ControlTower.Contracts.Activity;

namespace ControlTower.Governance.Controls;

/// <summary>
/// An activity that a control enabled in its scope picked: a violation, or, when an access policy refused the
/// call a preventive control covers, the control working (<see cref="Blocked"/>).
/// </summary>
public sealed record ControlHit(Control Control, string Subject, bool Blocked, string EnabledAt);

/// <summary>
/// Judges one activity against the catalog's controls enabled in its scope. Pure: no clock, database or network.
/// Only a call that happened can break a control (outcome Success); one refused for lack of permission shows a
/// preventive control working, and any other failure changed nothing. Calls by AWS services, service-linked
/// roles and Control Tower's own roles are exempt, as the SCPs of Control Tower except them, and preventive
/// controls do not apply in the management account, which SCPs never restrict.
/// </summary>
public static class GuardrailEvaluator
{
    public const int MaxSubjectLength = 300;

    public static IReadOnlyList<ControlHit> Evaluate(CloudActivity activity, ControlCatalog catalog, ControlScope scope)
    {
        if (!MayBreak(activity, catalog))
        {
            return [];
        }
        var denied = activity.Outcome == ActivityOutcome.Failure;
        using var fields = new ActivityFields(activity, scope.Role);
        List<ControlHit>? hits = null;
        bool? exempt = null;
        foreach (var control in catalog.Controls)
        {
            if (control.Provider != activity.Provider
                || !scope.Enabled.TryGetValue(control.Id, out var enabledAt)
                || (denied && !control.IsPreventive)
                || (control.IsPreventive && scope.IsManagementAccount)
                || !control.Match.Matches(fields))
            {
                continue;
            }
            exempt ??= IsExempt(fields, catalog);
            if (exempt.Value)
            {
                return [];
            }
            (hits ??= []).Add(new ControlHit(control, Subject(control, fields), denied, enabledAt));
        }
        return hits ?? [];
    }

    /// <summary>
    /// Whether any control could pick the activity at all: it happened, or an access policy refused it. Most
    /// failures and the Started/Accepted records of Azure operations can not.
    /// </summary>
    public static bool MayBreak(CloudActivity activity, ControlCatalog catalog) =>
        activity.Outcome == ActivityOutcome.Success || (activity.Outcome == ActivityOutcome.Failure && catalog.IsDenied(activity.ErrorCode));

    /// <summary>The control's subject parts of this activity joined by <c>/</c>; a part the activity lacks is <c>-</c>.</summary>
    public static string Subject(Control control, ActivityFields fields)
    {
        var subject = string.Join('/', control.Subject.Select(part => fields.First(part) ?? "-"));
        return subject.Length <= MaxSubjectLength ? subject : subject[..MaxSubjectLength];
    }

    /// <summary>
    /// Whether the caller is one no control judges: an AWS service principal, a service-linked role (path
    /// <c>aws-service-role/</c>, names <c>AWSServiceRoleFor*</c>) or a role of the catalog's <c>exemptRoles</c>, by the
    /// caller's ARN or, for an assumed role, the role that issued the session.
    /// </summary>
    public static bool IsExempt(ActivityFields fields, ControlCatalog catalog)
    {
        var activity = fields.Activity;
        if (activity.Provider != "aws")
        {
            return false;
        }
        if (activity.ActorType == "AWSService" || fields.First("userIdentity.type") == "AWSService")
        {
            return true;
        }
        string?[] arns =
        [
            activity.Actor, activity.Identity?.Arn, activity.Identity?.SessionIssuerArn,
            fields.First("userIdentity.arn"), fields.First("userIdentity.sessionContext.sessionIssuer.arn"),
        ];
        var patterns = catalog.ExemptRolePatterns;
        foreach (var arn in arns)
        {
            if (arn is null)
            {
                continue;
            }
            if (arn.Contains(":role/aws-service-role/", StringComparison.Ordinal))
            {
                return true;
            }
            if (RoleName(arn) is { } role && (role.StartsWith("AWSServiceRoleFor", StringComparison.Ordinal) || patterns.Any(p => p.IsMatch(role))))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The role's name in a role ARN (<c>:role/path/Name</c>) or an assumed-role ARN (<c>:assumed-role/Name/session</c>).</summary>
    public static string? RoleName(string arn)
    {
        var assumed = arn.IndexOf(":assumed-role/", StringComparison.Ordinal);
        if (assumed >= 0)
        {
            var rest = arn[(assumed + ":assumed-role/".Length)..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? rest : rest[..slash];
        }
        var role = arn.IndexOf(":role/", StringComparison.Ordinal);
        return role < 0 ? null : arn[(arn.LastIndexOf('/') + 1)..];
    }
}
