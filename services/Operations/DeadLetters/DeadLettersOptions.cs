using System.ComponentModel.DataAnnotations;

namespace ControlTower.Operations.DeadLetters;

/// <summary><c>Operations:DeadLetters</c>: how the error queues are found and watched, and how much an admin may read at once.</summary>
public sealed class DeadLettersOptions : IValidatableObject
{
    public const string Section = "Operations:DeadLetters";

    /// <summary>How often the monitor counts every error queue.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 10;

    /// <summary>
    /// The RabbitMQ management API (<c>http://host:15672/</c>), which lists the broker's queues. Credentials in the URL,
    /// else those of the <c>messaging</c> connection string. Without it only <see cref="Queues"/> are watched.
    /// </summary>
    public string? ManagementUrl { get; set; }

    /// <summary>Error queues watched whether or not the management API lists them.</summary>
    public List<string> Queues { get; set; } = [];

    /// <summary>The most messages one peek returns.</summary>
    [Range(1, 1000)]
    public int MaxPeek { get; set; } = 100;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ManagementUrl is { Length: > 0 }
            && (!Uri.TryCreate(ManagementUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult($"{Section}:ManagementUrl must be an absolute http(s) URL.", [nameof(ManagementUrl)]);
        }
        foreach (var queue in Queues)
        {
            if (ErrorQueues.Validate(queue) is { } fault)
            {
                yield return new ValidationResult($"{Section}:Queues: {fault}", [nameof(Queues)]);
            }
        }
    }
}
