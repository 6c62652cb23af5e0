using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Governance;
using ControlTower.Governance.Apis;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Governance.Tests;

/// <summary>Drift of the shipped example baseline, from the sample Organizations events, through real RabbitMQ and PostgreSQL.</summary>
public sealed class DriftTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb", new Dictionary<string, string?>
        {
            ["Governance:BaselinePath"] = Path.Combine(Repository.Root, "deploy", "landing-zone", "baseline.yaml"),
        });
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public async Task EveryDriftTheSampleEventsCauseIsFoundWithItsEvidence()
    {
        using var before = await client.GetAsync("/api/governance/drift", TestContext.Current.CancellationToken);
        Assert.Empty((await before.Content.ReadFromJsonAsync<DriftView>(TestContext.Current.CancellationToken))!.Findings);

        var events = OrganizationSamples.Events();
        await OrganizationSamples.PublishAsync(factory.Services.GetRequiredService<IBus>(), events);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        DriftView drift;
        do
        {
            await Task.Delay(100, timeout.Token);
            drift = (await client.GetFromJsonAsync<DriftView>("/api/governance/drift", timeout.Token))!;
        }
        while (drift.Findings.Count == 0);

        Assert.Equal(
        [
            ("ACCOUNT_MOVED_BETWEEN_OUS", "333344445555"),
            ("ACCOUNT_REMOVED_FROM_ORGANIZATION", "555566667777"),
            ("ORGANIZATIONAL_UNIT_DELETED", "ou-ab12-sbx00001"),
            ("SCP_ATTACHED_TO_OU", "p-guardrail01@ou-ab12-wkl00001"),
            ("SCP_DETACHED_FROM_ACCOUNT", "p-guardrail02@222233334444"),
            ("SCP_POLICY_TYPE_DISABLED", "r-ab12"),
            ("SCP_UPDATED", "p-guardrail01"),
            ("TRUSTED_ACCESS_DISABLED", "controltower.amazonaws.com"),
        ], drift.Findings.Select(f => (f.Type, f.Subject)));
        var moved = drift.Findings.Single(f => f.Type == "ACCOUNT_MOVED_BETWEEN_OUS");
        Assert.Equal(events.Single(e => e.Operation == "MoveAccount").EventId, moved.EvidenceEventId);
        Assert.Equal("high", moved.Severity);
        Assert.Contains("ou-ab12-sec00001", moved.Expected);
        Assert.Contains("ou-ab12-wkl00001", moved.Observed);
    }

    [Fact]
    public async Task ThePostureCountsTheOpenFindingsByKindSeverityAndTheEnvironmentOfTheirAccount()
    {
        var clean = (await client.GetFromJsonAsync<PostureView>("/api/governance/posture", TestContext.Current.CancellationToken))!;
        Assert.Equal((1, 6, 2, 0, 0, 0), (clean.BaselineVersion, clean.Accounts, clean.Subscriptions, clean.WithOpenFindings, clean.OpenFindings, clean.Suppressed));
        // The example baseline leaves the log-archive bucket controls to detective checks: shown, not hidden.
        Assert.True(clean.ControlsNotEnforced > 0);

        await OrganizationSamples.PublishAsync(factory.Services.GetRequiredService<IBus>(), OrganizationSamples.Events());
        var findings = await client.GetUntilAsync<List<FindingView>>("/api/governance/findings?status=open",
            f => f.Any(x => x.Type == "ACCOUNT_REMOVED_FROM_ORGANIZATION") && f.Any(x => x.Type == "ACCOUNT_MOVED_BETWEEN_OUS"), TimeSpan.FromSeconds(30));
        var posture = (await client.GetFromJsonAsync<PostureView>("/api/governance/posture", TestContext.Current.CancellationToken))!;

        Assert.Equal(findings.Count, posture.OpenFindings);
        Assert.Equal(findings.Count, posture.BySeverity.Values.Sum());
        Assert.Equal(findings.Count(f => f.Kind == "drift"), posture.ByKind["drift"]);
        // payments-prod (removed) is in Prod; audit (moved) in the Security OU, environment shared.
        Assert.Equal(findings.Count(f => (f.Account ?? f.Subject) == "555566667777"), posture.ByEnvironment["prod"]);
        Assert.True(posture.ByEnvironment["shared"] >= 1);
        // An SCP, OU or setting finding belongs to no account.
        Assert.Equal(findings.Count(f => !f.Subject.All(char.IsAsciiDigit) && f.Account is null), posture.ByEnvironment["organization"]);
        Assert.Equal(findings.Select(f => f.Account ?? f.Subject).Where(a => a.Length == 12 && a.All(char.IsAsciiDigit)).Distinct().Count(), posture.WithOpenFindings);
        Assert.Equal(findings.Max(f => f.LastDetectedAt), posture.LastFindingAt);
    }

    [Fact]
    public async Task FindingsOpenAsTheEventsArriveAndResolveWhenTheStateReturns()
    {
        await using var detected = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftDetected), TestContext.Current.CancellationToken);
        await using var resolved = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftResolved), TestContext.Current.CancellationToken);
        var events = OrganizationSamples.Events();
        var move = events.Single(e => e.Operation == "MoveAccount");
        var bus = factory.Services.GetRequiredService<IBus>();

        await OrganizationSamples.PublishAsync(bus, events);
        var moved = await detected.WaitForAsync(m => m.GetProperty("type").GetString() == "ACCOUNT_MOVED_BETWEEN_OUS", TimeSpan.FromSeconds(30));
        Assert.Equal("333344445555", moved.GetProperty("subject").GetString());
        Assert.Equal(move.EventId, moved.GetProperty("evidenceEventId").GetString());
        Assert.Equal(1, moved.GetProperty("occurrence").GetInt32());
        // The announcement goes out just before the commit, so the findings may show a moment later.
        var open = await Findings(f => f.Count(x => x.Status == "open") == 8);
        Assert.All(open, f => Assert.Equal(1, f.Occurrences));

        // The account is moved back: that finding resolves, the others stay open.
        var back = JsonNode.Parse(move.Raw)!.AsObject();
        back["requestParameters"]!["destinationParentId"] = "ou-ab12-sec00001";
        back["requestParameters"]!["sourceParentId"] = "ou-ab12-wkl00001";
        back["eventTime"] = "2026-11-28T12:30:00Z";
        await OrganizationSamples.PublishAsync(bus, [OrganizationSamples.Activity(back)]);

        var closed = await resolved.WaitForAsync(m => m.GetProperty("subject").GetString() == "333344445555", TimeSpan.FromSeconds(30));
        Assert.Equal(moved.GetProperty("findingId").GetString(), closed.GetProperty("findingId").GetString());
        var findings = await Findings(f => f.Any(x => x.Status == "resolved"));
        var resolvedMove = Assert.Single(findings, f => f.Status == "resolved");
        Assert.Equal("ACCOUNT_MOVED_BETWEEN_OUS", resolvedMove.Type);
        Assert.NotNull(resolvedMove.ResolvedAt);
        Assert.Equal(7, findings.Count(f => f.Status == "open"));

        using var bad = await client.GetAsync("/api/governance/findings?status=maybe", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Theory]
    // The sample's DetachPolicy, AttachPolicy and DeletePolicy records aimed elsewhere: every SCP drift type the
    // sample itself does not show.
    [InlineData("DetachPolicy", "p-guardrail02", "ou-ab12-wkl00001", "SCP_DETACHED_FROM_OU", "p-guardrail02@ou-ab12-wkl00001")]
    [InlineData("AttachPolicy", "p-regionlock", "444455556666", "SCP_ATTACHED_TO_ACCOUNT", "p-regionlock@444455556666")]
    [InlineData("DeletePolicy", "p-regionlock", null, "SCP_DELETED", "p-regionlock")]
    public async Task EverySCPDriftTypeIsFoundFromItsOrganizationsEvent(string operation, string policy, string? target, string type, string subject)
    {
        await using var detected = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftDetected), TestContext.Current.CancellationToken);
        var record = JsonNode.Parse(File.ReadAllLines(Repository.TestData("aws/organizations-events.jsonl"))
            .First(l => l.Contains($"\"eventName\":\"{operation}\"", StringComparison.Ordinal)))!.AsObject();
        record["requestParameters"] = target is null
            ? new JsonObject { ["policyId"] = policy }
            : new JsonObject { ["policyId"] = policy, ["targetId"] = target };
        var activity = OrganizationSamples.Activity(record);

        await OrganizationSamples.PublishAsync(factory.Services.GetRequiredService<IBus>(), [activity]);

        var found = await detected.WaitForAsync(m => m.GetProperty("type").GetString() == type, TimeSpan.FromSeconds(30));
        Assert.Equal(subject, found.GetProperty("subject").GetString());
        Assert.Equal(activity.EventId, found.GetProperty("evidenceEventId").GetString());
        var finding = (await Findings(f => f.Any(x => x.Type == type))).Single(f => f.Type == type);
        Assert.Equal((subject, activity.EventId), (finding.Subject, finding.EvidenceEventId));
    }

    [Fact]
    public async Task AnSCPUpdateThatDropsADenialIsFoundAsAWeakenedGuardrailNamingTheAccountsThatLoseIt()
    {
        await using var detected = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftDetected), TestContext.Current.CancellationToken);
        // The sample's UpdatePolicy, aimed at protect-logging with CloudTrail's StopLogging taken out of its denial.
        var update = JsonNode.Parse(File.ReadAllLines(Repository.TestData("aws/organizations-events.jsonl"))
            .First(l => l.Contains("\"eventName\":\"UpdatePolicy\"", StringComparison.Ordinal)))!.AsObject();
        var weaker = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "deploy", "landing-zone", "policies", "protect-logging.json")))!;
        weaker["Statement"]![0]!["Action"]!.AsArray().RemoveAt(0);
        update["requestParameters"]!["policyId"] = "p-guardrail02";
        update["requestParameters"]!["content"] = weaker.ToJsonString();
        update["responseElements"] = null;

        await OrganizationSamples.PublishAsync(factory.Services.GetRequiredService<IBus>(), [OrganizationSamples.Activity(update)]);

        var weakened = await detected.WaitForAsync(m => m.GetProperty("type").GetString() == "SCP_WEAKENS_CONTROL", TimeSpan.FromSeconds(30));
        Assert.Equal(("p-guardrail02", "high"), (weakened.GetProperty("subject").GetString(), weakened.GetProperty("severity").GetString()));
        var observed = weakened.GetProperty("observed").GetString()!;
        Assert.Contains("no longer denies cloudtrail:StopLogging;", observed, StringComparison.Ordinal);
        Assert.Contains("4 account(s) it governs no longer get that denial from it", observed, StringComparison.Ordinal);
        Assert.EndsWith(": 222233334444, 333344445555, 555566667777, 666677778888", observed, StringComparison.Ordinal);
        var updated = await detected.WaitForAsync(m => m.GetProperty("type").GetString() == "SCP_UPDATED", TimeSpan.FromSeconds(30));
        Assert.Equal("high", updated.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task AnSCPUpdateThatKeepsEveryDenialIsAnUpdateOfMediumSeverity()
    {
        await using var detected = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftDetected), TestContext.Current.CancellationToken);
        // The sample's own UpdatePolicy of the deny-leave guardrail adds a region denial and keeps the others.
        var update = OrganizationSamples.Events().Where(e => e.Operation == "UpdatePolicy").ToList();

        await OrganizationSamples.PublishAsync(factory.Services.GetRequiredService<IBus>(), update);

        var updated = await detected.WaitForAsync(m => m.GetProperty("type").GetString() == "SCP_UPDATED", TimeSpan.FromSeconds(30));
        Assert.Equal(("p-guardrail01", "medium"), (updated.GetProperty("subject").GetString(), updated.GetProperty("severity").GetString()));
        Assert.Contains("every denial the baseline's document makes still holds", updated.GetProperty("observed").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(detected.Messages, m => m.GetProperty("type").GetString() == "SCP_WEAKENS_CONTROL");
    }

    // Drift findings only: other tests' events reach this host too, and may break its controls.
    private Task<List<FindingView>> Findings(Func<List<FindingView>, bool> until) =>
        client.GetUntilAsync("/api/governance/findings?kind=drift", until);

    [Fact]
    public async Task ImpactPreviewNamesTheAccountsThatWouldGainOrLoseAnAction()
    {
        // protect-logging (Security OU, Workloads OU, the log-archive account) keeps only one of its Config denials.
        var weaker = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"config:StopConfigurationRecorder","Resource":"*"}]}""";
        var body = new JsonObject
        {
            ["policyId"] = "p-guardrail02",
            ["document"] = weaker,
            ["action"] = "config:DeleteDeliveryChannel",
            // In an approved region: without aws:RequestedRegion the region lock would deny the Workloads accounts anyway.
            ["context"] = new JsonObject
            {
                ["aws:PrincipalArn"] = new JsonArray("arn:aws:iam::555566667777:role/Developer"),
                ["aws:RequestedRegion"] = new JsonArray("eu-west-1"),
            },
        };

        using var response = await client.PostAsJsonAsync("/api/governance/scp/impact", body, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var impact = (await response.Content.ReadFromJsonAsync<ScpImpactView>(TestContext.Current.CancellationToken))!;
        Assert.Empty(impact.Lose);
        // Security (log-archive, audit) and Workloads (Prod, NonProd) accounts; shared services was never denied,
        // and the management account is not restricted by SCPs.
        Assert.Equal(["222233334444", "333344445555", "555566667777", "666677778888"], impact.Gain.Select(a => a.AccountId).Order());
        Assert.Equal(5, impact.AccountsChecked);
        var audit = impact.Gain.Single(a => a.AccountId == "333344445555");
        Assert.Equal(("explicitDeny", "p-guardrail02", "ou-ab12-sec00001"), (audit.Before.Outcome, audit.Before.PolicyId, audit.Before.TargetId));
        Assert.Equal("allowed", audit.After.Outcome);

        // The region lock (Workloads and Sandbox) becomes a denial of EC2 launches: the Workloads accounts lose them.
        body["policyId"] = "p-regionlock";
        body["document"] = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"}]}""";
        body["action"] = "ec2:RunInstances";
        body["context"] = new JsonObject { ["aws:RequestedRegion"] = new JsonArray("eu-west-1") };
        using var stricter = await client.PostAsJsonAsync("/api/governance/scp/impact", body, TestContext.Current.CancellationToken);
        var launches = (await stricter.Content.ReadFromJsonAsync<ScpImpactView>(TestContext.Current.CancellationToken))!;
        Assert.Empty(launches.Gain);
        Assert.Equal(["555566667777", "666677778888"], launches.Lose.Select(a => a.AccountId).Order());
        Assert.Equal("p-regionlock", launches.Lose[0].After.PolicyId);

        body["policyId"] = "p-nope00000";
        body["document"] = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\"}]}";
        using var bad = await client.PostAsJsonAsync("/api/governance/scp/impact", body, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("policyId"));
        Assert.True(errors.ContainsKey("document.Statement[0].Principal"));
    }

    [Fact]
    public async Task TheBaselineIsServedAsLoaded()
    {
        var baseline = await client.GetFromJsonAsync<JsonObject>("/api/governance/baseline", TestContext.Current.CancellationToken);

        Assert.EndsWith("baseline.yaml", baseline!["source"]!.GetValue<string>());
        Assert.Equal("o-exampleorgid", baseline["baseline"]!["aws"]!["organizationId"]!.GetValue<string>());
        Assert.Null(baseline["baseline"]!["aws"]!["policies"]![0]!["compiled"]);
    }
}

/// <summary>Without a baseline the drift endpoints say so; a faulty baseline stops the start.</summary>
public sealed class NoBaselineTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task WithoutABaselineDriftAnswersAProblem()
    {
        await using var factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb");
        using var client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        using var response = await client.GetAsync("/api/governance/drift", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AFaultyBaselineStopsTheStartNamingItsFaults()
    {
        var file = Path.Combine(Path.GetTempPath(), $"baseline-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "version: 1\naws:\n  organization:\n    id: nope\n", TestContext.Current.CancellationToken);
        try
        {
            await using var factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb",
                new Dictionary<string, string?> { ["Governance:BaselinePath"] = file });

            Assert.ThrowsAny<Exception>(() => factory.CreateTrustedClient());

            Assert.Contains("line 4, aws.organization.id", BaselineStart.Refusal(file), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
