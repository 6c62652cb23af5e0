namespace ControlTower.Contracts.Activity;

/// <summary>
/// One event from a cloud control plane, normalised so that downstream code does not care which cloud it
/// came from. <see cref="Raw"/> keeps the source record exactly as received, as evidence; nothing a source
/// sends is dropped, and what the collector had to infer is said in <see cref="Anomalies"/>.
/// </summary>
public record CloudActivity
{
    /// <summary><c>aws</c> or <c>azure</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>The source's own unique id (CloudTrail <c>eventID</c>, Azure <c>eventDataId</c> / Event Grid <c>id</c>).</summary>
    public required string EventId { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>AWS account id or Azure subscription id the event belongs to (<c>unknown</c> when no source field says).</summary>
    public required string Account { get; init; }

    /// <summary>The AWS region, or the Azure location where the source says one.</summary>
    public string? Region { get; init; }

    /// <summary>
    /// The service called, e.g. <c>iam</c> for <c>iam.amazonaws.com</c>, or the Azure resource provider namespace in
    /// lower case, e.g. <c>microsoft.storage</c>.
    /// </summary>
    public required string Service { get; init; }

    /// <summary>
    /// The operation, e.g. <c>CreateUser</c>, or an Azure operation name in lower case (Azure's are case-insensitive
    /// and arrive in any case), e.g. <c>microsoft.authorization/locks/delete</c>.
    /// </summary>
    public required string Operation { get; init; }

    /// <summary>The Azure resource group the event's resource belongs to, where it belongs to one.</summary>
    public string? ResourceGroup { get; init; }

    /// <summary>The full id of the resource acted on (an Azure resource id), where the source names one.</summary>
    public string? ResourceId { get; init; }

    /// <summary>The id that ties the records of one operation together (Azure <c>correlationId</c>).</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The source's severity, e.g. Azure's <c>Critical</c>, <c>Error</c>, <c>Warning</c>, <c>Informational</c>.</summary>
    public string? Level { get; init; }

    /// <summary>Who acted: an ARN, user name or principal id.</summary>
    public string? Actor { get; init; }

    /// <summary>The kind of identity, e.g. <c>IAMUser</c>, <c>AssumedRole</c>, <c>Root</c>.</summary>
    public string? ActorType { get; init; }

    /// <summary>The identity in full, where the source gives it.</summary>
    public ActivityIdentity? Identity { get; init; }

    public string? SourceIp { get; init; }

    public string? UserAgent { get; init; }

    public required ActivityOutcome Outcome { get; init; }

    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    public bool? ReadOnly { get; init; }

    /// <summary>The source's event type, e.g. <c>AwsApiCall</c>, <c>AwsServiceEvent</c>.</summary>
    public string? EventType { get; init; }

    /// <summary><c>Management</c>, <c>Data</c>, <c>Insight</c>, ... as the source says.</summary>
    public string? EventCategory { get; init; }

    public bool? ManagementEvent { get; init; }

    /// <summary>The source's schema version, e.g. CloudTrail <c>eventVersion</c> 1.11.</summary>
    public string? EventVersion { get; init; }

    /// <summary>The account whose trail received the event (may differ from the caller's account).</summary>
    public string? RecipientAccount { get; init; }

    /// <summary>The AWS organisation id (from an organisation trail's S3 key) or the Azure tenant id.</summary>
    public string? OrganizationId { get; init; }

    /// <summary>Whether the caller used MFA, where the source says (<c>MFAUsed</c> or the session's <c>mfaAuthenticated</c>).</summary>
    public bool? MfaUsed { get; init; }

    public string? RequestId { get; init; }

    /// <summary>The resources the event names.</summary>
    public IReadOnlyList<ActivityResource> Resources { get; init; } = [];

    /// <summary>What the collector inferred or found inconsistent, in words (e.g. a time it could not read).</summary>
    public IReadOnlyList<string> Anomalies { get; init; } = [];

    /// <summary>The source record as received (JSON).</summary>
    public required RawJson Raw { get; init; }
}

public record ActivityIdentity
{
    public string? Type { get; init; }
    public string? PrincipalId { get; init; }
    public string? Arn { get; init; }
    public string? Account { get; init; }
    public string? UserName { get; init; }
    public string? InvokedBy { get; init; }
    public string? AccessKeyId { get; init; }

    /// <summary>For assumed roles and federated sessions: the role or user the session was issued by.</summary>
    public string? SessionIssuerArn { get; init; }

    public string? SessionIssuerType { get; init; }

    /// <summary>SAML or web-identity provider, for federated users; the token issuer for Azure callers.</summary>
    public string? IdentityProvider { get; init; }

    /// <summary>The Entra ID application (client) id the caller used (Azure <c>appid</c> claim).</summary>
    public string? AppId { get; init; }

    /// <summary>The role whose assignment allowed the call (Azure <c>authorization.evidence.role</c>).</summary>
    public string? Role { get; init; }
}

public record ActivityResource
{
    public string? Arn { get; init; }

    /// <summary>An id that is not an ARN, e.g. an Azure resource id.</summary>
    public string? Id { get; init; }

    public string? Type { get; init; }
    public string? Account { get; init; }
}

public enum ActivityOutcome
{
    Unknown,
    Success,
    Failure,
}
