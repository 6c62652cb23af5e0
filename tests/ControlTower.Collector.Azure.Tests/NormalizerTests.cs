using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Collector.Azure.Parsing;
using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Alerts;

namespace ControlTower.Collector.Azure.Tests;

/// <summary>The pure normalisers over the Azure samples and their known variants.</summary>
public sealed class NormalizerTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly AzureContext Context = AzureContext.None with { ReceivedAt = Received };

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private static CloudActivity EventGrid(JsonNode record)
    {
        Assert.True(EventGridNormalizer.TryNormalizeEventGrid(Parse(record.ToJsonString()), 0, Context, out var activity, out var error), error?.Message);
        return activity;
    }

    private static CloudActivity ActivityLog(JsonNode record)
    {
        Assert.True(ActivityLogNormalizer.TryNormalize(Parse(record.ToJsonString()), 0, Context, out var activity, out var error), error?.Message);
        return activity;
    }

    private static Dictionary<string, CloudActivity> SampleEventGrid() =>
        AzureSamples.Json("eventgrid-events.json").EnumerateArray().Skip(1)
            .Select(e => EventGrid(JsonNode.Parse(e.GetRawText())!))
            .ToDictionary(a => a.EventId);

    [Fact]
    public void ResourceWriteEventIsReadWithItsCallerRoleAndResource()
    {
        var write = SampleEventGrid()["17fc695a-07a0-4a6e-8822-e8f36c031199"];

        Assert.Equal("azure", write.Provider);
        Assert.Equal(AzureSamples.Subscription, write.Account);
        Assert.Equal(AzureSamples.Tenant, write.OrganizationId);
        Assert.Equal("rg-prod-core", write.ResourceGroup);
        Assert.Equal("microsoft.storage", write.Service);
        Assert.Equal("microsoft.storage/storageaccounts/write", write.Operation);
        Assert.EndsWith("/storageAccounts/stprodcore01", write.ResourceId);
        Assert.Equal("microsoft.storage/storageaccounts", Assert.Single(write.Resources).Type);
        Assert.Equal(ActivityOutcome.Success, write.Outcome);
        Assert.Equal("avery.admin@contoso.com", write.Actor);
        Assert.Equal("User", write.ActorType);
        Assert.Equal("Owner", write.Identity!.Role);
        Assert.Equal("cccccccc-2222-3333-4444-dddddddddddd", write.Identity.PrincipalId);
        Assert.True(write.MfaUsed);
        Assert.Equal("203.0.113.24", write.SourceIp);
        Assert.Equal("bd9c66b3-ad3c-4d6d-9a3d-1fa7bc8960a9", write.CorrelationId);
        Assert.Equal("972a8469-1641-4f82-8b9d-2434e465e150", write.RequestId);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 9, 14, 7, TimeSpan.Zero).AddTicks(5512043), write.Time);
        Assert.Equal("Microsoft.Resources.ResourceWriteSuccess", write.EventType);
        Assert.Equal("Administrative", write.EventCategory);
        Assert.False(write.ReadOnly);
        Assert.Empty(write.Anomalies);
    }

    [Fact]
    public void ServicePrincipalActionAndFailedWriteAreToldApart()
    {
        var events = SampleEventGrid();
        var listKeys = events[events.Keys.Single(k => k.StartsWith("5be6128e", StringComparison.Ordinal))];
        var failed = events[events.Keys.Single(k => k.StartsWith("ec1b8ca1", StringComparison.Ordinal))];

        Assert.Equal("ServicePrincipal", listKeys.ActorType);
        Assert.Equal("00001111-aaaa-2222-bbbb-3333cccc4444", listKeys.Identity!.AppId);
        Assert.Equal("microsoft.storage/storageaccounts/listkeys/action", listKeys.Operation);
        Assert.Equal(ActivityOutcome.Failure, failed.Outcome);
        Assert.Equal("Failed", failed.ErrorCode);
        Assert.Equal("microsoft.compute", failed.Service);
    }

    [Fact]
    public void PolicyStateEventsReadNonComplianceAsAFailedCheckNamingTheAssignment()
    {
        var policy = SampleEventGrid().Values.Where(a => a.Service == "microsoft.policyinsights").OrderBy(a => a.Time).ToList();

        Assert.Equal(2, policy.Count);
        Assert.Equal("microsoft.policyinsights/policystates/created", policy[0].Operation);
        Assert.Equal("microsoft.policyinsights/policystates/changed", policy[1].Operation);
        Assert.All(policy, p =>
        {
            Assert.Equal(ActivityOutcome.Failure, p.Outcome);
            Assert.Equal("NonCompliant", p.ErrorCode);
            Assert.Equal("Policy", p.EventCategory);
            Assert.Equal(AzureSamples.Subscription, p.Account);
            Assert.Contains(p.Resources, r => r.Type == "microsoft.authorization/policyassignments");
        });
        Assert.Equal(64, policy[0].EventId.Length);
    }

    [Fact]
    public void TheSameEventInTheCloudEventsSchemaNormalisesAsInTheEventGridSchema()
    {
        var grid = SampleEventGrid();
        var cloud = AzureSamples.Json("cloudevents-batch.json").EnumerateArray().Select(e =>
        {
            Assert.True(EventGridNormalizer.TryNormalizeCloudEvent(e, 0, Context, out var activity, out var error), error?.Message);
            return activity;
        }).ToList();

        Assert.Equal(grid.Count, cloud.Count);
        foreach (var c in cloud)
        {
            var g = grid[c.EventId];
            // Everything but the raw record (a different envelope) and the schema version is the same.
            Assert.Equal(g with { Raw = c.Raw, EventVersion = c.EventVersion, Resources = c.Resources, Anomalies = c.Anomalies, Identity = c.Identity }, c);
            Assert.Equal(g.Resources, c.Resources);
            Assert.Equal(g.Identity, c.Identity);
        }
    }

    [Fact]
    public void AValidationEventIsAHandshakeNotAnActivity()
    {
        var records = AzureSamples.Json("eventgrid-validation.json").EnumerateArray().ToList();

        Assert.Equal("bdd640fb-0667-4ad1-9c80-317fa3b1799d", EventGridNormalizer.ValidationCode(records));
        Assert.False(EventGridNormalizer.TryNormalizeEventGrid(records[0], 3, Context, out _, out var error));
        Assert.Equal(3, error.Index);
        Assert.Equal("eventType", error.Field);
        Assert.Null(EventGridNormalizer.ValidationCode(AzureSamples.Json("eventgrid-events.json").EnumerateArray().ToList()));
    }

    [Theory]
    [InlineData("id", "id")]
    [InlineData("eventType", "eventType")]
    public void AnEventWithoutItsIdOrTypeIsRefusedNamingTheField(string remove, string field)
    {
        var record = AzureSamples.ResourceEvent();
        record.Remove(remove);

        Assert.False(EventGridNormalizer.TryNormalizeEventGrid(Parse(record.ToJsonString()), 5, Context, out _, out var error));

        Assert.Equal(5, error.Index);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void ACloudEventOfAnotherSpecVersionIsRefused()
    {
        var record = AzureSamples.CloudEvent();
        record["specversion"] = "0.3";

        Assert.False(EventGridNormalizer.TryNormalizeCloudEvent(Parse(record.ToJsonString()), 0, Context, out _, out var error));

        Assert.Equal("specversion", error.Field);
        Assert.Contains("0.3", error.Message);
    }

    [Fact]
    public void EveryActivityLogSampleRecordIsAcceptedUnderItsOwnKeyWithItsRawRecordIntact()
    {
        var lines = AzureSamples.Lines("activity-log-records.jsonl");
        var body = Encoding.UTF8.GetBytes(AzureSamples.ActivityLogExport());
        using var document = JsonDocument.Parse(body);
        var records = ActivityLogNormalizer.Select(document.RootElement)!;
        var context = Context.ForRequest(Received, body);

        var activities = records.Select((r, i) =>
        {
            Assert.True(ActivityLogNormalizer.TryNormalize(r, i, context, out var activity, out var error), error?.Message);
            return activity;
        }).ToList();

        Assert.Equal(lines.Count, activities.Count);
        Assert.Equal(lines.Count, activities.Select(a => a.EventId).Distinct().Count());
        for (var i = 0; i < lines.Count; i++)
        {
            Assert.True(activities[i].Raw.TryGetUtf8(out _), "raw records share the body's bytes");
            Assert.Equal(lines[i], activities[i].Raw.ToString());
            // Computed here from the line's bytes, independently of the normaliser.
            var expected = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lines[i]))[..16]);
            Assert.Equal(expected, activities[i].EventId);
        }
        // The corpus's variants read as one value each.
        Assert.DoesNotContain(activities, a => a.Operation.Contains('/', StringComparison.Ordinal) && a.Operation != a.Operation.ToLowerInvariant());
        Assert.DoesNotContain(activities, a => a.Level == "Information");
        Assert.All(activities.Where(a => a.Raw.ToString().Contains("\"resultType\": \"Succeeded\"", StringComparison.Ordinal)),
            a => Assert.Equal(ActivityOutcome.Success, a.Outcome));
        Assert.All(activities.Where(a => a.Raw.ToString().Contains("\"resultType\": \"Success\"", StringComparison.Ordinal)),
            a => Assert.Equal(ActivityOutcome.Success, a.Outcome));
        Assert.Contains(activities, a => a.Outcome == ActivityOutcome.Failure);
        Assert.DoesNotContain(activities, a => a.Account != "unknown" && a.Account != a.Account.ToLowerInvariant());
    }

    [Theory]
    [InlineData("Write")]
    [InlineData("Action")]
    [InlineData("Administrative")]
    [InlineData("ADMINISTRATIVE")]
    public void TheAdministrativeCategoryIsReadFromEachOfItsNames(string category)
    {
        var record = AzureSamples.ActivityRecord();
        record["category"] = category;

        Assert.Equal("Administrative", ActivityLog(record).EventCategory);
    }

    [Theory]
    [InlineData("Success", ActivityOutcome.Success)]
    [InlineData("Succeeded", ActivityOutcome.Success)]
    [InlineData("Failure", ActivityOutcome.Failure)]
    [InlineData("Failed", ActivityOutcome.Failure)]
    [InlineData("Start", ActivityOutcome.Unknown)]
    [InlineData("Accepted", ActivityOutcome.Unknown)]
    public void ResultTypesAreReadAsOutcomes(string resultType, ActivityOutcome outcome)
    {
        var record = AzureSamples.ActivityRecord();
        record["resultType"] = resultType;
        record["resultSignature"] = "Conflict";

        var activity = ActivityLog(record);

        Assert.Equal(outcome, activity.Outcome);
        Assert.Equal(outcome == ActivityOutcome.Failure ? "Conflict" : null, activity.ErrorCode);
    }

    [Fact]
    public void AnUpperCaseExportRecordReadsLikeItsDocumentedForm()
    {
        var activity = ActivityLog(AzureSamples.ActivityRecord("lock-1"));

        Assert.Equal("microsoft.authorization/locks/delete", activity.Operation);
        Assert.Equal("microsoft.authorization", activity.Service);
        Assert.Equal(AzureSamples.Subscription, activity.Account);
        Assert.Equal("RG-TEST", activity.ResourceGroup);
        Assert.Equal("Informational", activity.Level);
        Assert.Equal("global", activity.Region);
        Assert.Equal("avery.admin@contoso.com", activity.Actor);
        Assert.Equal("Owner", activity.Identity!.Role);
        Assert.False(activity.MfaUsed);
        Assert.True(activity.ManagementEvent);
        Assert.False(activity.ReadOnly);
        Assert.StartsWith(ActivityLogNormalizer.ContentKeyPrefix, activity.EventId);
    }

    [Fact]
    public void AnEventDataIdIsTheKeyWhereARecordHasOne()
    {
        var record = AzureSamples.ActivityRecord();
        record["properties"] = new JsonObject { ["eventDataId"] = "5e5b8f0c-0000-4000-8000-000000000001" };

        Assert.Equal("5e5b8f0c-0000-4000-8000-000000000001", ActivityLog(record).EventId);
    }

    [Fact]
    public void RestFormEventsReadAsTheExportFormDoesAndShareTheEventGridCorrelation()
    {
        var rest = AzureSamples.Json("activity-log-rest-events.json").EnumerateArray().Select(e => ActivityLog(JsonNode.Parse(e.GetRawText())!)).ToList();
        var lockDelete = Assert.Single(rest, a => a.Operation == "microsoft.authorization/locks/delete");
        var gridDelete = SampleEventGrid().Values.Single(a => a.Operation == "microsoft.authorization/locks/delete");

        Assert.Equal("7412b293-4729-4739-a14f-f3d719db3ad0", lockDelete.EventId);
        Assert.Equal(gridDelete.CorrelationId, lockDelete.CorrelationId);
        Assert.Equal(gridDelete.Account, lockDelete.Account);
        Assert.Equal(gridDelete.Service, lockDelete.Service);
        Assert.Equal("rg-prod-core", lockDelete.ResourceGroup);
        Assert.Equal(ActivityOutcome.Success, lockDelete.Outcome);
        Assert.Equal("Informational", lockDelete.Level);
        Assert.Equal("Administrative", lockDelete.EventCategory);
        Assert.Equal("avery.admin@contoso.com", lockDelete.Actor);
        Assert.Contains(rest, a => a.Operation == "microsoft.insights/diagnosticsettings/delete");
    }

    [Fact]
    public void ARecordWithoutAnOperationNameIsRefusedAndOneWithoutATimeIsKeptWithTheReceivedTime()
    {
        var noOperation = AzureSamples.ActivityRecord();
        noOperation.Remove("operationName");
        var noTime = AzureSamples.ActivityRecord();
        noTime.Remove("time");

        Assert.False(ActivityLogNormalizer.TryNormalize(Parse(noOperation.ToJsonString()), 2, Context, out _, out var error));
        var kept = ActivityLog(noTime);

        Assert.Equal((2, "operationName"), (error.Index, error.Field));
        Assert.Equal(Received, kept.Time);
        Assert.Contains(kept.Anomalies, a => a.Contains("time missing", StringComparison.Ordinal));
    }

    [Fact]
    public void FiredAndResolvedAlertsAreTheSameAlertInTwoConditions()
    {
        MonitorAlert Read(string file)
        {
            Assert.True(CommonAlertNormalizer.TryNormalize(AzureSamples.Json(file), 0, Context, out var alert, out var error), error?.Message);
            return alert;
        }

        var fired = Read("common-alert-fired.json");
        var resolved = Read("common-alert-resolved.json");

        Assert.Equal(fired.AlertId, resolved.AlertId);
        Assert.Equal(AlertCondition.Fired, fired.Condition);
        Assert.Equal(AlertCondition.Resolved, resolved.Condition);
        Assert.NotEqual(CommonAlertNormalizer.Key(fired), CommonAlertNormalizer.Key(resolved));
        Assert.Null(fired.ResolvedAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 13, 32, 51, TimeSpan.Zero).AddTicks(2283114), resolved.ResolvedAt);
        Assert.Equal("ct-vm-prod-web-01-high-cpu", fired.Rule);
        Assert.Equal("Sev2", fired.Severity);
        Assert.Equal("Metric", fired.SignalType);
        Assert.Equal(AzureSamples.Subscription, fired.Account);
        Assert.Equal("rg-prod-core", fired.ResourceGroup);
        Assert.Equal("microsoft.compute/virtualmachines", fired.ResourceType);
        Assert.Equal(["vm-prod-web-01"], fired.ConfigurationItems);
        Assert.Empty(fired.Anomalies);
        Assert.Empty(resolved.Anomalies);
    }

    [Theory]
    [InlineData("schemaId", "Microsoft.Insights/activityLogs", "schemaId")]
    [InlineData("monitorCondition", "Acknowledged", "data.essentials.monitorCondition")]
    [InlineData("alertId", null, "data.essentials.alertId")]
    public void AnAlertThatIsNotInTheCommonSchemaOrLacksItsConditionIsRefused(string property, string? value, string field)
    {
        var alert = AzureSamples.Alert();
        var target = property == "schemaId" ? alert : alert["data"]!["essentials"]!.AsObject();
        if (value is null)
        {
            target.Remove(property);
        }
        else
        {
            target[property] = value;
        }

        Assert.False(CommonAlertNormalizer.TryNormalize(Parse(alert.ToJsonString()), 0, Context, out _, out var error));

        Assert.Equal(field, error.Field);
    }
}
