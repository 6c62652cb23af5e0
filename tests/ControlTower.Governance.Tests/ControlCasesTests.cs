using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Governance.Controls;
using static ControlTower.Governance.Tests.GuardrailSamples;

namespace ControlTower.Governance.Tests;

/// <summary>
/// Every control of the catalog against a realistic record that breaks it (the shared samples where one shows the
/// event), normalised by the collectors; near misses that must not; and the exemptions and outcomes that decide
/// whether a match is a violation, the control working, or nothing.
/// </summary>
public sealed class ControlCasesTests
{
    private const string Workload = "555566667777";
    private const string Subscription = "11112222-bbbb-3333-cccc-4444dddd5555";
    private const string CtBucket = "aws-controltower-logs-222233334444-eu-west-1";

    /// <summary>Each control's id with a record that breaks it and the role of the account it happens in.</summary>
    public static IEnumerable<(string Control, Func<CloudActivity> Activity, string Role)> Violations()
    {
        yield return ("AWS-GR_AUDIT_BUCKET_DELETION_PROHIBITED", () => FromCloudTrail(CloudTrail("s3.amazonaws.com", "DeleteBucket", "222233334444",
            new JsonObject { ["bucketName"] = CtBucket, ["Host"] = $"{CtBucket}.s3.eu-west-1.amazonaws.com" })), "log-archive");
        yield return ("AWS-GR_AUDIT_BUCKET_POLICY_CHANGES_PROHIBITED", () => FromCloudTrail(CloudTrail("s3.amazonaws.com", "DeleteBucketPolicy", "222233334444",
            new JsonObject { ["bucketName"] = CtBucket, ["policy"] = new JsonArray("") })), "log-archive");
        yield return ("AWS-GR_AUDIT_BUCKET_ENCRYPTION_ENABLED", () =>
        {
            var record = Sample("3effcc5d-a0ba-9566-a420-16ccc93898f5");
            record["requestParameters"]!["bucketName"] = CtBucket;
            return FromCloudTrail(record);
        }, "log-archive");
        yield return ("AWS-GR_AUDIT_BUCKET_LOGGING_ENABLED", () => FromCloudTrail(CloudTrail("s3.amazonaws.com", "PutBucketLogging", "222233334444",
            new JsonObject { ["bucketName"] = CtBucket, ["BucketLoggingStatus"] = new JsonObject { ["xmlns"] = "http://s3.amazonaws.com/doc/2006-03-01/" } })), "log-archive");
        yield return ("AWS-GR_AUDIT_BUCKET_RETENTION_POLICY", () => FromCloudTrail(CloudTrail("s3.amazonaws.com", "PutBucketLifecycle", "222233334444",
            new JsonObject
            {
                ["bucketName"] = CtBucket,
                ["LifecycleConfiguration"] = new JsonObject { ["Rule"] = new JsonObject { ["Status"] = "Enabled", ["Expiration"] = new JsonObject { ["Days"] = 1 } } },
            })), "log-archive");
        yield return ("GOV.S3.1", () => FromCloudTrail(CloudTrail("s3.amazonaws.com", "PutBucketAcl", "222233334444",
            new JsonObject { ["bucketName"] = "org-access-logs", ["x-amz-acl"] = new JsonArray("private") })), "log-archive");
        yield return ("AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", () => FromCloudTrail(CloudTrail("cloudtrail.amazonaws.com", "StopLogging", Workload,
            new JsonObject { ["name"] = $"arn:aws:cloudtrail:eu-west-1:{Workload}:trail/aws-controltower-BaselineCloudTrail" })), "workload");
        yield return ("AWS-GR_DETECT_CLOUDTRAIL_ENABLED_ON_SHARED_ACCOUNTS", () => FromCloudTrail(CloudTrail("cloudtrail.amazonaws.com", "DeleteTrail", "333344445555",
            new JsonObject { ["name"] = "security-tooling-trail" })), "audit");
        yield return ("AWS-GR_CONFIG_CHANGE_PROHIBITED", () => FromCloudTrail(Sample("54ff6e26-310d-6f81-6095-d8d06f0a0656")), "workload");
        yield return ("AWS-GR_CONFIG_RULE_CHANGE_PROHIBITED", () => FromCloudTrail(CloudTrail("config.amazonaws.com", "DeleteConfigRule", Workload,
            new JsonObject { ["configRuleName"] = "AWSControlTower_AWS-GR_RESTRICTED_SSH" })), "workload");
        yield return ("AWS-GR_LOG_GROUP_POLICY", () => FromCloudTrail(CloudTrail("logs.amazonaws.com", "DeleteLogGroup", Workload,
            new JsonObject { ["logGroupName"] = "aws-controltower/CloudTrailLogs" })), "workload");
        yield return ("AWS-GR_CLOUDWATCH_EVENTS_CHANGE_PROHIBITED", () => FromCloudTrail(CloudTrail("events.amazonaws.com", "RemoveTargets", Workload,
            new JsonObject { ["rule"] = "aws-controltower-ConfigComplianceChangeEventRule", ["ids"] = new JsonArray("Compliance-Change-Topic") })), "workload");
        yield return ("AWS-GR_IAM_ROLE_CHANGE_PROHIBITED", () => FromCloudTrail(CloudTrail("iam.amazonaws.com", "DetachRolePolicy", Workload,
            new JsonObject { ["roleName"] = "AWSControlTowerExecution", ["policyArn"] = "arn:aws:iam::aws:policy/AdministratorAccess" })), "workload");
        yield return ("AWS-GR_SNS_SUBSCRIPTION_CHANGE_PROHIBITED", () => FromCloudTrail(CloudTrail("sns.amazonaws.com", "Unsubscribe", Workload,
            new JsonObject { ["subscriptionArn"] = $"arn:aws:sns:eu-west-1:{Workload}:aws-controltower-SecurityNotifications:4f0c3c0e-6c1b-4a53-9d5c-6e1f0b7d2a11" })), "workload");
        yield return ("AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS", () => FromCloudTrail(CloudTrail("iam.amazonaws.com", "CreateAccessKey", Workload, null, Identity(Workload, "root"),
            responseElements: new JsonObject
            {
                ["accessKey"] = new JsonObject { ["accessKeyId"] = "AKIAEXAMPLEROOTKEY01", ["status"] = "Active", ["createDate"] = "Nov 28, 2026 10:15:00 AM" },
            })), "workload");
        yield return ("AWS-GR_RESTRICT_ROOT_USER", () => FromCloudTrail(CloudTrail("iam.amazonaws.com", "UpdateAccountPasswordPolicy", Workload,
            new JsonObject { ["minimumPasswordLength"] = 8 }, Identity(Workload, "root"))), "workload");
        yield return ("AWS-GR_ROOT_ACCOUNT_MFA_ENABLED", () =>
        {
            var record = Sample("08908261-5bab-086f-46e4-08e52e690f23");
            record["responseElements"]!["ConsoleLogin"] = "Success";
            return FromCloudTrail(record);
        }, "workload");
        yield return ("AWS-GR_MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", () =>
        {
            var record = Sample("fed06f42-cb12-4764-8c69-121063dc79b9");
            record["additionalEventData"]!["MFAUsed"] = "No";
            record["additionalEventData"]!.AsObject().Remove("MFAIdentifier");
            return FromCloudTrail(record);
        }, "workload");
        yield return ("GOV.IAM.1", () => FromCloudTrail(Sample("413aed34-c305-d63c-4a77-d0497f64bfca")), "sandbox");
        yield return ("GOV.CLOUDTRAIL.1", () => FromCloudTrail(Sample("98e5ea0c-4412-5916-ac9a-b39c2f43d608")), "workload");
        yield return ("GOV.GUARDDUTY.1", () => FromCloudTrail(CloudTrail("guardduty.amazonaws.com", "DeleteDetector", Workload,
            new JsonObject { ["detectorId"] = "12abc34d567e8fa901bc2d34e56789f0" })), "workload");
        yield return ("GOV.SECURITYHUB.1", () => FromCloudTrail(CloudTrail("securityhub.amazonaws.com", "DisableSecurityHub", Workload, new JsonObject())), "workload");
        yield return ("GOV.MACIE.1", () => FromCloudTrail(CloudTrail("macie2.amazonaws.com", "DisableMacie", Workload, null)), "workload");
        yield return ("GOV.EC2.1", () => FromCloudTrail(CloudTrail("ec2.amazonaws.com", "DeleteFlowLogs", Workload, new JsonObject
        {
            ["DeleteFlowLogsRequest"] = new JsonObject { ["FlowLogId"] = new JsonObject { ["content"] = "fl-0123456789abcdef0", ["tag"] = 1 } },
        })), "workload");
        yield return ("GOV.EC2.2", () => FromCloudTrail(CloudTrail("ec2.amazonaws.com", "DisableEbsEncryptionByDefault", Workload,
            new JsonObject { ["DisableEbsEncryptionByDefaultRequest"] = "" },
            responseElements: new JsonObject { ["DisableEbsEncryptionByDefaultResponse"] = new JsonObject { ["ebsEncryptionByDefault"] = false } })), "workload");
        yield return ("GOV.KMS.1", () => FromCloudTrail(CloudTrail("kms.amazonaws.com", "ScheduleKeyDeletion", Workload,
            new JsonObject { ["keyId"] = "1234abcd-12ab-34cd-56ef-1234567890ab", ["pendingWindowInDays"] = 7 })), "workload");
        yield return ("AWS-GR_S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC", () => FromCloudTrail(CloudTrail("s3.amazonaws.com", "DeleteAccountPublicAccessBlock", Workload,
            new JsonObject { ["Host"] = $"{Workload}.s3-control.eu-west-1.amazonaws.com" })), "workload");
        yield return ("GOV.S3.2", () => FromCloudTrail(CloudTrail("s3.amazonaws.com", "DeleteBucketPublicAccessBlock", Workload,
            new JsonObject { ["bucketName"] = "payments-static-assets", ["publicAccessBlock"] = "" })), "workload");
        yield return ("AWS-GR_S3_BUCKET_PUBLIC_READ_PROHIBITED", () =>
        {
            var record = Sample("e5d4b16a-c1c5-1f23-f1e4-a39c80e0c723");
            record.Remove("errorCode");
            return FromCloudTrail(record);
        }, "workload");
        yield return ("AWS-GR_S3_BUCKET_PUBLIC_READ_PROHIBITED", () => FromCloudTrail(CloudTrail("s3.amazonaws.com", "PutBucketAcl", Workload,
            new JsonObject { ["bucketName"] = "payments-static-assets", ["x-amz-acl"] = new JsonArray("public-read") })), "workload");
        yield return ("AWS-GR_RESTRICTED_SSH", () => FromCloudTrail(Sample("42155429-7e8e-43b5-9b5e-6953f80d51d5")), "workload");
        yield return ("AWS-GR_RDS_SNAPSHOTS_PUBLIC_PROHIBITED", () =>
        {
            var record = Sample("45063d84-fe9b-937d-7dd6-702bbc75cb7d");
            record["requestParameters"]!["valuesToAdd"] = new JsonArray("all");
            return FromCloudTrail(record);
        }, "workload");
        yield return ("AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA", () => FromCloudTrail(CloudTrail("s3.amazonaws.com", "DeleteBucket", Workload,
            new JsonObject { ["bucketName"] = "payments-archive", ["Host"] = "payments-archive.s3.eu-west-1.amazonaws.com" })), "workload");
        yield return ("GOV.AZ.MONITOR.1", () => FromActivityLog(AzureRestSample("aefcfad8-efc8-4849-b3aa-7efe4458a885")), "");
        yield return ("GOV.AZ.POLICY.1", () => FromActivityLog(AzureRestSample("3139d32c-93cd-49bf-9c94-1cf0dc98d2c1")), "");
        yield return ("GOV.AZ.LOCK.1", () => FromActivityLog(AzureRestSample("7412b293-4729-4739-a14f-f3d719db3ad0")), "");
        yield return ("GOV.AZ.RBAC.1", () =>
        {
            var record = ActivityLog("Microsoft.Authorization/elevateAccess/action", Subscription, "/providers/Microsoft.Authorization");
            record.Remove("subscriptionId");
            return FromActivityLog(record);
        }, "");
        yield return ("GOV.AZ.RBAC.2", () => FromActivityLog(ActivityLog("MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", Subscription,
            "/providers/Microsoft.Management/managementGroups/alz/providers/Microsoft.Authorization/roleAssignments/9f1c2d3e-4b5a-6978-8796-a5b4c3d2e1f0")), "");
        yield return ("GOV.AZ.KEYVAULT.1", () => FromActivityLog(ActivityLog("Microsoft.KeyVault/locations/deletedVaults/purge/action", Subscription,
            $"/subscriptions/{Subscription}/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/kv-prod-core")), "");
        yield return ("GOV.AZ.DEFENDER.1", () => FromActivityLog(ActivityLog("Microsoft.Security/pricings/write", Subscription,
            $"/subscriptions/{Subscription}/providers/Microsoft.Security/pricings/VirtualMachines",
            properties: new JsonObject { ["requestbody"] = """{"properties":{"pricingTier":"Free"}}""" })), "");
        yield return ("GOV.AZ.LOGS.1", () => FromActivityLog(ActivityLog("microsoft.operationalinsights/workspaces/delete", Subscription,
            $"/subscriptions/{Subscription}/resourceGroups/rg-management/providers/Microsoft.OperationalInsights/workspaces/law-central")), "");
        yield return ("GOV.AZ.POLICY.2", () => FromActivityLog(ActivityLog("Microsoft.Authorization/policyExemptions/write", Subscription,
            $"/subscriptions/{Subscription}/providers/Microsoft.Authorization/policyExemptions/allow-public-ip")), "");
    }

