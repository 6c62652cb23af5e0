using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Governance;
using ControlTower.Contracts.Operations;
using ControlTower.Governance.Apis;
using ControlTower.Governance.Controls;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using static ControlTower.Governance.Tests.GuardrailSamples;

namespace ControlTower.Governance.Tests;

/// <summary>
/// Guardrail violations through real RabbitMQ and PostgreSQL, against a baseline of the test's own (accounts no
/// other test uses): findings, announcements, redeliveries, exemptions, refused calls and where controls are on.
/// Hosts of other tests receive these batches too, so every check looks at its own subjects; what must not
/// happen is checked in the same batch as something that must, whose arrival shows the batch was judged.
/// </summary>
public sealed class GuardrailTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string Management = "900000000001";
    private const string Workload = "900000000003";
    private const string Sandbox = "900000000004";
    private const string CtTrail = "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED";

    private const string Baseline = """
        version: 1
        aws:
          organization:
            id: o-guardrails01
            root: r-gr01
            managementAccount: "900000000001"
          organizationalUnits:
            - id: ou-gr01-sec00001
              name: Security
            - id: ou-gr01-wkl00001
              name: Workloads
              controls: [GOV.EC2.2, AWS-GR_RESTRICT_ROOT_USER]
            - id: ou-gr01-sbx00001
              name: Sandbox
              controls: [GOV.IAM.1]
          accounts:
            - id: "900000000001"
              name: management
              role: management
              ou: r-gr01
            - id: "900000000002"
              name: log-archive
              role: log-archive
              ou: ou-gr01-sec00001
            - id: "900000000003"
              name: payments
              role: workload
              ou: ou-gr01-wkl00001
            - id: "900000000004"
              name: playground
              role: sandbox
              ou: ou-gr01-sbx00001
        azure:
          tenant: 00000000-0000-0000-0000-00000000bbbb
          managementGroups:
            - id: gr-root
              name: Guardrail tests
              controls: [GOV.AZ.LOCK.1]
          subscriptions:
            - id: 11112222-bbbb-3333-cccc-4444dddd5555
              name: prod-core
              managementGroup: gr-root
        """;

    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;
    private string baselineFile = null!;

    public async ValueTask InitializeAsync()
    {
        baselineFile = Path.Combine(Path.GetTempPath(), $"guardrail-baseline-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(baselineFile, Baseline, TestContext.Current.CancellationToken);
        factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb", new Dictionary<string, string?>
        {
            ["Governance:BaselinePath"] = baselineFile,
        });
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
        File.Delete(baselineFile);
    }

    private Task PublishAsync(params CloudActivity[] activities) =>
        factory.Services.GetRequiredService<IBus>().Publish(
            new CloudActivityBatch { BatchId = Guid.NewGuid(), Source = "test", ReceivedAt = DateTimeOffset.UtcNow, Activities = activities },
            TestContext.Current.CancellationToken);

    /// <summary>Stopping Control Tower's trail (a trail name of this test's own, so the subject is too).</summary>
    private static CloudActivity StopTrail(string account, string trail, JsonObject? identity = null, string? errorCode = null) =>
        FromCloudTrail(CloudTrail("cloudtrail.amazonaws.com", "StopLogging", account,
            new JsonObject { ["name"] = $"arn:aws:cloudtrail:eu-west-1:{account}:trail/{trail}" }, identity, errorCode));

    private static string NewTrail() => $"aws-controltower-BaselineCloudTrail-{Guid.NewGuid():N}";

    private static CloudActivity DisableEbsEncryption(string account, string region) =>
        FromCloudTrail(CloudTrail("ec2.amazonaws.com", "DisableEbsEncryptionByDefault", account,
            new JsonObject { ["DisableEbsEncryptionByDefaultRequest"] = "" }, region: region));

    private Task<List<FindingView>> GuardrailFindings(Func<List<FindingView>, bool> until) =>
        client.GetUntilAsync("/api/governance/findings?kind=guardrail", until);

    [Fact]
    public async Task ASuppressedViolationIsKeptButAnnouncedOnlyWhenTheSuppressionIsLifted()
    {
        await using var violated = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(GuardrailViolated), TestContext.Current.CancellationToken);
        var (quiet, loud) = (NewTrail(), NewTrail());
        using var created = await client.PostAsJsonAsync("/api/governance/suppressions",
            new SuppressionRequest(CtTrail, $"{Workload}/*{quiet}", "trail migration, change CHG-77", DateTimeOffset.UtcNow.AddHours(1)),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var suppression = (await created.Content.ReadFromJsonAsync<SuppressionView>(TestContext.Current.CancellationToken))!;

        // One batch: the suppressed trail's stop and another's, whose announcement shows the batch was judged.
        await PublishAsync(StopTrail(Workload, quiet), StopTrail(Sandbox, loud));

        await violated.WaitForAsync(m => m.GetProperty("subject").GetString()!.EndsWith(loud, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(violated.Messages, m => m.GetProperty("subject").GetString()!.EndsWith(quiet, StringComparison.Ordinal));
        var kept = (await GuardrailFindings(f => f.Any(x => x.Subject.EndsWith(quiet, StringComparison.Ordinal))))
            .Single(f => f.Subject.EndsWith(quiet, StringComparison.Ordinal));
        Assert.Equal((1, suppression.Id), (kept.Occurrences, kept.SuppressedBy?.Id));

        using var lifted = await client.DeleteAsync($"/api/governance/suppressions/{suppression.Id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);
        var announced = await violated.WaitForAsync(m => m.GetProperty("subject").GetString()!.EndsWith(quiet, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal((kept.Id.ToString(), 1, CtTrail, Workload), (announced.GetProperty("findingId").GetString(), announced.GetProperty("occurrence").GetInt32(),
            announced.GetProperty("controlId").GetString(), announced.GetProperty("account").GetString()));
        Assert.Equal(kept.EvidenceEventId, announced.GetProperty("evidenceEventId").GetString());
    }

    [Fact]
    public async Task APersonResolvingTheSignalClosesTheFindingUnlessTheControlWasBrokenAgainSince()
    {
        await using var resolved = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(GuardrailResolved), TestContext.Current.CancellationToken);
        var trail = NewTrail();
        await PublishAsync(StopTrail(Workload, trail));
        var finding = (await GuardrailFindings(f => f.Any(x => x.Subject.EndsWith(trail, StringComparison.Ordinal))))
            .Single(f => f.Subject.EndsWith(trail, StringComparison.Ordinal));
        var bus = factory.Services.GetRequiredService<IBus>();
        SignalResolved Resolution(int occurrence) => new()
        {
            SignalId = 1, Kind = "guardrail", Source = "governance", SourceId = finding.Id.ToString(), SourceOccurrence = occurrence,
            Classification = "TruePositive", ResolvedBy = "alice@example.com", ResolvedAt = DateTimeOffset.UtcNow,
        };

        // Broken a second time before the person's resolution (of the first occurrence) arrives: it stays open.
        await PublishAsync(StopTrail(Workload, trail));
        await GuardrailFindings(f => f.Any(x => x.Id == finding.Id && x.Occurrences == 2));
        await bus.Publish(Resolution(1), TestContext.Current.CancellationToken);
        // Then resolved having seen both: closed and announced with the occurrence it closed.
        await bus.Publish(Resolution(2), TestContext.Current.CancellationToken);
        var announced = await resolved.WaitForAsync(m => m.GetProperty("findingId").GetString() == finding.Id.ToString(), TimeSpan.FromSeconds(30));
        Assert.Equal((2, CtTrail, Workload, "alice@example.com", "TruePositive"), (announced.GetProperty("occurrence").GetInt32(),
            announced.GetProperty("controlId").GetString(), announced.GetProperty("account").GetString(), announced.GetProperty("resolvedBy").GetString(),
            announced.GetProperty("classification").GetString()));
        Assert.Single(resolved.Messages, m => m.GetProperty("findingId").GetString() == finding.Id.ToString());
        var closed = (await client.GetFromJsonAsync<List<FindingView>>("/api/governance/findings?kind=guardrail&status=resolved", TestContext.Current.CancellationToken))!;
        Assert.Contains(closed, f => f.Id == finding.Id);

        // Broken again: open with the next occurrence.
        await PublishAsync(StopTrail(Workload, trail));
        var reopened = await client.GetUntilAsync<List<FindingView>>("/api/governance/findings?kind=guardrail&status=open",
            f => f.Any(x => x.Id == finding.Id), TimeSpan.FromSeconds(30));
        Assert.Equal(3, reopened.Single(f => f.Id == finding.Id).Occurrences);
    }

    [Fact]
    public async Task AViolationOpensAFindingAndIsAnnounced()
    {
        await using var violated = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(GuardrailViolated), TestContext.Current.CancellationToken);
        var trail = NewTrail();
        var stop = StopTrail(Workload, trail);
        var subject = $"{Workload}/arn:aws:cloudtrail:eu-west-1:{Workload}:trail/{trail}";

        await PublishAsync(stop);

        var message = await violated.WaitForAsync(m => m.GetProperty("evidenceEventId").GetString() == stop.EventId, TimeSpan.FromSeconds(30));
        Assert.Equal(CtTrail, message.GetProperty("controlId").GetString());
        Assert.Equal(subject, message.GetProperty("subject").GetString());
        Assert.Equal("critical", message.GetProperty("severity").GetString());
        Assert.Equal(Workload, message.GetProperty("account").GetString());
        Assert.Equal("aws", message.GetProperty("provider").GetString());
        Assert.Equal(1, message.GetProperty("occurrence").GetInt32());

        // Announced just before the commit, so the finding may show a moment later.
        var findings = await GuardrailFindings(f => f.Any(x => x.Subject == subject));
        var finding = Assert.Single(findings, f => f.Subject == subject && f.Type == CtTrail);
        Assert.Equal(message.GetProperty("findingId").GetGuid(), finding.Id);
        Assert.Equal(("guardrail", "open", "critical", 1), (finding.Kind, finding.Status, finding.Severity, finding.Occurrences));
        Assert.Equal([stop.EventId], finding.EvidenceEventIds);
        Assert.Equal(stop.EventId, finding.EvidenceEventId);
        Assert.Equal((Workload, "aws"), (finding.Account, finding.Provider));
        Assert.Contains("every account", finding.Expected, StringComparison.Ordinal);
        Assert.Contains("cloudtrail:StopLogging", finding.Observed, StringComparison.Ordinal);
        Assert.Equal(ControlCatalog.Default.Find(CtTrail)!.Repair, finding.Repair);
        // The detective CloudTrail control would pick the same event, but is not on in the Workloads OU.
        Assert.DoesNotContain(findings, f => f.Type == "GOV.CLOUDTRAIL.1");
        // Drift findings are apart.
        var drift = (await client.GetFromJsonAsync<List<FindingView>>("/api/governance/findings?kind=drift", TestContext.Current.CancellationToken))!;
        Assert.DoesNotContain(drift, f => f.Kind == "guardrail");
    }

    [Fact]
    public async Task ARedeliveredEventCountsOnce()
    {
        await using var violated = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(GuardrailViolated), TestContext.Current.CancellationToken);
        var region = $"eu-test-{Random.Shared.Next(1000, 9999)}";
        var first = DisableEbsEncryption(Workload, region);
        var second = DisableEbsEncryption(Workload, region);
        var subject = $"{Workload}/{region}";

        await PublishAsync(first);
        var one = await violated.WaitForAsync(m => m.GetProperty("evidenceEventId").GetString() == first.EventId, TimeSpan.FromSeconds(30));
        Assert.Equal(1, one.GetProperty("occurrence").GetInt32());
        await GuardrailFindings(f => f.Any(x => x.Subject == subject));

        // The first event again (a redelivery) with a new one for the same subject, in one batch.
        await PublishAsync(first, second);

        var two = await violated.WaitForAsync(m => m.GetProperty("evidenceEventId").GetString() == second.EventId, TimeSpan.FromSeconds(30));
        Assert.Equal(2, two.GetProperty("occurrence").GetInt32());
        var finding = Assert.Single(await GuardrailFindings(f => f.Any(x => x.Subject == subject && x.EvidenceEventIds.Contains(second.EventId))),
            f => f.Subject == subject);
        Assert.Equal("GOV.EC2.2", finding.Type);
        Assert.Equal(2, finding.Occurrences);
        Assert.Equal([second.EventId, first.EventId], finding.EvidenceEventIds);
        Assert.Equal(one.GetProperty("findingId").GetGuid(), finding.Id);
    }

    [Fact]
    public async Task BatchesJudgedAtOnceCountEveryEventOnceEach()
    {
        await using var violated = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(GuardrailViolated), TestContext.Current.CancellationToken);
        var region = $"eu-test-{Random.Shared.Next(1000, 9999)}";
        var events = Enumerable.Range(0, 6).Select(_ => DisableEbsEncryption(Workload, region)).ToList();
        var ids = events.Select(e => e.EventId).ToHashSet();

        // One batch each, published together: the consumer takes several at a time.
        await Task.WhenAll(events.Select(e => PublishAsync(e)));

        var finding = Assert.Single(await GuardrailFindings(f => f.Any(x => x.Subject == $"{Workload}/{region}" && x.Occurrences >= events.Count)),
            f => f.Subject == $"{Workload}/{region}");
        Assert.Equal(events.Count, finding.Occurrences);
        Assert.Equal(ids.Order(), finding.EvidenceEventIds.Order());
        foreach (var id in ids)
        {
            await violated.WaitForAsync(m => m.GetProperty("evidenceEventId").GetString() == id, TimeSpan.FromSeconds(30));
        }
        // Each event announced with an occurrence of its own.
        Assert.Equal(Enumerable.Range(1, events.Count), violated.Messages
            .Where(m => ids.Contains(m.GetProperty("evidenceEventId").GetString()!))
            .Select(m => m.GetProperty("occurrence").GetInt32()).Distinct().Order());
    }

    [Fact]
    public async Task ExemptCallersAndTheManagementAccountOpenNoFinding()
    {
        var (execution, serviceLinked, management, person) = (NewTrail(), NewTrail(), NewTrail(), NewTrail());

        await PublishAsync(
            StopTrail(Workload, execution, Identity(Workload, "role", "AWSControlTowerExecution")),
            StopTrail(Workload, serviceLinked, Identity(Workload, "service-linked", "CloudTrail")),
            StopTrail(Management, management, Identity(Management, "role", "PlatformAdmin")),
            StopTrail(Workload, person, Identity(Workload, "role", "PlatformAdmin")));

        // The person's call in the same batch shows the batch was judged.
        var findings = await GuardrailFindings(f => f.Any(x => x.Subject.EndsWith(person, StringComparison.Ordinal)));
        Assert.DoesNotContain(findings, f => f.Subject.EndsWith(execution, StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.Subject.EndsWith(serviceLinked, StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.Subject.EndsWith(management, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARefusedCallIsCountedAsThePreventiveControlWorkingAndOpensNoFinding()
    {
        var (refused, done, later) = (NewTrail(), NewTrail(), NewTrail());
        var denied = StopTrail(Workload, refused, errorCode: "AccessDenied");

        await PublishAsync(denied, StopTrail(Workload, done));
        var findings = await GuardrailFindings(f => f.Any(x => x.Subject.EndsWith(done, StringComparison.Ordinal)));

        Assert.DoesNotContain(findings, f => f.Subject.EndsWith(refused, StringComparison.Ordinal));
        var control = (await client.GetFromJsonAsync<ControlView>($"/api/governance/controls/{CtTrail}", TestContext.Current.CancellationToken))!;
        Assert.Equal(1, control.Blocked);
        Assert.Equal(denied.Time, control.LastBlockedAt);
        Assert.Equal(1, control.OpenFindings);

        // The refused call delivered again is not counted again.
        await PublishAsync(denied, StopTrail(Workload, later));
        await GuardrailFindings(f => f.Any(x => x.Subject.EndsWith(later, StringComparison.Ordinal)));
        control = (await client.GetFromJsonAsync<ControlView>($"/api/governance/controls/{CtTrail}", TestContext.Current.CancellationToken))!;
        Assert.Equal(1, control.Blocked);
        Assert.Equal(2, control.OpenFindings);
    }

    [Fact]
    public async Task AControlOpensFindingsOnlyWhereItIsEnabled()
    {
        var region = $"eu-test-{Random.Shared.Next(1000, 9999)}";
        var user = $"build-bot-{Guid.NewGuid():N}";
        CloudActivity CreateUser(string account, string name) =>
            FromCloudTrail(CloudTrail("iam.amazonaws.com", "CreateUser", account, new JsonObject { ["userName"] = name, ["path"] = "/" }));

        await PublishAsync(
            DisableEbsEncryption(Sandbox, region),   // GOV.EC2.2 is on in Workloads only
            CreateUser(Workload, user),              // GOV.IAM.1 is on in Sandbox only
            CreateUser(Sandbox, user));

        var findings = await GuardrailFindings(f => f.Any(x => x.Subject == $"{Sandbox}/{user}"));
        var found = Assert.Single(findings, f => f.Subject == $"{Sandbox}/{user}");
        Assert.Equal("GOV.IAM.1", found.Type);
        Assert.Contains("ou-gr01-sbx00001", found.Expected, StringComparison.Ordinal);
        Assert.DoesNotContain(findings, f => f.Subject == $"{Workload}/{user}");
        Assert.DoesNotContain(findings, f => f.Subject == $"{Sandbox}/{region}");
    }

    [Fact]
    public async Task AnAccountIsJudgedWhereTheObservedOrganisationPutsIt()
    {
        var move = JsonNode.Parse(File.ReadAllLines(ControlTower.Testing.Repository.TestData("aws/organizations-events.jsonl"))
            .Single(l => l.Contains("\"MoveAccount\"", StringComparison.Ordinal)))!.AsObject();
        move["requestParameters"] = new JsonObject
        {
            ["accountId"] = Sandbox, ["sourceParentId"] = "ou-gr01-sbx00001", ["destinationParentId"] = "ou-gr01-wkl00001",
        };
        move["recipientAccountId"] = Management;
        move["eventTime"] = "2026-11-28T13:00:00Z";
        var region = $"eu-test-{Random.Shared.Next(1000, 9999)}";

        await PublishAsync(OrganizationSamples.Activity(move));
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while ((await client.GetFromJsonAsync<ObservedOrganizationView>("/api/governance/organization", timeout.Token))!
                   .Accounts.SingleOrDefault(a => a.AccountId == Sandbox)?.ParentId != "ou-gr01-wkl00001")
            {
                await Task.Delay(100, timeout.Token);
            }
        }
        await PublishAsync(DisableEbsEncryption(Sandbox, region));

        var finding = Assert.Single(await GuardrailFindings(f => f.Any(x => x.Subject == $"{Sandbox}/{region}")), f => f.Subject == $"{Sandbox}/{region}");
        Assert.Equal("GOV.EC2.2", finding.Type);
        Assert.Contains("ou-gr01-wkl00001", finding.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAzureEventIsJudgedByTheControlsOfItsManagementGroups()
    {
        await using var violated = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(GuardrailViolated), TestContext.Current.CancellationToken);
        var lockDeleted = FromActivityLog(AzureRestSample("7412b293-4729-4739-a14f-f3d719db3ad0"));

        await PublishAsync(lockDeleted);

        var message = await violated.WaitForAsync(m => m.GetProperty("evidenceEventId").GetString() == lockDeleted.EventId
            && m.GetProperty("controlId").GetString() == "GOV.AZ.LOCK.1", TimeSpan.FromSeconds(30));
        Assert.Equal("azure", message.GetProperty("provider").GetString());
        var finding = Assert.Single(await GuardrailFindings(f => f.Any(x => x.Type == "GOV.AZ.LOCK.1")), f => f.Type == "GOV.AZ.LOCK.1");
        Assert.Equal($"11112222-bbbb-3333-cccc-4444dddd5555/{lockDeleted.ResourceId}", finding.Subject);
        Assert.Contains("gr-root", finding.Expected, StringComparison.Ordinal);
        Assert.StartsWith("avery.admin@contoso.com called microsoft.authorization/locks/delete in 11112222-bbbb-3333-cccc-4444dddd5555", finding.Observed,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheControlsApiListsTheCatalogWithWhereEachIsOn()
    {
        var controls = (await client.GetFromJsonAsync<List<ControlView>>("/api/governance/controls", TestContext.Current.CancellationToken))!;

        Assert.Equal(ControlCatalog.Default.Controls.Count, controls.Count);
        Assert.Equal(["ou-gr01-wkl00001"], controls.Single(c => c.Id == "GOV.EC2.2").EnabledOn);
        Assert.Equal(["mandatory"], controls.Single(c => c.Id == CtTrail).EnabledOn);
        Assert.Empty(controls.Single(c => c.Id == "GOV.KMS.1").EnabledOn);
        Assert.All(controls, c => Assert.NotEmpty(c.Repair));
        var azure = (await client.GetFromJsonAsync<List<ControlView>>("/api/governance/controls?provider=azure", TestContext.Current.CancellationToken))!;
        Assert.All(azure, c => Assert.Equal("azure", c.Provider));
        Assert.Equal(["gr-root"], azure.Single(c => c.Id == "GOV.AZ.LOCK.1").EnabledOn);

        using var unknown = await client.GetAsync("/api/governance/controls/AWS-GR_NOT_A_CONTROL", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        using var badProvider = await client.GetAsync("/api/governance/controls?provider=gcp", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badProvider.StatusCode);
        using var badKind = await client.GetAsync("/api/governance/findings?kind=alarm", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        var problem = await badKind.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty("kind", out _));
    }

    [Fact]
    public async Task WithoutABaselineNoControlIsOn()
    {
        await using var bare = ServiceFactory<Program>.OnServers(infrastructure, "governancedb");
        using var bareClient = bare.CreateTrustedClient();
        await bare.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        var controls = (await bareClient.GetFromJsonAsync<List<ControlView>>("/api/governance/controls", TestContext.Current.CancellationToken))!;

        Assert.Equal(ControlCatalog.Default.Controls.Count, controls.Count);
        Assert.All(controls, c => Assert.Empty(c.EnabledOn));
    }

    [Fact]
    public async Task ABaselineNamingAnUnknownControlStopsTheStartWithItsLine()
    {
        var file = Path.Combine(Path.GetTempPath(), $"guardrail-baseline-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, Baseline.Replace("controls: [GOV.IAM.1]", "controls: [GOV.IAM.1, AWS-GR_NOT_A_CONTROL]", StringComparison.Ordinal),
            TestContext.Current.CancellationToken);
        try
        {
            await using var faulty = ServiceFactory<Program>.OnServers(infrastructure, "governancedb",
                new Dictionary<string, string?> { ["Governance:BaselinePath"] = file });

            Assert.ThrowsAny<Exception>(() => faulty.CreateTrustedClient());

            Assert.Contains("line 15, aws.organizationalUnits[2].controls: 'AWS-GR_NOT_A_CONTROL' is not a control of the catalog",
                BaselineStart.Refusal(file), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
