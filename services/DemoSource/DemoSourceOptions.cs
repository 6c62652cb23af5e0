using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ControlTower.DemoSource;

/// <summary>
/// What the demo source sends and how often. Every feed can be turned off and slowed down; the defaults suit a
/// 2-core laptop (a CloudTrail file every few seconds, everything else every few minutes).
/// </summary>
public sealed class DemoSourceOptions
{
    public const string SectionName = "DemoSource";

    /// <summary>The gateway API key with the <c>ingest:aws</c> and <c>ingest:azure</c> scopes (the AppHost generates it).</summary>
    [Required, MinLength(24)]
    public string ApiKey { get; set; } = "";

    /// <summary>The gateway API key with <c>releases:read</c> and <c>releases:write</c>, for the release feed (the AppHost's pipeline key).</summary>
    public string PipelineApiKey { get; set; } = "";

    /// <summary>Seeds every generator, so that a run can be repeated; unset, each start differs.</summary>
    public int? Seed { get; set; }

    /// <summary>Routine CloudTrail log files (with the odd denied or risky call).</summary>
    public CloudTrailFeedOptions CloudTrail { get; set; } = new() { Interval = TimeSpan.FromSeconds(3) };

    /// <summary>AWS Organizations changes that drift from the baseline and, later, restore it; now and then a guardrail break.</summary>
    public IncidentFeedOptions Organization { get; set; } = new()
    {
        Interval = TimeSpan.FromSeconds(30), IncidentEvery = TimeSpan.FromMinutes(3), RestoreAfter = TimeSpan.FromMinutes(5),
    };

    /// <summary>Azure Activity Log records; every <see cref="IncidentFeedOptions.IncidentEvery"/> a subscription moved out of its management group and back.</summary>
    public IncidentFeedOptions AzureActivity { get; set; } = new()
    {
        Interval = TimeSpan.FromSeconds(20), IncidentEvery = TimeSpan.FromMinutes(9), RestoreAfter = TimeSpan.FromMinutes(5),
    };

    /// <summary>Azure Monitor alerts: one fires every <see cref="IncidentFeedOptions.IncidentEvery"/> and resolves <see cref="IncidentFeedOptions.RestoreAfter"/> later.</summary>
    public IncidentFeedOptions AzureAlerts { get; set; } = new()
    {
        Interval = TimeSpan.FromSeconds(30), IncidentEvery = TimeSpan.FromMinutes(4), RestoreAfter = TimeSpan.FromMinutes(3),
    };

    /// <summary>A release pipeline: one release registered, evidenced and judged per interval.</summary>
    public FeedOptions Releases { get; set; } = new() { Interval = TimeSpan.FromMinutes(3) };
}

/// <summary>Whether a feed sends, and how long it waits between two ticks.</summary>
public class FeedOptions
{
    public bool Enabled { get; set; } = true;

    public TimeSpan Interval { get; set; }
}

public sealed class CloudTrailFeedOptions : FeedOptions
{
    /// <summary>Most records in one pushed file.</summary>
    public int MaxRecordsPerFile { get; set; } = 6;
}

/// <summary>A feed that, besides its ticks, starts an incident now and then and ends it (restores, resolves) some time later.</summary>
public sealed class IncidentFeedOptions : FeedOptions
{
    public TimeSpan IncidentEvery { get; set; }

    /// <summary>How long an incident lasts before the event that ends it (give or take a quarter).</summary>
    public TimeSpan RestoreAfter { get; set; }
}

/// <summary>
/// Refuses settings that would flood the gateway or never send: each interval between 100 ms and an hour, each
/// incident period and duration at least one interval (a shorter one could not be kept) and at most a day.
/// </summary>
public sealed class DemoSourceOptionsValidator : IValidateOptions<DemoSourceOptions>
{
    public static readonly TimeSpan ShortestInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan LongestInterval = TimeSpan.FromHours(1);
    public static readonly TimeSpan LongestIncident = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, DemoSourceOptions options)
    {
        var failures = new List<string>();
        Feed("CloudTrail", options.CloudTrail);
        Feed("Organization", options.Organization);
        Feed("AzureActivity", options.AzureActivity);
        Feed("AzureAlerts", options.AzureAlerts);
        Feed("Releases", options.Releases);
        if (options.CloudTrail.MaxRecordsPerFile is < 1 or > 1000)
        {
            failures.Add($"DemoSource:CloudTrail:MaxRecordsPerFile is {options.CloudTrail.MaxRecordsPerFile}; it must be between 1 and 1000.");
        }
        if (options.Releases.Enabled && options.PipelineApiKey.Length < 24)
        {
            failures.Add("DemoSource:PipelineApiKey must be a key of at least 24 characters with releases:read and releases:write, "
                + "or turn the release feed off (DemoSource:Releases:Enabled=false).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Feed(string feed, FeedOptions feedOptions)
        {
            if (feedOptions.Interval < ShortestInterval || feedOptions.Interval > LongestInterval)
            {
                failures.Add($"DemoSource:{feed}:Interval is {feedOptions.Interval}; it must be between {ShortestInterval} and {LongestInterval}.");
            }
            if (feedOptions is IncidentFeedOptions incidents)
            {
                Incident(feed, "IncidentEvery", incidents.IncidentEvery, incidents.Interval);
                Incident(feed, "RestoreAfter", incidents.RestoreAfter, incidents.Interval);
            }
        }

        void Incident(string feed, string setting, TimeSpan value, TimeSpan interval)
        {
            if (value < interval || value > LongestIncident)
            {
                failures.Add($"DemoSource:{feed}:{setting} is {value}; it must be between the feed's interval ({interval}) and {LongestIncident}.");
            }
        }
    }
}