    public static TheoryData<string, int> ViolationCases() => [.. Violations().Select((v, i) => (v.Control, i))];

    /// <summary>A scope with every control on, in a member account of the given role.</summary>
    private static ControlScope Everything(CloudActivity activity, string role, bool management = false) => new(
        activity.Provider, activity.Account, "ou-test", role.Length == 0 ? null : role, management,
        ControlCatalog.Default.Controls.ToDictionary(c => c.Id, _ => "ou-test"));

    [Theory]
    [MemberData(nameof(ViolationCases))]
    public void EveryControlIsBrokenByTheEventsItNames(string controlId, int index)
    {
        var (_, build, role) = Violations().ElementAt(index);
        var activity = build();

        var hits = GuardrailEvaluator.Evaluate(activity, ControlCatalog.Default, Everything(activity, role));

        var hit = Assert.Single(hits, h => h.Control.Id == controlId);
        Assert.False(hit.Blocked);
        // Every part of the subject is found in the record: a wrong path in the catalog would show as "-".
        using var fields = new ActivityFields(activity, role);
        Assert.All(hit.Control.Subject, part => Assert.NotNull(fields.First(part)));
        // Only enabled controls count.
        Assert.DoesNotContain(GuardrailEvaluator.Evaluate(activity, ControlCatalog.Default,
            Everything(activity, role) with { Enabled = new Dictionary<string, string>() }), h => h.Control.Id == controlId);
    }

