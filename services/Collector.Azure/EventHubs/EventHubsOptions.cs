using System.ComponentModel.DataAnnotations;
using Azure.Messaging.EventHubs;

namespace ControlTower.Collector.Azure.EventHubs;

/// <summary>
/// The Event Hubs consumer for Activity Log streaming (a diagnostic setting that sends to an event hub).
/// Off unless <see cref="ConnectionString"/> is set; then <see cref="CheckpointPath"/> is required too.
/// </summary>
public sealed class EventHubsOptions : IValidatableObject
{
    public const string SectionName = "EventHubs";

    /// <summary>
    /// A connection string with Listen rights on the namespace or the hub (<c>Endpoint=sb://...;SharedAccessKeyName=...;
    /// SharedAccessKey=...[;EntityPath=hub]</c>). A secret: set it with user secrets or the environment
    /// (<c>EventHubs__ConnectionString</c>), never in a file in the repository. Empty: no consumer.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The hub, when the connection string names none (no <c>EntityPath</c>).</summary>
    public string? EventHubName { get; set; }

    [Required]
    public string ConsumerGroup { get; set; } = "$Default";

    /// <summary>The folder that holds the checkpoints (and the single-instance lock); it must survive restarts.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>The most events handed over, published and checkpointed together, per partition.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>How often progress is logged.</summary>
    [Range(1, 86400)]
    public int ProgressIntervalSeconds { get; set; } = 60;

    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>The hub the consumer reads: the connection string's <c>EntityPath</c>, else <see cref="EventHubName"/>.</summary>
    public string HubName => Properties()?.EventHubName is { Length: > 0 } entity ? entity : EventHubName ?? "";

    public EventHubsConnectionStringProperties? Properties() =>
        Enabled ? EventHubsConnectionStringProperties.Parse(ConnectionString!) : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }
        EventHubsConnectionStringProperties? properties = null;
        string? problem = null;
        try
        {
            properties = Properties();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            // The message names the missing part, never the key.
            problem = $"{SectionName}:ConnectionString is not an Event Hubs connection string: {ex.Message}";
        }
        if (problem is not null)
        {
            yield return new ValidationResult(problem, [nameof(ConnectionString)]);
            yield break;
        }
        if (properties?.Endpoint is null)
        {
            yield return new ValidationResult($"{SectionName}:ConnectionString names no Endpoint (sb://<namespace>.servicebus.windows.net/)", [nameof(ConnectionString)]);
        }
        if (string.IsNullOrEmpty(properties?.SharedAccessSignature)
            && (string.IsNullOrEmpty(properties?.SharedAccessKeyName) || string.IsNullOrEmpty(properties?.SharedAccessKey)))
        {
            yield return new ValidationResult(
                $"{SectionName}:ConnectionString holds no SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature)", [nameof(ConnectionString)]);
        }
        var entity = properties?.EventHubName;
        if (string.IsNullOrEmpty(entity) && string.IsNullOrWhiteSpace(EventHubName))
        {
            yield return new ValidationResult(
                $"{SectionName}:EventHubName is required when the connection string has no EntityPath", [nameof(EventHubName)]);
        }
        if (!string.IsNullOrEmpty(entity) && !string.IsNullOrWhiteSpace(EventHubName) && !string.Equals(entity, EventHubName, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"{SectionName}:EventHubName '{EventHubName}' differs from the connection string's EntityPath '{entity}'", [nameof(EventHubName)]);
        }
        if (string.IsNullOrWhiteSpace(CheckpointPath))
        {
            yield return new ValidationResult(
                $"{SectionName}:CheckpointPath is required when {SectionName}:ConnectionString is set: a folder that survives restarts, where each partition's checkpoint is kept",
                [nameof(CheckpointPath)]);
        }
    }
}
