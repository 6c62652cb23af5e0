using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Governance.Apis;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Governance.Tests;

/// <summary>POST /api/governance/inventory over a generated organisation and the test Azure estate, on real RabbitMQ and PostgreSQL.</summary>
public sealed class InventoryTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private readonly GeneratedOrganization organization = new(ous: 6, accounts: 20);
    private string baselinePath = null!;
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        baselinePath = organization.WriteBaseline();
        factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb", new Dictionary<string, string?>
        {
            ["Governance:BaselinePath"] = baselinePath,
            ["Governance:Inventory:MaxBytes"] = "65536",
        });
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
        File.Delete(baselinePath);
    }

    [Fact]
    public async Task AGoodSnapshotSetsBothCloudsAsOfItsTimeAndItsDriftIsFound()
    {
        var snapshot = organization.Snapshot("2026-11-28T12:00:00Z");
        var moved = organization.Accounts[5];
        snapshot["aws"]!["accounts"]![5]!["parentId"] = organization.Ous[0].Id;
        snapshot["azure"]!["subscriptions"]![0]!["managementGroupId"] = "ct-sandbox";
        snapshot["azure"]!["policyAssignments"]![1]!["enforcementMode"] = "DoNotEnforce";
        snapshot["azure"]!["policyExemptions"]!.AsArray().Add(new JsonObject
        {
            ["id"] = $"/subscriptions/{AzureSamples.PlatformSubscription}/providers/Microsoft.Authorization/policyExemptions/diag-waiver",
            ["policyAssignmentId"] = "/providers/Microsoft.Management/managementGroups/ct-root/providers/Microsoft.Authorization/policyAssignments/audit-diagnostics",
            ["exemptionCategory"] = "Mitigated",
        });

        var imported = await Import(snapshot);

        Assert.Equal((20, 6, 1, 5, 2, 3, 1), (imported.Accounts, imported.OrganizationalUnits, imported.Policies, imported.ManagementGroups,
            imported.Subscriptions, imported.PolicyAssignments, imported.PolicyExemptions));
        Assert.Equal(4, imported.OpenFindings);
        var drift = await Drift();
        Assert.Equal(
        [
            ("ACCOUNT_MOVED_BETWEEN_OUS", moved.Id),
            ("POLICY_ASSIGNMENT_CHANGED", "/providers/microsoft.management/managementgroups/ct-landingzones/providers/microsoft.authorization/policyassignments/deny-public-ip"),
            ("POLICY_EXEMPTION_CREATED", $"/subscriptions/{AzureSamples.PlatformSubscription}/providers/microsoft.authorization/policyexemptions/diag-waiver"),
            ("SUBSCRIPTION_MOVED_BETWEEN_MANAGEMENT_GROUPS", AzureSamples.CorpSubscription),
        ], drift.Select(f => (f.Type, f.Subject)));
        Assert.All(drift, f => Assert.Equal(imported.SnapshotId, f.EvidenceEventId));

        var aws = (await client.GetFromJsonAsync<ObservedOrganizationView>("/api/governance/organization", TestContext.Current.CancellationToken))!;
        Assert.Equal(20, aws.Accounts.Count(a => a.Member == true));
        Assert.Equal(6, aws.OrganizationalUnits.Count(o => !o.Deleted));
        Assert.Equal(organization.Ous[0].Id, aws.Accounts.Single(a => a.AccountId == moved.Id).ParentId);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero), aws.Accounts[0].ParentChangedAt);
        var policy = aws.Policies.Single();
        Assert.Equal([GeneratedOrganization.Root], policy.Targets);
        Assert.Equal(GeneratedOrganization.PolicyDocument, policy.Content);
        Assert.True(aws.Settings.Single(s => s.Key == $"policy-type/{GeneratedOrganization.Root}/SERVICE_CONTROL_POLICY").Enabled);
        var azure = (await client.GetFromJsonAsync<ObservedAzureView>("/api/governance/azure", TestContext.Current.CancellationToken))!;
        Assert.Equal("ct-landingzones", azure.ManagementGroups.Single(g => g.GroupId == "ct-corp").ParentId);
        Assert.Equal(("DoNotEnforce", "Deny"), azure.PolicyAssignments.Single(a => a.Name == "deny-public-ip") is var a ? (a.EnforcementMode, a.Effect) : default);

        // The same snapshot again changes nothing: no finding opens twice.
        await Import(snapshot);
        var findings = (await client.GetFromJsonAsync<List<FindingView>>("/api/governance/findings", TestContext.Current.CancellationToken))!;
        Assert.Equal(4, findings.Count);
        Assert.All(findings, f => Assert.Equal(1, f.Occurrences));
    }

    [Fact]
    public async Task RowsAFullSnapshotNoLongerListsAreMarkedGoneAsOfItsTime()
    {
        var first = organization.Snapshot("2026-11-28T12:00:00Z");
        // Beyond the baseline: an OU and an account the baseline does not know, and an exemption from another assignment.
        first["aws"]!["organizationalUnits"]!.AsArray().Add(new JsonObject { ["id"] = "ou-gen1-extra0001", ["name"] = "extra", ["parentId"] = GeneratedOrganization.Root });
        first["aws"]!["accounts"]!.AsArray().Add(new JsonObject { ["id"] = "123412341234", ["name"] = "stray", ["parentId"] = "ou-gen1-extra0001" });
        first["azure"]!["policyExemptions"]!.AsArray().Add(new JsonObject
        {
            ["id"] = $"/subscriptions/{AzureSamples.CorpSubscription}/providers/Microsoft.Authorization/policyExemptions/other",
            ["policyAssignmentId"] = $"/subscriptions/{AzureSamples.CorpSubscription}/providers/Microsoft.Authorization/policyAssignments/not-in-the-baseline",
        });
        var clean = await Import(first);
        Assert.Equal(0, clean.OpenFindings);

        // An hour later: the extra OU and its account, a leaf OU with its accounts, the sandbox group, the platform
        // subscription, an assignment and the exemption are gone.
        var second = organization.Snapshot("2026-11-28T13:00:00Z");
        var leaf = organization.Ous[^1].Id;
        var leafAccounts = organization.Accounts.Where(a => a.ParentId == leaf).Select(a => a.Id).ToList();
        Assert.NotEmpty(leafAccounts);
        Remove(second["aws"]!["organizationalUnits"]!, o => o["id"]!.GetValue<string>() == leaf);
        Remove(second["aws"]!["accounts"]!, a => leafAccounts.Contains(a["id"]!.GetValue<string>()));
        Remove(second["azure"]!["managementGroups"]!, g => g["id"]!.GetValue<string>() == "ct-sandbox");
        Remove(second["azure"]!["subscriptions"]!, s => s["id"]!.GetValue<string>() == AzureSamples.PlatformSubscription);
        Remove(second["azure"]!["policyAssignments"]!, a => a["id"]!.GetValue<string>().EndsWith("/deny-public-storage", StringComparison.Ordinal));

        var imported = await Import(second);

        var drift = await Drift();
        Assert.Equal(
            [.. leafAccounts.Select(a => ("ACCOUNT_REMOVED_FROM_ORGANIZATION", a)),
            ("MANAGEMENT_GROUP_DELETED", "ct-sandbox"),
            ("ORGANIZATIONAL_UNIT_DELETED", leaf),
            ("POLICY_ASSIGNMENT_DELETED", $"/subscriptions/{AzureSamples.CorpSubscription}/resourcegroups/rg-prod-core/providers/microsoft.authorization/policyassignments/deny-public-storage"),
            ("SUBSCRIPTION_REMOVED_FROM_MANAGEMENT_GROUP", AzureSamples.PlatformSubscription)],
            drift.Select(f => (f.Type, f.Subject)));
        // Rows no baseline names are swept too: the extra OU, the stray account and the exemption.
        Assert.True(imported.MarkedAbsent >= 3);
        var aws = (await client.GetFromJsonAsync<ObservedOrganizationView>("/api/governance/organization", TestContext.Current.CancellationToken))!;
        var extra = aws.OrganizationalUnits.Single(o => o.OuId == "ou-gen1-extra0001");
        Assert.Equal((true, imported.SnapshotId), (extra.Deleted, extra.EventId));
        var stray = aws.Accounts.Single(a => a.AccountId == "123412341234");
        Assert.Equal((false, imported.SnapshotId), (stray.Member, stray.MemberEventId));
        var azure = (await client.GetFromJsonAsync<ObservedAzureView>("/api/governance/azure", TestContext.Current.CancellationToken))!;
        Assert.True(Assert.Single(azure.PolicyExemptions).Deleted);
        Assert.True(azure.Subscriptions.Single(s => s.SubscriptionId == AzureSamples.PlatformSubscription).Removed);
    }

    [Fact]
    public async Task ASnapshotOlderThanAnEventNeverOverwritesWhatTheEventSet()
    {
        await Import(organization.Snapshot("2026-11-28T10:00:00Z"));
        var account = organization.Accounts[3];
        var destination = organization.Ous[1].Id;
        var move = OrganizationSamples.Events().Single(e => e.Operation == "MoveAccount");
        var raw = JsonNode.Parse(move.Raw)!.AsObject();
        raw["eventTime"] = "2026-11-28T12:00:00Z";
        raw["requestParameters"]!["accountId"] = account.Id;
        raw["requestParameters"]!["sourceParentId"] = account.ParentId;
        raw["requestParameters"]!["destinationParentId"] = destination;
        var awsMove = OrganizationSamples.Activity(raw);
        var azureMove = AzureSamples.Record("MICROSOFT.MANAGEMENT/MANAGEMENTGROUPS/SUBSCRIPTIONS/WRITE",
            $"/providers/Microsoft.Management/managementGroups/ct-sandbox/subscriptions/{AzureSamples.CorpSubscription}", "2026-11-28T12:00:00Z");
        await factory.Services.GetRequiredService<IBus>().Publish(new CloudActivityBatch
        {
            BatchId = Guid.NewGuid(), Source = "test", ReceivedAt = DateTimeOffset.UtcNow, Activities = [awsMove, azureMove],
        }, TestContext.Current.CancellationToken);
        await Eventually.ValueAsync(async () => (await Drift()).Count == 2 ? true : (bool?)null);

        // Taken before the events: the events' state stays, and so does their drift.
        var stale = await Import(organization.Snapshot("2026-11-28T11:00:00Z"));

        var drift = await Drift();
        Assert.Equal([("ACCOUNT_MOVED_BETWEEN_OUS", account.Id), ("SUBSCRIPTION_MOVED_BETWEEN_MANAGEMENT_GROUPS", AzureSamples.CorpSubscription)],
            drift.Select(f => (f.Type, f.Subject)));
        Assert.Equal([awsMove.EventId, azureMove.EventId], drift.Select(f => f.EvidenceEventId));
        Assert.Equal(2, stale.OpenFindings);
        var aws = (await client.GetFromJsonAsync<ObservedOrganizationView>("/api/governance/organization", TestContext.Current.CancellationToken))!;
        Assert.Equal(destination, aws.Accounts.Single(a => a.AccountId == account.Id).ParentId);

        // Taken after them: the snapshot's state, and the drift resolves.
        var fresh = await Import(organization.Snapshot("2026-11-28T13:00:00Z"));

        Assert.Empty(await Drift());
        Assert.Equal(0, fresh.OpenFindings);
        var azure = (await client.GetFromJsonAsync<ObservedAzureView>("/api/governance/azure", TestContext.Current.CancellationToken))!;
        var corp = azure.Subscriptions.Single(s => s.SubscriptionId == AzureSamples.CorpSubscription);
        Assert.Equal(("ct-corp", fresh.SnapshotId), (corp.ManagementGroupId, corp.EventId));
    }

    [Fact]
    public async Task AMalformedSnapshotIsA400ProblemNamingEachFieldAndChangesNothing()
    {
        var snapshot = organization.Snapshot("2026-11-28T12:00:00Z");
        snapshot.Remove("takenAt");
        snapshot["aws"]!["accounts"]![1]!["parentId"] = "ou-gen1-nowhere01";
        snapshot["aws"]!["accounts"]![2]!["id"] = "12345";
        snapshot["aws"]!["accounts"]![3]!["id"] = organization.Accounts[4].Id;
        snapshot["aws"]!["organizationalUnits"]![0]!["name"] = " ";
        snapshot["aws"]!["policies"]![0]!["content"] = "{not json";
        snapshot["azure"]!["subscriptions"]![0]!["id"] = "corp";
        snapshot["azure"]!["policyAssignments"]![0]!["id"] = "/subscriptions/x/resourceGroups/y";

        var errors = await Problem(await Post(snapshot.ToJsonString()), HttpStatusCode.BadRequest);

        Assert.Equal(
        [
            "aws.accounts[1].parentId", "aws.accounts[2].id", "aws.accounts[4].id", "aws.organizationalUnits[0].name", "aws.policies[0].content",
            "azure.policyAssignments[0].id", "azure.subscriptions[0].id", "takenAt",
        ], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("listed twice", errors["aws.accounts[4].id"][0]);

        // A field of the wrong JSON type is named by its path.
        var typed = await Problem(await Post("""{"takenAt":"2026-11-28T12:00:00Z","aws":{"root":{"id":"r-gen1"},"accounts":"all of them"}}"""), HttpStatusCode.BadRequest);
        Assert.Equal("$.aws.accounts", Assert.Single(typed).Key);
        var broken = await Problem(await Post("""{"takenAt":"2026-11-28T12:00:00Z","aws":{"""), HttpStatusCode.BadRequest);
        Assert.Single(broken);
        var future = await Problem(await Post("""{"takenAt":"2999-01-01T00:00:00Z","azure":{}}"""), HttpStatusCode.BadRequest);
        Assert.Contains("future", Assert.Single(future).Value[0]);
        using var text = await client.PostAsync("/api/governance/inventory", new StringContent("takenAt=now"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);

        var aws = (await client.GetFromJsonAsync<ObservedOrganizationView>("/api/governance/organization", TestContext.Current.CancellationToken))!;
        Assert.Empty(aws.Accounts);
    }

    [Fact]
    public async Task ASnapshotOverTheLimitIsA413ProblemWhetherOrNotItSaysItsLength()
    {
        // 20 accounts fit in the 64 KiB limit of these tests; 2,000 do not.
        var big = new GeneratedOrganization(ous: 6, accounts: 2000).Snapshot("2026-11-28T12:00:00Z").ToJsonString();
        Assert.True(Encoding.UTF8.GetByteCount(big) > 65536);

        using var sized = await Post(big);
        var problem = await sized.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sized.StatusCode);
        Assert.Equal(65536, problem!["limit"]!.GetValue<long>());

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/governance/inventory") { Content = new ChunkedContent(Encoding.UTF8.GetBytes(big)) };
        using var streamed = await client.SendAsync(chunked, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Equal("application/problem+json", streamed.Content.Headers.ContentType?.MediaType);

        var aws = (await client.GetFromJsonAsync<ObservedOrganizationView>("/api/governance/organization", TestContext.Current.CancellationToken))!;
        Assert.Empty(aws.Accounts);
    }

    private static void Remove(JsonNode array, Func<JsonNode, bool> match)
    {
        foreach (var item in array.AsArray().Where(n => match(n!)).ToList())
        {
            array.AsArray().Remove(item);
        }
    }

    private Task<HttpResponseMessage> Post(string body) =>
        client.PostAsync("/api/governance/inventory", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    private async Task<InventoryImportView> Import(JsonObject snapshot)
    {
        using var response = await Post(snapshot.ToJsonString());
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<InventoryImportView>(TestContext.Current.CancellationToken))!;
    }

    private async Task<IReadOnlyList<Drift.DriftFinding>> Drift() =>
        (await client.GetFromJsonAsync<DriftView>("/api/governance/drift", TestContext.Current.CancellationToken))!.Findings;

    private static async Task<Dictionary<string, string[]>> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            Assert.Equal(expected, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
            return problem!["errors"]!.AsObject().ToDictionary(e => e.Key, e => e.Value!.AsArray().Select(v => v!.GetValue<string>()).ToArray());
        }
    }


    /// <summary>A JSON body sent without a Content-Length (chunked), as a pipeline streaming its snapshot would.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] body;

        public ChunkedContent(byte[] body)
        {
            this.body = body;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            foreach (var chunk in body.Chunk(8192))
            {
                await stream.WriteAsync(chunk);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
