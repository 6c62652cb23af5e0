using ControlTower.Governance.Scp;

namespace ControlTower.Governance.Tests;

/// <summary>The SCP decision engine against each rule of AWS's evaluation semantics (shared/reference/governance.md §3).</summary>
public sealed class ScpEvaluatorTests
{
    private static readonly ScpLevel[] AllowAll =
    [
        new("r-root", [ScpPolicy.FullAwsAccess]),
        new("ou-workloads", [ScpPolicy.FullAwsAccess]),
        new("111122223333", [ScpPolicy.FullAwsAccess]),
    ];

    private static ScpPolicy Policy(string statements, string id = "p-test", string name = "test") =>
        ScpParser.Parse(id, name, $$"""{"Version":"2012-10-17","Statement":[{{statements}}]}""") is { Policy: { } policy }
            ? policy
            : throw new InvalidOperationException("the test policy does not parse");

    /// <summary>FullAWSAccess everywhere, plus one policy under test attached to the workloads OU.</summary>
    private static ScpLevel[] WithOuPolicy(string statements) =>
    [
        AllowAll[0],
        new("ou-workloads", [ScpPolicy.FullAwsAccess, Policy(statements)]),
        AllowAll[2],
    ];

    private static ScpOutcome Outcome(string statements, ScpRequest request) => ScpEvaluator.Decide(request, WithOuPolicy(statements)).Outcome;

    [Fact]
    public void FullAwsAccessAtEveryLevelAllowsAnything()
    {
        var decision = ScpEvaluator.Decide(ScpRequest.Of("s3:GetObject", "arn:aws:s3:::bucket/key"), AllowAll);

        Assert.Equal(ScpOutcome.Allowed, decision.Outcome);
        Assert.Equal("111122223333", decision.TargetId);
        Assert.Equal("p-FullAWSAccess", decision.PolicyId);
    }

    [Fact]
    public void AnAllowIsNeededAtEveryLevelOfThePath()
    {
        // Allow-list strategy: the OU allows only S3, so EC2 is implicitly denied there though the root and account allow it.
        ScpLevel[] path = [AllowAll[0], new("ou-workloads", [Policy("""{"Effect":"Allow","Action":"s3:*","Resource":"*"}""")]), AllowAll[2]];

        Assert.Equal(ScpOutcome.Allowed, ScpEvaluator.Decide(ScpRequest.Of("s3:PutObject"), path).Outcome);
        var denied = ScpEvaluator.Decide(ScpRequest.Of("ec2:RunInstances"), path);
        Assert.Equal(ScpOutcome.ImplicitDeny, denied.Outcome);
        Assert.Equal("ou-workloads", denied.TargetId);
    }

    [Fact]
    public void AnExplicitDenyAnywhereWinsAndNamesItsPolicyStatementAndLevel()
    {
        var deny = Policy("""{"Sid":"ProtectTrail","Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail"],"Resource":"*"}""",
            id: "p-guardrails", name: "aws-guardrails-trail");
        ScpLevel[] path = [new("r-root", [ScpPolicy.FullAwsAccess, deny]), AllowAll[1], AllowAll[2]];

        var decision = ScpEvaluator.Decide(ScpRequest.Of("cloudtrail:StopLogging"), path);

        Assert.Equal(new ScpDecision(ScpOutcome.ExplicitDeny, "an explicit Deny covers the request", "r-root", "p-guardrails",
            "aws-guardrails-trail", 0, "ProtectTrail"), decision);
    }

    [Theory]
    [InlineData("ec2:*Vpc*", "ec2:CreateVpcEndpoint", ScpOutcome.ExplicitDeny)]
    [InlineData("ec2:*Vpc*", "ec2:RunInstances", ScpOutcome.Allowed)]
    [InlineData("s3:Get?bject", "s3:GetObject", ScpOutcome.ExplicitDeny)]
    [InlineData("s3:Get?bject", "s3:GetObjectAcl", ScpOutcome.Allowed)]
    [InlineData("iam:*", "IAM:CREATEUSER", ScpOutcome.ExplicitDeny)]
    [InlineData("*:Delete*", "s3:DeleteBucket", ScpOutcome.ExplicitDeny)]
    [InlineData("*", "anything:AtAll", ScpOutcome.ExplicitDeny)]
    public void ActionsMatchWithoutCaseAndWithWildcardsAnywhere(string pattern, string action, ScpOutcome expected) =>
        Assert.Equal(expected, Outcome($$"""{"Effect":"Deny","Action":"{{pattern}}","Resource":"*"}""", ScpRequest.Of(action)));

