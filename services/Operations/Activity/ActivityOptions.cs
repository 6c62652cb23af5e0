using System.ComponentModel.DataAnnotations;

namespace ControlTower.Operations.Activity;

/// <summary>How long activity is kept and how the day partitions are kept ahead of it.</summary>
public sealed class ActivityOptions
{
    public const string SectionName = "Operations:Activity";

    /// <summary>Days of activity kept; older day partitions are dropped whole.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>Day partitions created ahead of today, so ingest never waits on DDL.</summary>
    [Range(1, 90)]
    public int PartitionDaysAhead { get; set; } = 7;

    /// <summary>How often partitions are created ahead and expired ones dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromHours(1);
}
