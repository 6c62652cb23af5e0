namespace ControlTower.DemoSource;

/// <summary>
/// Makes plausible CloudTrail records for the demo landing zone (the accounts of the sample organisation in
/// <c>deploy/landing-zone</c>): mostly routine calls, some denied, now and then one a guardrail cares about.
/// Deterministic for a seeded <see cref="Random"/> and a given time.
/// </summary>
public sealed class CloudTrailGenerator(Random random)
{
    // payments-dev is left out: its risky calls would open high findings there and block every dev release's gate.
    private static readonly string[] Accounts =
    [
        DemoLandscape.ManagementAccount, DemoLandscape.LogArchiveAccount, DemoLandscape.AuditAccount,
        DemoLandscape.SharedServicesAccount, DemoLandscape.PaymentsProdAccount,
    ];
    private static readonly string[] Regions = ["eu-west-1", "eu-west-1", "eu-central-1", "us-east-1"];
    private static readonly string[] Errors = ["AccessDenied", "Client.UnauthorizedOperation", "ThrottlingException"];

    private sealed record Call(string Source, string Name, bool ReadOnly, int Weight, string EventType = "AwsApiCall");

    private static readonly Call[] Calls =
    [
        new("sts.amazonaws.com", "AssumeRole", false, 20),
        new("ec2.amazonaws.com", "DescribeInstances", true, 14),
        new("s3.amazonaws.com", "ListBuckets", true, 8),
        new("ec2.amazonaws.com", "RunInstances", false, 5),
        new("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", false, 5),
        new("s3.amazonaws.com", "CreateBucket", false, 3),
        new("s3.amazonaws.com", "PutBucketPolicy", false, 2),
        new("iam.amazonaws.com", "CreateRole", false, 2),
        new("iam.amazonaws.com", "AttachRolePolicy", false, 2),
        new("signin.amazonaws.com", "ConsoleLogin", false, 4, "AwsConsoleSignIn"),
        new("kms.amazonaws.com", "Decrypt", true, 6),
        new("iam.amazonaws.com", "CreateAccessKey", false, 1),
        new("cloudtrail.amazonaws.com", "StopLogging", false, 1),
        new("config.amazonaws.com", "StopConfigurationRecorder", false, 1),
        new("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false, 2),
    ];

    private static readonly int TotalWeight = Calls.Sum(c => c.Weight);

    public List<Dictionary<string, object?>> NextFile(DateTimeOffset now, int maxRecords)
    {
        var count = random.Next(1, maxRecords + 1);
        return Enumerable.Range(0, count).Select(_ => NextRecord(now)).ToList();
    }

    public Dictionary<string, object?> NextRecord(DateTimeOffset now)
    {
        var call = Pick();
        var account = Accounts[random.Next(Accounts.Length)];
        var region = call.Source is "iam.amazonaws.com" or "signin.amazonaws.com" ? "us-east-1" : Regions[random.Next(Regions.Length)];
        var failed = random.NextDouble() < 0.08;
        var identity = Identity(account);
        var record = Record(random, now.AddMilliseconds(-random.Next(0, 4000)), account, region, call.Source, call.Name, identity,
            readOnly: call.ReadOnly, eventType: call.EventType);
        record["userAgent"] = random.Next(3) == 0 ? "aws-cli/2.22.4 Python/3.12.6 Linux/6.1" : "Boto3/1.35.60 md/Botocore#1.35.60";
        if (failed)
        {
            record["errorCode"] = Errors[random.Next(Errors.Length)];
            record["errorMessage"] = "User is not authorized to perform this operation";
        }
        return record;
    }

    /// <summary>One CloudTrail record as a trail writes it, with ids drawn from <paramref name="random"/>.</summary>
    public static Dictionary<string, object?> Record(Random random, DateTimeOffset time, string account, string region, string source, string name,
        Dictionary<string, object?> identity, object? requestParameters = null, object? responseElements = null, bool readOnly = false,
        string eventType = "AwsApiCall") => new()
        {
            ["eventVersion"] = "1.09",
            ["userIdentity"] = identity,
            ["eventTime"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["eventSource"] = source,
            ["eventName"] = name,
            ["awsRegion"] = region,
            ["sourceIPAddress"] = $"203.0.113.{random.Next(1, 255)}",
            ["userAgent"] = "aws-cli/2.22.4 Python/3.12.6 Linux/6.1",
            ["requestParameters"] = requestParameters,
            ["responseElements"] = responseElements,
            ["requestID"] = DemoLandscape.NewGuid(random).ToString(),
            ["eventID"] = DemoLandscape.NewGuid(random).ToString(),
            ["readOnly"] = readOnly,
            ["eventType"] = eventType,
            ["managementEvent"] = true,
            ["recipientAccountId"] = account,
            ["eventCategory"] = "Management",
        };

    /// <summary>A person signed in through IAM Identity Center with administrator access, MFA used.</summary>
    public static Dictionary<string, object?> Administrator(string account, string person = "avery.admin") => new()
    {
        ["type"] = "AssumedRole",
        ["principalId"] = $"AROAEXAMPLEID:{person}",
        ["arn"] = $"arn:aws:sts::{account}:assumed-role/AWSReservedSSO_AWSAdministratorAccess_0123456789abcdef/{person}",
        ["accountId"] = account,
        ["sessionContext"] = new Dictionary<string, object?>
        {
            ["sessionIssuer"] = new Dictionary<string, object?>
            {
                ["type"] = "Role",
                ["arn"] = $"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AWSAdministratorAccess_0123456789abcdef",
                ["accountId"] = account,
            },
            ["attributes"] = new Dictionary<string, object?> { ["mfaAuthenticated"] = "true" },
        },
    };

    private Call Pick()
    {
        var roll = random.Next(TotalWeight);
        foreach (var call in Calls)
        {
            if ((roll -= call.Weight) < 0)
            {
                return call;
            }
        }
        return Calls[0];
    }

    private Dictionary<string, object?> Identity(string account) => random.Next(10) switch
    {
        < 5 => Administrator(account),
        < 8 => new()
        {
            ["type"] = "AssumedRole",
            ["principalId"] = "AROAEXAMPLEDEPLOY:github-actions",
            ["arn"] = $"arn:aws:sts::{account}:assumed-role/ci-deployer/github-actions",
            ["accountId"] = account,
        },
        < 9 => new()
        {
            ["type"] = "IAMUser",
            ["principalId"] = "AIDAEXAMPLEUSER01",
            ["arn"] = $"arn:aws:iam::{account}:user/legacy-batch",
            ["accountId"] = account,
            ["userName"] = "legacy-batch",
        },
        _ => new()
        {
            ["type"] = "AWSService",
            ["invokedBy"] = "config.amazonaws.com",
        },
    };
}
