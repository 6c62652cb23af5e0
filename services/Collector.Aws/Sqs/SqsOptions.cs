using System.ComponentModel.DataAnnotations;

namespace ControlTower.Collector.Aws.Sqs;

/// <summary>The SQS poller, for EventBridge-to-SQS set-ups. Off unless <see cref="QueueUrl"/> is set.</summary>
public sealed class SqsOptions
{
    public const string SectionName = "Sqs";

    /// <summary>The queue EventBridge delivers to. Empty: no poller.</summary>
    public string? QueueUrl { get; set; }

    /// <summary>An SQS-compatible endpoint instead of AWS's (credentials and region come from the usual AWS settings).</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Concurrent long-poll loops.</summary>
    [Range(1, 32)]
    public int Pollers { get; set; } = 2;

    [Range(1, 20)]
    public int WaitTimeSeconds { get; set; } = 20;
}