    [Fact]
    public void EveryControlOfTheCatalogHasAViolationCase()
    {
        var covered = Violations().Select(v => v.Control).ToHashSet();

        Assert.All(ControlCatalog.Default.Controls, c => Assert.Contains(c.Id, covered));
    }

    /// <summary>Events close to a control's that must not break it.</summary>
    public static TheoryData<string, string, string> NearMisses() => new()
    {
        { "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", "a trail of the account's own, not Control Tower's", "workload" },
        { "AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS", "an IAM user creating a key for another user (sample)", "workload" },
        { "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED", "a refused root sign-in (sample)", "workload" },
        { "AWS-GR_RESTRICT_ROOT_USER", "a refused root sign-in (sample)", "workload" },
        { "AWS-GR_MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", "a sign-in with MFA (sample)", "workload" },
        { "AWS-GR_RDS_SNAPSHOTS_PUBLIC_PROHIBITED", "a snapshot shared with one account (sample)", "workload" },
        { "AWS-GR_S3_BUCKET_PUBLIC_READ_PROHIBITED", "a private ACL", "workload" },
        { "AWS-GR_AUDIT_BUCKET_POLICY_CHANGES_PROHIBITED", "a policy on a bucket of the account's own", "workload" },
        { "GOV.S3.1", "an ACL change outside the log archive", "workload" },
        { "AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA", "a deletion with MFA", "workload" },
        { "GOV.AZ.DEFENDER.1", "a plan set to Standard", "" },
        { "GOV.AZ.RBAC.2", "a role assignment at subscription scope", "" },
    };

