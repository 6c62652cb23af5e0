using System.ComponentModel.DataAnnotations;

namespace ControlTower.DemoSource;

public sealed class DemoSourceOptions
{
    public const string SectionName = "DemoSource";

    /// <summary>The gateway API key with the <c>ingest:aws</c> scope (the AppHost generates it).</summary>
    [Required, MinLength(24)]
    public string ApiKey { get; set; } = "";

    /// <summary>Time between two pushed log files.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Most records in one pushed file.</summary>
    [Range(1, 1000)]
    public int MaxRecordsPerFile { get; set; } = 6;
}