    [Theory]
    [InlineData("iam:CreateUser", ScpOutcome.ImplicitDeny)]
    [InlineData("s3:GetObject", ScpOutcome.Allowed)]
    public void NotActionWithAllowAllowsEverythingButTheListedActions(string action, ScpOutcome expected)
    {
        ScpLevel[] path = [AllowAll[0], new("ou-workloads", [Policy("""{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}""")]), AllowAll[2]];

        Assert.Equal(expected, ScpEvaluator.Decide(ScpRequest.Of(action), path).Outcome);
    }

    [Theory]
    [InlineData("ec2:RunInstances", "eu-west-1", ScpOutcome.Allowed)]
    [InlineData("ec2:RunInstances", "us-west-2", ScpOutcome.ExplicitDeny)]
    [InlineData("iam:CreateRole", "us-west-2", ScpOutcome.Allowed)]
    public void NotActionWithDenyLocksRegionsExceptForGlobalServices(string action, string region, ScpOutcome expected) =>
        Assert.Equal(expected, Outcome("""
            {"Sid":"RegionLock","Effect":"Deny","NotAction":["iam:*","organizations:*","sts:*"],"Resource":"*",
             "Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}
            """, ScpRequest.Of(action, "*", ("aws:RequestedRegion", region))));

    [Theory]
    [InlineData("arn:aws:s3:::logs-archive/2026/11/28.gz", ScpOutcome.ExplicitDeny)]
    [InlineData("arn:aws:s3:::app-data/file", ScpOutcome.Allowed)]
    public void ResourcesMatchArnsWithWildcards(string resource, ScpOutcome expected) =>
        Assert.Equal(expected, Outcome("""{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::logs-*/*"}""",
            ScpRequest.Of("s3:DeleteObject", resource)));

    [Theory]
    [InlineData("arn:aws:s3:::logs-archive/x", ScpOutcome.Allowed)]
    [InlineData("arn:aws:s3:::app-data/x", ScpOutcome.ExplicitDeny)]
    public void NotResourceDeniesEverythingButTheListedResources(string resource, ScpOutcome expected) =>
        Assert.Equal(expected, Outcome("""{"Effect":"Deny","Action":"s3:PutObject","NotResource":"arn:aws:s3:::logs-*/*"}""",
            ScpRequest.Of("s3:PutObject", resource)));

    [Theory]
    // A condition key the request lacks: positive operators are false, negated ones true, IfExists true.
    [InlineData("StringEquals", ScpOutcome.Allowed)]
    [InlineData("StringLike", ScpOutcome.Allowed)]
    [InlineData("StringNotEquals", ScpOutcome.ExplicitDeny)]
    [InlineData("StringNotLike", ScpOutcome.ExplicitDeny)]
    [InlineData("ArnNotLike", ScpOutcome.ExplicitDeny)]
    [InlineData("StringEqualsIfExists", ScpOutcome.ExplicitDeny)]
    [InlineData("ArnLikeIfExists", ScpOutcome.ExplicitDeny)]
    public void AConditionKeyMissingFromTheRequestFollowsTheOperatorsRule(string op, ScpOutcome expected) =>
        Assert.Equal(expected, Outcome($$"""
            {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"{{op}}":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin"} } }
            """, ScpRequest.Of("s3:GetObject")));

    [Theory]
    [InlineData("arn:aws:iam::111122223333:role/Admin", ScpOutcome.Allowed)]
    [InlineData("arn:aws:iam::111122223333:role/Developer", ScpOutcome.ExplicitDeny)]
    public void IfExistsComparesWhenTheKeyIsPresent(string principal, ScpOutcome expected) =>
        Assert.Equal(expected, Outcome("""
            {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"ArnNotLikeIfExists":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin"}}}
            """, ScpRequest.Of("s3:GetObject", "*", ("aws:PrincipalArn", principal))));

