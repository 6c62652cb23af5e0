using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlTower.Governance.Apis;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Scp;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Governance.Tests;

/// <summary>The impact preview of a new SCP attached to a target (the portal's "attach a new policy" case), next to changing one the baseline has.</summary>
public sealed class ScpAttachImpactTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private static readonly string Example = Path.Combine(Repository.Root, "deploy", "landing-zone", "baseline.yaml");
    private const string DenyGetObject = """{"Version":"2012-10-17","Statement":[{"Sid":"NoReads","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}""";
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb", new Dictionary<string, string?>
        {
            ["Governance:BaselinePath"] = Example,
        });
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    private static AwsBaseline Baseline()
    {
        var (baseline, errors) = BaselineLoader.Load(File.ReadAllText(Example), f => File.ReadAllText(Path.Combine(Path.GetDirectoryName(Example)!, f)));
        Assert.Empty(errors);
        return baseline!.Aws!;
    }

    [Fact]
    public void ANewDenyAttachedToAnOuTakesTheActionFromTheAccountsBelowItOnly()
    {
        var deny = ScpParser.Parse("p-new", "new policy", DenyGetObject).Policy!;

        var impact = ImpactPreview.PreviewAttached(Baseline(), "ou-ab12-wkl00001", deny, ScpRequest.Of("s3:GetObject", "*", ("aws:RequestedRegion", "eu-west-1")));

        // Workloads holds Prod (payments-prod) and NonProd (payments-dev); Security, Infrastructure and Sandbox keep the action.
        Assert.Equal(["555566667777", "666677778888"], impact.Lose.Select(a => a.AccountId).Order());
        Assert.Empty(impact.Gain);
        Assert.Equal(5, impact.AccountsChecked);
        var after = impact.Lose.Single(a => a.AccountId == "555566667777").After;
        Assert.Equal((ScpOutcome.ExplicitDeny, "ou-ab12-wkl00001", "p-new", "NoReads"), (after.Outcome, after.TargetId, after.PolicyId, after.StatementSid));
    }

    [Fact]
    public void ANewPolicyOnATargetWithoutSCPsOfItsOwnKeepsFullAwsAccessBesideIt()
    {
        // shared-services has no SCP of its own in the baseline: the new one joins FullAWSAccess, it does not replace it.
        var allowOnlyS3 = ScpParser.Parse("p-new", "new policy", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}""").Policy!;

        var impact = ImpactPreview.PreviewAttached(Baseline(), "444455556666", allowOnlyS3, ScpRequest.Of("ec2:DescribeInstances"));

        Assert.Empty(impact.Lose);
        Assert.Empty(impact.Gain);
        // Workloads has FullAWSAccess, protect-logging and the region lock: the count AWS's limit is checked against.
        Assert.Equal(3, ImpactPreview.AttachedTo(Baseline(), "ou-ab12-wkl00001"));
    }

    [Fact]
    public async Task TheImpactEndpointAttachesTheDocumentToTheTargetWhenNoPolicyIsNamedAndNamesAnUnknownTarget()
    {
        var body = new JsonObject
        {
            ["targetId"] = "ou-ab12-prd00001",
            ["document"] = DenyGetObject,
            ["action"] = "s3:GetObject",
            ["context"] = new JsonObject { ["aws:RequestedRegion"] = new JsonArray("eu-west-1") },
        };

        using var response = await client.PostAsJsonAsync("/api/governance/scp/impact", body, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var impact = (await response.Content.ReadFromJsonAsync<ScpImpactView>(TestContext.Current.CancellationToken))!;
        var lost = Assert.Single(impact.Lose);
        Assert.Equal(("555566667777", "explicitDeny", "ou-ab12-prd00001"), (lost.AccountId, lost.After.Outcome, lost.After.TargetId));

        body["targetId"] = "ou-nope";
        using var bad = await client.PostAsJsonAsync("/api/governance/scp/impact", body, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["errors"]!.AsObject();
        Assert.Contains("is not the root, an OU or an account of the baseline", errors["targetId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(errors.ContainsKey("policyId"));
    }
}
