using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Governance.Controls;

namespace ControlTower.Governance.Tests;

/// <summary>The control catalog format and the one matcher engine every control runs on.</summary>
public sealed class ControlCatalogTests
{
    [Fact]
    public void TheEmbeddedCatalogLoadsWithAtLeast25ControlsOfBothProviders()
    {
        var catalog = ControlCatalog.Default;

        Assert.True(catalog.Controls.Count >= 25, $"{catalog.Controls.Count} controls");
        Assert.Equal(catalog.Controls.Count, catalog.Controls.Select(c => c.Id).Distinct().Count());
        Assert.Contains(catalog.Controls, c => c.Provider == "azure");
        Assert.Contains(catalog.Controls, c => c.IsPreventive && c.IsMandatory);
        Assert.Contains("AWSControlTowerExecution", catalog.ExemptRoles);
        Assert.Contains("AccessDenied", catalog.DeniedErrorCodes);
        Assert.All(catalog.Controls.Where(c => c.Id.StartsWith("AWS-GR_", StringComparison.Ordinal)), c => Assert.Equal("aws", c.Provider));
    }

    private static ActivityMatcher Matcher(string match, string provider)
    {
        var yaml = $"""
            controls:
              - id: TEST.1
                title: test
                nature: detective
                guidance: elective
                severity: low
                provider: {provider}
                subject: [account]
                repair: none
                match:
            {string.Join('\n', match.Split('\n').Select(l => "      " + l))}
            """;
        var (catalog, errors) = ControlCatalog.Load(yaml);
        Assert.True(errors.Count == 0, string.Join("; ", errors));
        return catalog!.Controls.Single().Match;
    }

    private const string Record = """
        {"eventName":"PutBucketAcl","eventSource":"s3.amazonaws.com","userIdentity":{"type":"AssumedRole"},
         "requestParameters":{"bucketName":"payments-logs","x-amz-acl":["public-read"],
           "ipPermissions":{"items":[{"fromPort":22,"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"},{"cidrIp":"0.0.0.0/0"}]}}]},
           "enable":false,"policy":null},
         "properties":{"requestbody":"{\"properties\":{\"pricingTier\":\"Free\"}}"}}
        """;