    [Fact]
    public void ConditionKeyNamesCompareWithoutCaseButValuesKeepTheirs()
    {
        const string Policy = """{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"AWS:RequestedRegion":"us-east-1"}}}""";

        Assert.Equal(ScpOutcome.ExplicitDeny, Outcome(Policy, ScpRequest.Of("s3:GetObject", "*", ("aws:requestedregion", "us-east-1"))));
        Assert.Equal(ScpOutcome.Allowed, Outcome(Policy, ScpRequest.Of("s3:GetObject", "*", ("aws:RequestedRegion", "US-EAST-1"))));
    }

    [Theory]
    [InlineData("true", false, ScpOutcome.ExplicitDeny)]
    [InlineData("true", true, ScpOutcome.Allowed)]
    [InlineData("false", true, ScpOutcome.ExplicitDeny)]
    [InlineData("false", false, ScpOutcome.Allowed)]
    public void NullTestsWhetherTheKeyIsPresent(string nullValue, bool present, ScpOutcome expected)
    {
        var request = present ? ScpRequest.Of("ec2:RunInstances", "*", ("aws:RequestTag/CostCenter", "42")) : ScpRequest.Of("ec2:RunInstances");

        Assert.Equal(expected, Outcome($$"""
            {"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*","Condition":{"Null":{"aws:RequestTag/CostCenter":"{{nullValue}}"} } }
            """, request));
    }

    public static TheoryData<string, string[]?, ScpOutcome> MultiValuedKeys => new()
    {
        // ForAllValues: every requested tag key must be in the list; no keys at all passes.
        { "ForAllValues:StringEquals", ["CostCenter", "Owner"], ScpOutcome.ExplicitDeny },
        { "ForAllValues:StringEquals", ["CostCenter", "Secret"], ScpOutcome.Allowed },
        { "ForAllValues:StringEquals", null, ScpOutcome.ExplicitDeny },
        // ForAnyValue: one match is enough; no keys at all fails.
        { "ForAnyValue:StringEquals", ["Secret", "Owner"], ScpOutcome.ExplicitDeny },
        { "ForAnyValue:StringEquals", ["Secret"], ScpOutcome.Allowed },
        { "ForAnyValue:StringEquals", null, ScpOutcome.Allowed },
        // Negated with a set prefix: ForAnyValue:StringNotEquals is true when some key is outside the list.
        { "ForAnyValue:StringNotEquals", ["CostCenter", "Secret"], ScpOutcome.ExplicitDeny },
        { "ForAnyValue:StringNotEquals", ["CostCenter", "Owner"], ScpOutcome.Allowed },
        // An empty set is absent too.
        { "ForAllValues:StringEquals", [], ScpOutcome.ExplicitDeny },
        { "ForAnyValue:StringEquals", [], ScpOutcome.Allowed },
    };

    [Theory]
    [MemberData(nameof(MultiValuedKeys))]
    public void SetOperatorsTreatMultiValuedKeysAsIamDoes(string op, string[]? tagKeys, ScpOutcome expected)
    {
        var request = new ScpRequest("ec2:CreateTags", "*",
            tagKeys is null ? null : [KeyValuePair.Create("aws:TagKeys", (IReadOnlyList<string>)tagKeys)]);

        Assert.Equal(expected, Outcome($$"""
            {"Effect":"Deny","Action":"ec2:CreateTags","Resource":"*","Condition":{"{{op}}":{"aws:TagKeys":["CostCenter","Owner"]} } }
            """, request));
    }