    private static CloudActivity NearMiss(string controlId, string what) => (controlId, what) switch
    {
        ("AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", _) => FromCloudTrail(CloudTrail("cloudtrail.amazonaws.com", "StopLogging", Workload, new JsonObject { ["name"] = "management-events" })),
        ("AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS", _) => FromCloudTrail(Sample("1b537cd0-f123-6814-0140-269127b758ab")),
        ("AWS-GR_ROOT_ACCOUNT_MFA_ENABLED" or "AWS-GR_RESTRICT_ROOT_USER", _) => FromCloudTrail(Sample("08908261-5bab-086f-46e4-08e52e690f23")),
        ("AWS-GR_MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", _) => FromCloudTrail(Sample("fed06f42-cb12-4764-8c69-121063dc79b9")),
        ("AWS-GR_RDS_SNAPSHOTS_PUBLIC_PROHIBITED", _) => FromCloudTrail(Sample("45063d84-fe9b-937d-7dd6-702bbc75cb7d")),
        ("AWS-GR_S3_BUCKET_PUBLIC_READ_PROHIBITED", _) => FromCloudTrail(CloudTrail("s3.amazonaws.com", "PutBucketAcl", Workload,
            new JsonObject { ["bucketName"] = "payments-static-assets", ["x-amz-acl"] = new JsonArray("private") })),
        ("AWS-GR_AUDIT_BUCKET_POLICY_CHANGES_PROHIBITED", _) => FromCloudTrail(CloudTrail("s3.amazonaws.com", "PutBucketPolicy", Workload,
            new JsonObject { ["bucketName"] = "payments-static-assets" })),
        ("GOV.S3.1", _) => FromCloudTrail(CloudTrail("s3.amazonaws.com", "PutBucketAcl", Workload,
            new JsonObject { ["bucketName"] = "org-access-logs", ["x-amz-acl"] = new JsonArray("private") })),
        ("AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA", _) => FromCloudTrail(MfaSession(CloudTrail("s3.amazonaws.com", "DeleteBucket", Workload,
            new JsonObject { ["bucketName"] = "payments-archive" }))),
        ("GOV.AZ.DEFENDER.1", _) => FromActivityLog(ActivityLog("Microsoft.Security/pricings/write", Subscription,
            $"/subscriptions/{Subscription}/providers/Microsoft.Security/pricings/VirtualMachines",
            properties: new JsonObject { ["requestbody"] = """{"properties":{"pricingTier":"Standard"}}""" })),
        ("GOV.AZ.RBAC.2", _) => FromActivityLog(ActivityLog("Microsoft.Authorization/roleAssignments/write", Subscription,
            $"/subscriptions/{Subscription}/providers/Microsoft.Authorization/roleAssignments/9f1c2d3e-4b5a-6978-8796-a5b4c3d2e1f0")),
        _ => throw new ArgumentOutOfRangeException(nameof(controlId)),
    };