    public static TheoryData<string, string, string, bool> Cases => new()
    {
        // attribute equals, list (in), like
        { "operation: PutBucketAcl", "aws", "PutBucketAcl", true },
        { "operation: putbucketacl", "aws", "PutBucketAcl", false },
        { "operation: [DeleteBucket, PutBucketAcl]", "aws", "PutBucketAcl", true },
        { "operation: { like: \"Put*Acl\" }", "aws", "PutBucketAcl", true },
        { "operation: { like: \"Delete*\" }", "aws", "PutBucketAcl", false },
        // Azure compares case-insensitively, values and field names alike.
        { "operation: MICROSOFT.AUTHORIZATION/LOCKS/DELETE", "azure", "microsoft.authorization/locks/delete", true },
        { "fields:\n  Properties.RequestBody.properties.PRICINGTIER: free", "azure", "x", true },
        { "fields:\n  Properties.RequestBody.properties.PRICINGTIER: free", "aws", "x", false },
        // field paths: scalars, arrays flattened, numbers and booleans as their JSON text, embedded JSON
        { "fields:\n  requestParameters.bucketName: payments-logs", "aws", "x", true },
        { "fields:\n  requestParameters.x-amz-acl: [public-read, public-read-write]", "aws", "x", true },
        { "fields:\n  requestParameters.ipPermissions.items.ipRanges.items.cidrIp: 0.0.0.0/0", "aws", "x", true },
        { "fields:\n  requestParameters.ipPermissions.items.fromPort: \"22\"", "aws", "x", true },
        { "fields:\n  requestParameters.enable: \"false\"", "aws", "x", true },
        { "fields:\n  properties.requestbody.properties.pricingTier: Free", "aws", "x", true },
        { "fields:\n  requestParameters.bucketName: { contains: logs }", "aws", "x", true },
        // exists and not: a null or missing field has no value
        { "fields:\n  requestParameters.policy: { exists: false }", "aws", "x", true },
        { "fields:\n  requestParameters.bucketName: { exists: false }", "aws", "x", false },
        { "fields:\n  requestParameters.missing.deeper: { not: anything }", "aws", "x", true },
        { "fields:\n  userIdentity.type: { not: [Root, IAMUser] }", "aws", "x", true },
        { "fields:\n  userIdentity.type: { not: AssumedRole }", "aws", "x", false },
        // all conditions must hold; one of any
        { "operation: PutBucketAcl\nfields:\n  requestParameters.bucketName: other", "aws", "PutBucketAcl", false },
        { "any:\n  - operation: DeleteBucket\n  - fields:\n      requestParameters.bucketName: payments-logs", "aws", "PutBucketAcl", true },
        { "any:\n  - operation: DeleteBucket\n  - operation: PutBucketPolicy", "aws", "PutBucketAcl", false },
        // several tests on one field all hold
        { "fields:\n  requestParameters.bucketName: { like: \"payments-*\", not: payments-logs }", "aws", "x", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheMatcherEngineTestsAttributesAndRawFields(string match, string provider, string operation, bool expected)
    {
        var matcher = Matcher(match, provider);
        var activity = new CloudActivity
        {
            Provider = provider,
            EventId = "e-1",
            Time = DateTimeOffset.Parse("2026-11-28T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            Account = "555566667777",
            Service = "s3",
            Operation = operation,
            Outcome = ActivityOutcome.Success,
            Raw = JsonNode.Parse(Record)!.ToJsonString(),
        };
        using var fields = new ActivityFields(activity);

        Assert.Equal(expected, matcher.Matches(fields));
    }

    [Theory]
    [InlineData("operation: { like: [] , bogus: 1 }", "'bogus' is not a field here")]
    [InlineData("oper: DeleteBucket", "'oper' is not a field here")]
    [InlineData("fields:\n  requestParameters..name: x", "is not a field path")]
    [InlineData("fields:\n  a.b: { exists: maybe }", "'exists' is true or false")]
    [InlineData("any: []", "'any' lists one or more matchers")]
    [InlineData("fields: {}", "an empty one would match every event")]
    public void ACatalogFaultIsNamedByLineAndField(string match, string message)
    {
        var yaml = $"""
            controls:
              - id: TEST.1
                title: test
                nature: detective
                guidance: elective
                severity: low
                provider: aws
                subject: [account]
                repair: none
                match:
            {string.Join('\n', match.Split('\n').Select(l => "      " + l))}
            """;

        var (catalog, errors) = ControlCatalog.Load(yaml);

        Assert.Null(catalog);
        var error = Assert.Single(errors, e => e.Message.Contains(message, StringComparison.Ordinal));
        Assert.True(error.Line >= 10, $"line {error.Line}");
        Assert.StartsWith("controls[0].match", error.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void AControlWithAnUnknownNatureOrTwiceTheSameIdIsAFault()
    {
        var (catalog, errors) = ControlCatalog.Load("""
            controls:
              - id: TEST.1
                title: test
                nature: corrective
                guidance: elective
                severity: low
                provider: aws
                subject: [account]
                repair: none
                match: { operation: DeleteBucket }
              - id: TEST.1
                title: test again
                nature: detective
                guidance: elective
                severity: low
                provider: aws
                subject: [account]
                repair: none
                match: { operation: DeleteBucket }
            """);

        Assert.Null(catalog);
        Assert.True(errors.Count == 2, string.Join("; ", errors));
        Assert.Contains(errors, e => e is { Line: 4, Field: "controls[0].nature" } && e.Message.Contains("corrective", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is { Line: 11, Field: "controls[1].id" } && e.Message.Contains("listed twice", StringComparison.Ordinal));
    }
}