    [Theory]
    [InlineData("Bool", "aws:MultiFactorAuthPresent", "false", "false", ScpOutcome.ExplicitDeny)]
    [InlineData("Bool", "aws:MultiFactorAuthPresent", "false", "true", ScpOutcome.Allowed)]
    [InlineData("BoolIfExists", "aws:MultiFactorAuthPresent", "false", null, ScpOutcome.ExplicitDeny)]
    [InlineData("NumericGreaterThan", "aws:MultiFactorAuthAge", "3600", "7200", ScpOutcome.ExplicitDeny)]
    [InlineData("NumericGreaterThan", "aws:MultiFactorAuthAge", "3600", "60", ScpOutcome.Allowed)]
    [InlineData("NumericLessThanEquals", "s3:max-keys", "10", "10", ScpOutcome.ExplicitDeny)]
    [InlineData("DateGreaterThan", "aws:CurrentTime", "2026-12-01T00:00:00Z", "2026-12-24T08:00:00Z", ScpOutcome.ExplicitDeny)]
    [InlineData("DateGreaterThan", "aws:CurrentTime", "2026-12-01T00:00:00Z", "2026-11-28T08:00:00Z", ScpOutcome.Allowed)]
    [InlineData("DateLessThan", "aws:EpochTime", "1800000000", "1764331200", ScpOutcome.ExplicitDeny)]
    [InlineData("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", "198.51.100.7", ScpOutcome.ExplicitDeny)]
    [InlineData("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", "203.0.113.200", ScpOutcome.Allowed)]
    [InlineData("IpAddress", "aws:SourceIp", "2001:db8::/32", "2001:db8:1::5", ScpOutcome.ExplicitDeny)]
    [InlineData("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/Break*Glass", "arn:aws:iam::111122223333:role/BreakTheGlass", ScpOutcome.ExplicitDeny)]
    [InlineData("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/Break*Glass", "arn:aws:iam::111122223333:user/BreakGlass", ScpOutcome.Allowed)]
    [InlineData("ArnEquals", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Ops", "arn:aws:iam::111122223333:role/Ops", ScpOutcome.ExplicitDeny)]
    [InlineData("ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Ops", "arn:aws:iam::111122223333:role/Ops", ScpOutcome.Allowed)]
    [InlineData("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "platform", "PLATFORM", ScpOutcome.ExplicitDeny)]
    [InlineData("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "platform", "Platform", ScpOutcome.Allowed)]
    [InlineData("BinaryEquals", "key", "QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", ScpOutcome.ExplicitDeny)]
    public void EveryOperatorFamilyCompares(string op, string key, string policyValue, string? requestValue, ScpOutcome expected)
    {
        var request = requestValue is null ? ScpRequest.Of("s3:GetObject") : ScpRequest.Of("s3:GetObject", "*", (key, requestValue));

        Assert.Equal(expected, Outcome($$"""
            {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"{{op}}":{"{{key}}":"{{policyValue}}"} } }
            """, request));
    }

    [Fact]
    public void ConditionsAreAndedAcrossKeysAndOredAcrossValues()
    {
        const string Policy = """
            {"Effect":"Deny","Action":"ec2:*","Resource":"*","Condition":{
              "StringEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]},
              "StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Platform*"}}}
            """;

        Assert.Equal(ScpOutcome.ExplicitDeny, Outcome(Policy, ScpRequest.Of("ec2:RunInstances", "*",
            ("aws:RequestedRegion", "us-west-2"), ("aws:PrincipalArn", "arn:aws:iam::111122223333:role/Dev"))));
        Assert.Equal(ScpOutcome.Allowed, Outcome(Policy, ScpRequest.Of("ec2:RunInstances", "*",
            ("aws:RequestedRegion", "us-west-2"), ("aws:PrincipalArn", "arn:aws:iam::111122223333:role/PlatformAdmin"))));
        Assert.Equal(ScpOutcome.Allowed, Outcome(Policy, ScpRequest.Of("ec2:RunInstances", "*",
            ("aws:RequestedRegion", "eu-west-1"), ("aws:PrincipalArn", "arn:aws:iam::111122223333:role/Dev"))));
    }

    [Fact]
    public void TheManagementAccountAndServiceLinkedRolesAreNotRestricted()
    {
        ScpLevel[] denyAll = [new("r-root", [Policy("""{"Effect":"Deny","Action":"*","Resource":"*"}""")])];

        Assert.Equal(ScpOutcome.ExplicitDeny, ScpEvaluator.Decide(ScpRequest.Of("s3:GetObject"), denyAll).Outcome);
        Assert.Equal(ScpOutcome.NotRestricted, ScpEvaluator.Decide(ScpRequest.Of("s3:GetObject"), denyAll, managementAccount: true).Outcome);
        Assert.Equal(ScpOutcome.NotRestricted, ScpEvaluator.Decide(ScpRequest.Of("s3:GetObject", "*",
            ("aws:PrincipalArn", "arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")), denyAll).Outcome);
    }

    [Theory]
    [InlineData("""{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}""", "$.Statement[0].Principal")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"iam:*"}]}""", "$.Statement[0]")]
    [InlineData("""{"Statement":[{"Effect":"Permit","Action":"*"}]}""", "$.Statement[0].Effect")]
    [InlineData("""{"Statement":[{"Effect":"Deny"}]}""", "$.Statement[0].Action")]
    [InlineData("""{"Statement":[{"Effect":"Deny","Action":"StopLogging"}]}""", "$.Statement[0].Action")]
    [InlineData("""{"Statement":[{"Effect":"Deny","Action":"*","Condition":{"StringSorta":{"k":"v"}}}]}""", "$.Statement[0].Condition.StringSorta")]
    [InlineData("""{"Statement":[{"Effect":"Deny","Action":"*","Condition":{"NullIfExists":{"k":"true"}}}]}""", "$.Statement[0].Condition.NullIfExists")]
    [InlineData("""{"Statement":[{"Effect":"Deny","Action":"*","Condition":{"NumericLessThan":{"k":"ten"}}}]}""", "$.Statement[0].Condition.NumericLessThan.k")]
    [InlineData("""{"Statement":[{"Effect":"Deny","Action":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/99"}}}]}""", "$.Statement[0].Condition.IpAddress.aws:SourceIp")]
    [InlineData("""{"Version":"2099-01-01","Statement":[{"Effect":"Deny","Action":"*"}]}""", "$.Version")]
    [InlineData("""{"Statement":[]}""", "$.Statement")]
    [InlineData("""{"Statement":[{"Effect":"Deny","Action":"*"}], "Extra": 1}""", "$.Extra")]
    [InlineData("""not json""", "$")]
    public void FaultyPoliciesAreRefusedNamingWhereTheFaultIs(string json, string path)
    {
        var result = ScpParser.Parse("p-bad", "bad", json);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Path == path);
    }

    [Fact]
    public void PoliciesOverTheSizeLimitAndTargetsOverTheAttachmentLimitAreRefused()
    {
        var statement = """{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::a-very-long-bucket-name-for-padding"}""";
        var big = "{\"Version\":\"2012-10-17\",\"Statement\":[" + string.Join(',', Enumerable.Repeat(statement, 120)) + "]}";

        var tooBig = ScpParser.Parse("p-big", "big", big);
        Assert.True(big.Length > ScpPolicy.MaxCharacters);
        Assert.Contains(tooBig.Errors, e => e.Message.Contains("10,240", StringComparison.Ordinal));

        var eleven = Enumerable.Range(0, 11).Select(i => Policy(statement, id: $"p-{i}")).ToList();
        var error = Assert.Throws<ArgumentException>(() => new ScpLevel("ou-full", eleven));
        Assert.Contains("at most 10", error.Message, StringComparison.Ordinal);
        Assert.Equal(10, new ScpLevel("ou-ten", eleven.Take(10).ToList()).Policies.Count);
    }

    [Fact]
    public void AStatementObjectAndOmittedResourceMeanOneStatementOnEveryResource()
    {
        var result = ScpParser.Parse("p-one", "one", """{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"organizations:LeaveOrganization"}}""");

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        ScpLevel[] path = [new("r-root", [ScpPolicy.FullAwsAccess, result.Policy!])];
        Assert.Equal(ScpOutcome.ExplicitDeny, ScpEvaluator.Decide(ScpRequest.Of("organizations:LeaveOrganization", "arn:aws:organizations::1:account/x"), path).Outcome);
    }
}
