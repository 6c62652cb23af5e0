using System.ComponentModel.DataAnnotations;

namespace ControlTower.Collector.Ingestion;

public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>Largest request body accepted on the wire (compressed or not).</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest body after gzip decompression: a guard against decompression bombs.</summary>
    [Range(1024, 1L << 31)]
    public long MaxDecompressedBytes { get; set; } = 128 * 1024 * 1024;

    /// <summary>Most records accepted in one request.</summary>
    [Range(1, 1_000_000)]
    public int MaxRecords { get; set; } = 20_000;

    /// <summary>Most activities in one published batch message.</summary>
    [Range(1, 5_000)]
    public int MaxActivitiesPerMessage { get; set; } = 250;

    /// <summary>
    /// How many recently published keys are remembered, so that a replayed delivery is answered as duplicates
    /// rather than published again (about 15 MB per 100,000); 0 turns the window off.
    /// </summary>
    [Range(0, 10_000_000)]
    public int RecentKeys { get; set; } = 100_000;

    /// <summary>
    /// How long a request waits for the broker to confirm its batches. Past it the answer is 503 with Retry-After: a
    /// broker that is down or stalled is not waited out with the request (and its body) held in memory.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Rough cap on the raw bytes in one published message, to stay well under 1 MB.</summary>
    [Range(16 * 1024, 4 * 1024 * 1024)]
    public int MaxRawBytesPerMessage { get; set; } = 512 * 1024;
}
