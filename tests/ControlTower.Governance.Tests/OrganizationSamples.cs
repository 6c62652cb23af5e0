using Microsoft.Extensions.Configuration;
using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Testing;
using MassTransit;

namespace ControlTower.Governance.Tests;

/// <summary>The sample Organizations events (tests/TestData/aws/organizations-events.jsonl) as Governance receives them.</summary>
internal static class OrganizationSamples
{
    /// <summary>Every sample event as the collector would normalise it (the fields Governance reads), with fresh event ids.</summary>
    public static List<CloudActivity> Events() =>
        [.. File.ReadAllLines(Repository.TestData("aws/organizations-events.jsonl")).Where(l => l.Length > 0)
            .Select(line => Activity(JsonNode.Parse(line)!.AsObject()))];

    /// <summary>A CloudTrail record as an activity, under a fresh event id (written into the record too).</summary>
    public static CloudActivity Activity(JsonObject record)
    {
        record["eventID"] = Guid.NewGuid().ToString();
        return new CloudActivity
        {
            Provider = "aws",
            EventId = record["eventID"]!.GetValue<string>(),
            Time = DateTimeOffset.Parse(record["eventTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            Account = record["recipientAccountId"]!.GetValue<string>(),
            Service = "organizations",
            Operation = record["eventName"]!.GetValue<string>(),
            Outcome = record["errorCode"] is null ? ActivityOutcome.Success : ActivityOutcome.Failure,
            ErrorCode = record["errorCode"]?.GetValue<string>(),
            Raw = record.ToJsonString(),
        };
    }

    public static Task PublishAsync(IBus bus, IReadOnlyList<CloudActivity> activities) =>
        bus.Publish(new CloudActivityBatch { BatchId = Guid.NewGuid(), Source = "test", ReceivedAt = DateTimeOffset.UtcNow, Activities = activities },
            TestContext.Current.CancellationToken);
}

/// <summary>Starting Governance on a baseline file, as far as the baseline goes.</summary>
internal static class BaselineStart
{
    /// <summary>
    /// What reading <paramref name="file"/> at start refuses it with. (Which exception a failed start surfaces through
    /// WebApplicationFactory depends on timing, so the tests read the refusal here and only check there that the start fails.)
    /// </summary>
    public static string Refusal(string file)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Governance:BaselinePath"] = file }).Build();
        var refused = Assert.Throws<InvalidOperationException>(() =>
            new ControlTower.Governance.Baseline.BaselineProvider(configuration, TimeProvider.System,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<ControlTower.Governance.Baseline.BaselineProvider>.Instance));
        return refused.Message;
    }
}
