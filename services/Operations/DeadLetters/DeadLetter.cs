using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace ControlTower.Operations.DeadLetters;

/// <summary>One message held in an error queue, as an admin may see it: what it is and why it failed, not its body.</summary>
public sealed record DeadLetter(
    string? MessageId,
    string? MessageType,
    string? FaultExceptionType,
    string? FaultMessage,
    DateTimeOffset? FaultedAt,
    int BodyBytes,
    IReadOnlyDictionary<string, string> Headers)
{
    private const int MaxHeaderValue = 512;
    private const int MaxEnvelopeBytes = 4 * 1024 * 1024;

    /// <summary>The first line of the fault, as a signal shows it.</summary>
    public string? FirstErrorLine =>
        FaultMessage is null ? null
        : (FaultExceptionType is null ? "" : FaultExceptionType + ": ") + FaultMessage.Split('\n', 2)[0].TrimEnd('\r');

    public static DeadLetter From(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        var envelope = Envelope(properties, body);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in properties.Headers ?? new Dictionary<string, object?>())
        {
            if (IsSafeToShow(name) && Text(value) is { } text)
            {
                headers[name] = text.Length > MaxHeaderValue ? text[..MaxHeaderValue] + "…" : text;
            }
        }
        return new DeadLetter(
            properties.MessageId ?? envelope.MessageId,
            envelope.MessageType ?? Header(properties, "MT-MessageType"),
            Header(properties, "MT-Fault-ExceptionType"),
            Header(properties, "MT-Fault-Message"),
            DateTimeOffset.TryParse(Header(properties, "MT-Fault-Timestamp"), out var at) ? at : null,
            body.Length,
            headers);
    }

    /// <summary>The id an admin names a message by: the AMQP message id MassTransit sets, else the envelope's.</summary>
    public static string? IdOf(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body) =>
        properties.MessageId ?? Envelope(properties, body).MessageId;

    // Stack traces are long and describe the service's insides; anything that looks like a credential is never shown.
    private static bool IsSafeToShow(string name) =>
        !name.Equals("MT-Fault-StackTrace", StringComparison.OrdinalIgnoreCase)
        && !new[] { "authorization", "token", "secret", "password", "cookie", "key", "signature" }
            .Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase));

    private static string? Header(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers is { } headers && headers.TryGetValue(name, out var value) ? Text(value) : null;

    private static string? Text(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        AmqpTimestamp timestamp => DateTimeOffset.FromUnixTimeSeconds(timestamp.UnixTime).ToString("O"),
        IEnumerable<object?> list => string.Join(", ", list.Select(Text)),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static (string? MessageId, string? MessageType) Envelope(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        if (body.Length is 0 or > MaxEnvelopeBytes || properties.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null);
        }
        try
        {
            var reader = new Utf8JsonReader(body.Span);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }
            var id = root.TryGetProperty("messageId", out var messageId) && messageId.ValueKind == JsonValueKind.String ? messageId.GetString() : null;
            var messageType = root.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array
                && types.GetArrayLength() > 0 && types[0].ValueKind == JsonValueKind.String ? types[0].GetString() : null;
            return (id, messageType);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
