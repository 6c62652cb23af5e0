using System.Text;

namespace ControlTower.Operations.DeadLetters;

/// <summary>MassTransit's naming: a receive endpoint's queue <c>q</c> has its failed messages in <c>q_error</c>.</summary>
public static class ErrorQueues
{
    public const string Suffix = "_error";

    public static bool IsErrorQueue(string name) => name.EndsWith(Suffix, StringComparison.Ordinal) && name.Length > Suffix.Length;

    public static string InputQueueOf(string errorQueue) => errorQueue[..^Suffix.Length];

    /// <summary>Why <paramref name="name"/> is not an error queue name, or null when it is one.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a queue name is required.";
        }
        if (Encoding.UTF8.GetByteCount(name) > 255 || name.Any(char.IsControl))
        {
            return "a queue name is at most 255 bytes, without control characters.";
        }
        if (!IsErrorQueue(name))
        {
            return $"'{name}' is not an error queue: only queues named '<queue>{Suffix}' hold dead letters.";
        }
        return null;
    }
}