    private static JsonObject MfaSession(JsonObject record)
    {
        record["userIdentity"]!["sessionContext"]!["attributes"]!["mfaAuthenticated"] = "true";
        return record;
    }

    [Theory]
    [MemberData(nameof(NearMisses))]
    public void EventsCloseToAControlsDoNotBreakIt(string controlId, string what, string role)
    {
        var activity = NearMiss(controlId, what);

        var hits = GuardrailEvaluator.Evaluate(activity, ControlCatalog.Default, Everything(activity, role));

        Assert.DoesNotContain(hits, h => h.Control.Id == controlId);
    }

    private static CloudActivity StopControlTowerTrail(JsonObject? identity = null, string? errorCode = null, string account = Workload) =>
        FromCloudTrail(CloudTrail("cloudtrail.amazonaws.com", "StopLogging", account,
            new JsonObject { ["name"] = $"arn:aws:cloudtrail:eu-west-1:{account}:trail/aws-controltower-BaselineCloudTrail" },
            identity ?? Identity(account), errorCode));

    [Theory]
    [InlineData("service-linked")]
    [InlineData("AWSControlTowerExecution")]
    [InlineData("aws-controltower-ConfigRecorderRole")]
    public void ServiceLinkedAndControlTowerRolesAreExempt(string caller)
    {
        var identity = caller == "service-linked" ? Identity(Workload, "service-linked", "CloudTrail") : Identity(Workload, "role", caller);
        var exempt = StopControlTowerTrail(identity);
        var person = StopControlTowerTrail(Identity(Workload, "role", "PlatformAdmin"));

        Assert.Empty(GuardrailEvaluator.Evaluate(exempt, ControlCatalog.Default, Everything(exempt, "workload")));
        Assert.Contains(GuardrailEvaluator.Evaluate(person, ControlCatalog.Default, Everything(person, "workload")),
            h => h.Control.Id == "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED");
    }

