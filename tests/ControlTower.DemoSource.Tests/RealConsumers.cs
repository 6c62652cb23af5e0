extern alias collectoraws;
extern alias collectorazure;
using System.Text.Json;
using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Alerts;
using ControlTower.Governance.Apis;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Observed;
using ControlTower.Testing;
using AzureContext = collectorazure::ControlTower.Collector.Azure.Parsing.AzureContext;
using ActivityLogNormalizer = collectorazure::ControlTower.Collector.Azure.Parsing.ActivityLogNormalizer;
using CommonAlertNormalizer = collectorazure::ControlTower.Collector.Azure.Parsing.CommonAlertNormalizer;
using CloudTrailNormalizer = collectoraws::ControlTower.Collector.Aws.Parsing.CloudTrailNormalizer;
using RecordContext = collectoraws::ControlTower.Collector.Aws.Parsing.RecordContext;

namespace ControlTower.DemoSource.Tests;

/// <summary>
/// What the demo's payloads become in the services that receive them: the collectors' own normalisers (every
/// record must be accepted), the development baseline as Governance reads it, and the observed estate as
/// Governance's store keeps it (the latest change to each thing wins, by time then event id).
/// </summary>
public static class RealConsumers
{
    public static readonly DateTimeOffset Received = new(2026, 12, 8, 10, 0, 0, TimeSpan.Zero);

    public static LandingZoneBaseline DevelopmentBaseline { get; } = LoadBaseline();

    private static LandingZoneBaseline LoadBaseline()
    {
        var path = Path.Combine(Repository.Root, "deploy", "landing-zone", "baseline.yaml");
        var (baseline, errors) = BaselineLoader.Load(File.ReadAllText(path), f => File.ReadAllText(Path.Combine(Path.GetDirectoryName(path)!, f)));
        Assert.Empty(errors);
        return baseline!;
    }

    /// <summary>A CloudTrail log file as Collector.Aws's <c>/ingest/aws/cloudtrail</c> normalises it; every record must be accepted.</summary>
    public static List<CloudActivity> CloudTrail(IEnumerable<Dictionary<string, object?>> records)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["Records"] = records.ToList() });
        using var document = JsonDocument.Parse(body);
        var (activities, errors) = CloudTrailNormalizer.NormalizeAll(document.RootElement.GetProperty("Records"), RecordContext.None.ForRequest(Received, body));
        Assert.Empty(errors.Select(e => e.ToString()));
        return activities;
    }

    /// <summary>An Activity Log export as Collector.Azure's <c>/ingest/azure/activity-log</c> normalises it; every record must be accepted.</summary>
    public static List<CloudActivity> ActivityLog(IEnumerable<Dictionary<string, object?>> records)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["records"] = records.ToList() });
        using var document = JsonDocument.Parse(body);
        var selected = ActivityLogNormalizer.Select(document.RootElement);
        Assert.NotNull(selected);
        var context = AzureContext.None.ForRequest(Received, body);
        return selected.Select((record, i) =>
        {
            Assert.True(ActivityLogNormalizer.TryNormalize(record, i, context, out var activity, out var error), error?.ToString());
            return activity;
        }).ToList();
    }

    /// <summary>A webhook call as Collector.Azure's <c>/ingest/azure/alerts</c> normalises it; it must be accepted without anomalies.</summary>
    public static MonitorAlert Alert(Dictionary<string, object?> payload)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload);
        using var document = JsonDocument.Parse(body);
        var selected = CommonAlertNormalizer.Select(document.RootElement);
        Assert.NotNull(selected);
        var only = Assert.Single(selected);
        Assert.True(CommonAlertNormalizer.TryNormalize(only, 0, AzureContext.None.ForRequest(Received, body), out var alert, out var error), error?.ToString());
        Assert.Empty(alert.Anomalies);
        return alert;
    }
}

/// <summary>
/// The observed AWS organisation and Azure estate kept as Governance's <see cref="ObservedOrganizationStore"/>
/// keeps them (its SQL, here in memory): for each account, attachment and subscription, the change with the
/// newest (time, event id) wins. Only the changes the demo makes are kept.
/// </summary>
public sealed class ObservedEstate
{
    private readonly Dictionary<string, AccountMoved> accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Policy, string Target), PolicyAttachmentChanged> attachments = [];
    private readonly Dictionary<string, SubscriptionPlaced> subscriptions = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Applies what Governance's interpreters read in the activities, as its batch consumer does.</summary>
    public void Apply(IEnumerable<CloudActivity> activities)
    {
        foreach (var change in activities.SelectMany(a => a.Provider == "aws" ? OrganizationEvents.Interpret(a) : AzureEvents.Interpret(a)))
        {
            switch (change)
            {
                case AccountMoved moved:
                    Keep(accounts, moved.AccountId, moved);
                    break;
                case PolicyAttachmentChanged attachment:
                    Keep(attachments, (attachment.PolicyId, attachment.TargetId), attachment);
                    break;
                case SubscriptionPlaced placed:
                    Keep(subscriptions, placed.SubscriptionId, placed);
                    break;
                default:
                    Assert.Fail($"The demo made a change it is not meant to: {change}");
                    break;
            }
        }
    }

    private static void Keep<TKey, T>(Dictionary<TKey, T> kept, TKey key, T change) where TKey : notnull where T : OrganizationChange
    {
        if (!kept.TryGetValue(key, out var old) || (old.At, old.EventId).CompareTo((change.At, change.EventId)) < 0)
        {
            kept[key] = change;
        }
    }

    public ObservedOrganizationView Aws => new(
        [.. accounts.Values.Select(a => new OrgAccountView(a.AccountId, null, a.ParentId, null, a.At, a.EventId, null, null))],
        [],
        [.. attachments.Values.GroupBy(a => a.PolicyId).Select(g => new PolicyView(g.Key, null, null, false,
            [.. g.Where(a => a.Attached).Select(a => a.TargetId).Order(StringComparer.Ordinal)],
            [.. g.Where(a => !a.Attached).Select(a => a.TargetId).Order(StringComparer.Ordinal)], null, null, null,
            [.. g.Select(a => new AttachmentView(a.TargetId, a.Attached, a.At, a.EventId))]))],
        []);

    public ObservedAzureView Azure => new([],
        [.. subscriptions.Values.Select(s => new SubscriptionView(s.SubscriptionId, s.Name, s.ManagementGroupId, s.Removed, s.At, s.EventId))],
        [], []);
}
