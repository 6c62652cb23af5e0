using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace ControlTower.LoadDriver;

/// <summary>
/// Writes CloudTrail log files (<c>{"Records":[...]}</c>) of plausible management events, about 1 KB a record:
/// a weighted mix of calls across 40 accounts and eight regions, four kinds of caller, some calls denied. Every
/// record has a fresh <c>eventID</c>, so the collector never drops one as a repeat. One instance per worker.
/// </summary>
public sealed class CloudTrailFileGenerator(Random random)
{
    private static readonly string[] Accounts = MakeAccounts();
    private static readonly string[] Regions = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-west-1", "eu-central-1", "ap-southeast-2", "ca-central-1"];
    private static readonly string[] Errors = ["AccessDenied", "Client.UnauthorizedOperation", "ThrottlingException", "ValidationException"];
    private static readonly string[] UserAgents =
    [
        "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.1.0 lang/python#3.12.6",
        "Boto3/1.35.60 md/Botocore#1.35.60 ua/2.0 os/linux lang/python#3.12.7",
        "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 terraform-provider-aws/5.76.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0",
    ];

    /// <param name="Listed">Whether CloudTrail lists the resource in <c>resources</c> (it does for only some services).</param>
    private sealed record Call(string Source, string Name, bool ReadOnly, int Weight, string Resource, bool Listed = false, string EventType = "AwsApiCall");