    [Fact]
    public void TheManagementAccountIsExemptFromPreventiveControlsOnly()
    {
        var activity = StopControlTowerTrail(account: "111122223333");

        var hits = GuardrailEvaluator.Evaluate(activity, ControlCatalog.Default, Everything(activity, "management", management: true));

        Assert.DoesNotContain(hits, h => h.Control.Id == "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED");
        Assert.Contains(hits, h => h.Control.Id == "GOV.CLOUDTRAIL.1");
    }

    [Theory]
    [InlineData("AccessDenied")]
    [InlineData("Client.UnauthorizedOperation")]
    public void ACallAnAccessPolicyRefusedIsAPreventiveControlWorkingAndNoViolation(string errorCode)
    {
        var activity = StopControlTowerTrail(errorCode: errorCode);

        var hits = GuardrailEvaluator.Evaluate(activity, ControlCatalog.Default, Everything(activity, "workload"));

        var hit = Assert.Single(hits);
        Assert.Equal("AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", hit.Control.Id);
        Assert.True(hit.Blocked);
    }

    [Fact]
    public void AFailedCallForAnyOtherReasonChangedNothing()
    {
        var failed = StopControlTowerTrail(errorCode: "TrailNotFoundException");
        var deniedDetective = FromCloudTrail(Sample("e5d4b16a-c1c5-1f23-f1e4-a39c80e0c723"));

        Assert.Empty(GuardrailEvaluator.Evaluate(failed, ControlCatalog.Default, Everything(failed, "workload")));
        // Refused, but only detective controls pick it: nothing to count.
        Assert.Equal(ActivityOutcome.Failure, deniedDetective.Outcome);
        Assert.Empty(GuardrailEvaluator.Evaluate(deniedDetective, ControlCatalog.Default, Everything(deniedDetective, "workload")));
    }

    [Theory]
    [InlineData("arn:aws:sts::555566667777:assumed-role/AWSControlTowerExecution/session", "AWSControlTowerExecution")]
    [InlineData("arn:aws:iam::555566667777:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty", "AWSServiceRoleForAmazonGuardDuty")]
    [InlineData("arn:aws:iam::555566667777:user/alex", null)]
    public void TheRoleNameIsReadFromRoleAndAssumedRoleArns(string arn, string? role) =>
        Assert.Equal(role, GuardrailEvaluator.RoleName(arn));
}
