using System.Globalization;
using ControlTower.Contracts.Activity;

namespace ControlTower.ActivityBench;

/// <summary>
/// Realistic activity, deterministic for a seed: many accounts (a few busy, most quiet), services with their
/// operations, human and machine actors, mostly successes with the usual error codes, spread over a window.
/// </summary>
public sealed class ActivityGenerator(int seed = 7)
{
    private readonly Random random = new(seed);

    public static readonly string[] Accounts = Enumerable.Range(0, 500)
        .Select(i => (100_000_000_000L + i * 7_919_113L).ToString(CultureInfo.InvariantCulture)).ToArray();

    public static readonly string[] Subscriptions = Enumerable.Range(0, 120)
        .Select(i => new Guid(i, (short)0x4ab1, (short)0x1cd2, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88).ToString()).ToArray();

    public static readonly (string Service, string[] Operations)[] AwsServices =
    [
        ("ec2.amazonaws.com", ["DescribeInstances", "RunInstances", "TerminateInstances", "CreateTags", "DescribeSecurityGroups", "AuthorizeSecurityGroupIngress", "DescribeVolumes"]),
        ("s3.amazonaws.com", ["GetObject", "PutObject", "ListBuckets", "PutBucketPolicy", "DeleteObject", "GetBucketAcl", "PutBucketPublicAccessBlock"]),
        ("iam.amazonaws.com", ["CreateUser", "AttachRolePolicy", "CreateAccessKey", "GetRole", "ListRoles", "PutRolePolicy", "DeleteUser"]),
        ("sts.amazonaws.com", ["AssumeRole", "GetCallerIdentity", "AssumeRoleWithWebIdentity"]),
        ("kms.amazonaws.com", ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey", "ScheduleKeyDeletion"]),
        ("lambda.amazonaws.com", ["Invoke", "UpdateFunctionCode", "CreateFunction", "ListFunctions"]),
        ("cloudtrail.amazonaws.com", ["LookupEvents", "StopLogging", "DescribeTrails", "UpdateTrail"]),
        ("organizations.amazonaws.com", ["MoveAccount", "AttachPolicy", "DescribeOrganization", "ListAccounts"]),
        ("rds.amazonaws.com", ["DescribeDBInstances", "CreateDBSnapshot", "ModifyDBInstance"]),
        ("dynamodb.amazonaws.com", ["DescribeTable", "UpdateTable", "CreateBackup"]),
        ("logs.amazonaws.com", ["CreateLogStream", "PutRetentionPolicy", "DescribeLogGroups"]),
        ("config.amazonaws.com", ["PutConfigurationRecorder", "StopConfigurationRecorder", "DescribeConfigRules"]),
        ("ecr.amazonaws.com", ["GetAuthorizationToken", "BatchGetImage", "PutImage"]),
        ("secretsmanager.amazonaws.com", ["GetSecretValue", "PutSecretValue", "RotateSecret"]),
    ];

    public static readonly (string Service, string[] Operations)[] AzureServices =
    [
        ("Microsoft.Compute", ["Microsoft.Compute/virtualMachines/write", "Microsoft.Compute/virtualMachines/start/action", "Microsoft.Compute/disks/delete"]),
        ("Microsoft.Storage", ["Microsoft.Storage/storageAccounts/write", "Microsoft.Storage/storageAccounts/listKeys/action"]),
        ("Microsoft.Authorization", ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/policyAssignments/write"]),
        ("Microsoft.Network", ["Microsoft.Network/networkSecurityGroups/write", "Microsoft.Network/publicIPAddresses/write"]),
        ("Microsoft.KeyVault", ["Microsoft.KeyVault/vaults/write", "Microsoft.KeyVault/vaults/secrets/read"]),
        ("Microsoft.Resources", ["Microsoft.Resources/deployments/write", "Microsoft.Resources/subscriptions/resourceGroups/write"]),
    ];

    public static readonly string[] Actors = Enumerable.Range(0, 3000).Select(i => (i % 5) switch
    {
        0 => $"arn:aws:iam::{Accounts[i % Accounts.Length]}:user/user{i:D4}",
        1 => $"arn:aws:sts::{Accounts[i % Accounts.Length]}:assumed-role/Deploy{i % 40:D2}/session-{i:D4}",
        2 => $"arn:aws:sts::{Accounts[i % Accounts.Length]}:assumed-role/AWSServiceRoleForConfig/config-{i:D4}",
        3 => $"person{i:D4}@example.com",
        _ => $"app-{i:D4}-{new Guid(i, (short)1, (short)2, 3, 4, 5, 6, 7, 8, 9, 10):N}",
    }).ToArray();

    private static readonly string[] Regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "westeurope", "northeurope"];
    private static readonly string[] AwsErrors = ["AccessDenied", "ThrottlingException", "ValidationException", "ResourceNotFoundException", "UnauthorizedOperation"];
    private static readonly string[] AzureErrors = ["AuthorizationFailed", "RequestDisallowedByPolicy", "ResourceNotFound", "Conflict"];

    /// <summary>A skewed pick: low indexes far more often (busy accounts, chatty services, automation actors).</summary>
    public int Skewed(int count) => (int)(Math.Pow(random.NextDouble(), 2.5) * count);

    public CloudActivity Next(DateTimeOffset time)
    {
        var azure = random.Next(5) == 0;
        var (service, operations) = azure ? AzureServices[Skewed(AzureServices.Length)] : AwsServices[Skewed(AwsServices.Length)];
        var operation = operations[Skewed(operations.Length)];
        var account = azure ? Subscriptions[Skewed(Subscriptions.Length)] : Accounts[Skewed(Accounts.Length)];
        var actor = Actors[Skewed(Actors.Length)];
        var roll = random.Next(100);
        var outcome = roll < 92 ? ActivityOutcome.Success : roll < 99 ? ActivityOutcome.Failure : ActivityOutcome.Unknown;
        var error = outcome == ActivityOutcome.Failure ? (azure ? AzureErrors : AwsErrors)[random.Next(azure ? AzureErrors.Length : AwsErrors.Length)] : null;
        var eventId = azure ? Guid.NewGuid().ToString() : NewId();
        var region = Regions[azure ? 4 + random.Next(2) : random.Next(4)];
        var resourceId = azure
            ? $"/subscriptions/{account}/resourceGroups/rg-{random.Next(60):D2}/providers/{service}/items/res{random.Next(5000):D4}"
            : $"arn:aws:{service.Split('.')[0]}:{region}:{account}:resource/r-{random.Next(20000):D5}";
        var sourceIp = $"10.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}";
        return new CloudActivity
        {
            Provider = azure ? "azure" : "aws",
            EventId = eventId,
            Time = time,
            Account = account,
            Region = region,
            Service = service,
            Operation = operation,
            Actor = actor,
            ActorType = azure ? "User" : actor.Contains(":user/", StringComparison.Ordinal) ? "IAMUser" : "AssumedRole",
            SourceIp = sourceIp,
            UserAgent = azure ? "Azure-CLI/2.61" : "aws-cli/2.15.30 Python/3.11 Linux/6.1 botocore/2.4",
            Outcome = outcome,
            ErrorCode = error,
            ErrorMessage = error is null ? null : $"{error}: the caller is not allowed to perform {operation}",
            ReadOnly = operation.StartsWith("Describe", StringComparison.Ordinal) || operation.StartsWith("Get", StringComparison.Ordinal) || operation.StartsWith("List", StringComparison.Ordinal),
            EventType = azure ? null : "AwsApiCall",
            EventCategory = azure ? "Administrative" : "Management",
            ManagementEvent = !azure,
            EventVersion = azure ? null : "1.09",
            RecipientAccount = azure ? null : account,
            OrganizationId = "o-exampleorgid",
            MfaUsed = random.Next(4) == 0,
            RequestId = Guid.NewGuid().ToString(),
            ResourceGroup = azure ? $"rg-{random.Next(60):D2}" : null,
            ResourceId = resourceId,
            CorrelationId = azure ? Guid.NewGuid().ToString() : null,
            Level = azure ? "Informational" : null,
            Identity = new ActivityIdentity { Type = azure ? "User" : "AssumedRole", PrincipalId = actor },
            Resources = [new ActivityResource { Arn = resourceId, Type = azure ? service : "AWS::Resource" }],
            Anomalies = [],
            Raw = $$"""{"eventVersion":"1.09","eventTime":"{{time.UtcDateTime:O}}","eventSource":"{{service}}","eventName":"{{operation}}","awsRegion":"{{region}}","sourceIPAddress":"{{sourceIp}}","userIdentity":{"type":"AssumedRole","arn":"{{actor}}","accountId":"{{account}}"},"requestParameters":{"resource":"{{resourceId}}"},"responseElements":null,"eventID":"{{eventId}}","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"{{account}}"{{(error is null ? "" : $",\"errorCode\":\"{error}\"")}}}""",
        };
    }

    private string NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }
}