    private static readonly Call[] Calls =
    [
        new("sts.amazonaws.com", "AssumeRole", false, 20, "role", Listed: true),
        new("ec2.amazonaws.com", "DescribeInstances", true, 14, "instance"),
        new("s3.amazonaws.com", "ListBuckets", true, 8, "bucket"),
        new("kms.amazonaws.com", "Decrypt", true, 8, "key", Listed: true),
        new("ec2.amazonaws.com", "RunInstances", false, 5, "instance"),
        new("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", false, 5, "function"),
        new("signin.amazonaws.com", "ConsoleLogin", false, 4, "user", EventType: "AwsConsoleSignIn"),
        new("s3.amazonaws.com", "CreateBucket", false, 3, "bucket"),
        new("s3.amazonaws.com", "PutBucketPolicy", false, 2, "bucket"),
        new("iam.amazonaws.com", "CreateRole", false, 2, "role"),
        new("iam.amazonaws.com", "AttachRolePolicy", false, 2, "role"),
        new("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false, 2, "security-group"),
        new("organizations.amazonaws.com", "DescribeOrganization", true, 2, "organization"),
        new("iam.amazonaws.com", "CreateAccessKey", false, 1, "user"),
        new("cloudtrail.amazonaws.com", "StopLogging", false, 1, "trail"),
        new("config.amazonaws.com", "StopConfigurationRecorder", false, 1, "recorder"),
    ];

    private static readonly int TotalWeight = Calls.Sum(c => c.Weight);

    private readonly ArrayBufferWriter<byte> buffer = new(1 << 20);

    /// <summary>A log file of <paramref name="records"/> records, as UTF-8 JSON. The array is the caller's.</summary>
    public byte[] NextFile(int records)
    {
        buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(buffer))
        {
            var now = DateTimeOffset.UtcNow;
            json.WriteStartObject();
            json.WriteStartArray("Records");
            for (var i = 0; i < records; i++)
            {
                WriteRecord(json, now);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private void WriteRecord(Utf8JsonWriter json, DateTimeOffset now)
    {
        var call = Pick();
        var account = Accounts[random.Next(Accounts.Length)];
        var region = call.Source is "iam.amazonaws.com" or "signin.amazonaws.com" or "organizations.amazonaws.com" ? "us-east-1" : Regions[random.Next(Regions.Length)];
        var failed = random.NextDouble() < 0.08;
        var name = $"{call.Resource}-{random.Next(1000):D3}";

        json.WriteStartObject();
        json.WriteString("eventVersion", "1.09");
        var console = WriteIdentity(json, account, now, signIn: call.Name == "ConsoleLogin");
        json.WriteString("eventTime", now.AddMilliseconds(-random.Next(0, 300_000)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        json.WriteString("eventSource", call.Source);
        json.WriteString("eventName", call.Name);
        json.WriteString("awsRegion", region);
        json.WriteString("sourceIPAddress", console ? $"198.51.100.{random.Next(1, 255)}" : $"203.0.113.{random.Next(1, 255)}");
        json.WriteString("userAgent", console ? UserAgents[3] : UserAgents[random.Next(3)]);
        var signIn = call.Name == "ConsoleLogin";
        if (failed && signIn)
        {
            // As CloudTrail writes a failed sign-in: no errorCode, the verdict in responseElements.
            json.WriteString("errorMessage", "Failed authentication");
        }
        else if (failed)
        {
            json.WriteString("errorCode", Errors[random.Next(Errors.Length)]);
            json.WriteString("errorMessage", $"User is not authorized to perform: {ServicePrefix(call.Source)}:{call.Name} on resource: {name}");
        }
        if (signIn)
        {
            json.WriteNull("requestParameters");
            json.WriteStartObject("responseElements");
            json.WriteString("ConsoleLogin", failed ? "Failure" : "Success");
            json.WriteEndObject();
        }
        else
        {
            json.WriteStartObject("requestParameters");
            json.WriteString(call.Resource + "Name", name);
            json.WriteEndObject();
            if (call.ReadOnly || failed)
            {
                json.WriteNull("responseElements");
            }
            else
            {
                json.WriteStartObject("responseElements");
                json.WriteString(call.Resource + "Arn", Arn(call, region, account, name));
                json.WriteEndObject();
            }
        }
        json.WriteString("requestID", Guid.NewGuid().ToString());
        json.WriteString("eventID", Guid.NewGuid().ToString());
        json.WriteBoolean("readOnly", call.ReadOnly);
        if (call.Listed)
        {
            json.WriteStartArray("resources");
            json.WriteStartObject();
            json.WriteString("accountId", account);
            json.WriteString("type", call.Resource == "role" ? "AWS::IAM::Role" : "AWS::KMS::Key");
            json.WriteString("ARN", Arn(call, region, account, name));
            json.WriteEndObject();
            json.WriteEndArray();
        }
        json.WriteString("eventType", call.EventType);
        json.WriteBoolean("managementEvent", true);
        json.WriteString("recipientAccountId", account);
        json.WriteString("eventCategory", "Management");
        json.WriteStartObject("tlsDetails");
        json.WriteString("tlsVersion", "TLSv1.3");
        json.WriteString("cipherSuite", "TLS_AES_128_GCM_SHA256");
        json.WriteString("clientProvidedHostHeader", $"{ServicePrefix(call.Source)}.{region}.amazonaws.com");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Writes <c>userIdentity</c>; true when the caller is a person at the console.</summary>
    private bool WriteIdentity(Utf8JsonWriter json, string account, DateTimeOffset now, bool signIn)
    {
        var kind = signIn ? 0 : random.Next(10);
        json.WriteStartObject("userIdentity");
        switch (kind)
        {
            case < 5:
                var person = $"person{random.Next(200):D3}@example.com";
                var role = "AWSReservedSSO_Admin_0123abcd";
                json.WriteString("type", "AssumedRole");
                json.WriteString("principalId", $"AROAEXAMPLESSO{account[..4]}:{person}");
                json.WriteString("arn", $"arn:aws:sts::{account}:assumed-role/{role}/{person}");
                json.WriteString("accountId", account);
                json.WriteString("accessKeyId", $"ASIA{random.NextInt64(1L << 40):X12}EXAMPLE");
                json.WriteStartObject("sessionContext");
                json.WriteStartObject("sessionIssuer");
                json.WriteString("type", "Role");
                json.WriteString("principalId", $"AROAEXAMPLESSO{account[..4]}");
                json.WriteString("arn", $"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/{role}");
                json.WriteString("accountId", account);
                json.WriteString("userName", role);
                json.WriteEndObject();
                json.WriteStartObject("attributes");
                json.WriteString("creationDate", now.AddMinutes(-random.Next(1, 600)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                json.WriteString("mfaAuthenticated", random.Next(10) == 0 ? "false" : "true");
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case < 8:
                json.WriteString("type", "AssumedRole");
                json.WriteString("principalId", "AROAEXAMPLEDEPLOY:github-actions");
                json.WriteString("arn", $"arn:aws:sts::{account}:assumed-role/ci-deployer/github-actions");
                json.WriteString("accountId", account);
                json.WriteString("accessKeyId", $"ASIA{random.NextInt64(1L << 40):X12}EXAMPLE");
                break;
            case < 9:
                json.WriteString("type", "IAMUser");
                json.WriteString("principalId", "AIDAEXAMPLEUSER01");
                json.WriteString("arn", $"arn:aws:iam::{account}:user/legacy-batch");
                json.WriteString("accountId", account);
                json.WriteString("accessKeyId", "AKIAEXAMPLELEGACY01");
                json.WriteString("userName", "legacy-batch");
                break;
            default:
                json.WriteString("type", "AWSService");
                json.WriteString("invokedBy", "config.amazonaws.com");
                break;
        }
        json.WriteEndObject();
        return kind < 5;
    }

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

    private static string ServicePrefix(string source) => source[..source.IndexOf('.', StringComparison.Ordinal)];

    private static string Arn(Call call, string region, string account, string name) => call.Source switch
    {
        "s3.amazonaws.com" => $"arn:aws:s3:::{name}",
        "iam.amazonaws.com" or "sts.amazonaws.com" or "signin.amazonaws.com" => $"arn:aws:iam::{account}:{call.Resource}/{name}",
        _ => $"arn:aws:{ServicePrefix(call.Source)}:{region}:{account}:{call.Resource}/{name}",
    };

    private static string[] MakeAccounts()
    {
        var random = new Random(20_25);
        return Enumerable.Range(0, 40).Select(_ => random.NextInt64(100_000_000_000, 1_000_000_000_000).ToString(CultureInfo.InvariantCulture)).ToArray();
    }
}
