using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ControlTower.ReleaseGate.Evaluation;

/// <summary>
/// The one canonical JSON form every hash and digest of the gate is taken over: object keys in ordinal order,
/// no whitespace, numbers written as invariant strings (decimals without trailing zeros), times in UTC with
/// seven fractional digits. Two equal values give the same bytes whatever order they were built in.
/// </summary>
public static class CanonicalJson
{
    public static byte[] ToUtf8(JsonNode? node) => Write(node, 1024).WrittenSpan.ToArray();

    /// <summary>The canonical bytes and their SHA-256 in one pass, without copying the bytes again.</summary>
    public static (string Text, string Sha256) TextAndSha256(JsonNode? node, int sizeHint)
    {
        var buffer = Write(node, sizeHint);
        return (Encoding.UTF8.GetString(buffer.WrittenSpan), Sha256(buffer.WrittenSpan));
    }

    /// <summary>
    /// For large documents written straight to the writer (the verdict) rather than built as a node tree first:
    /// the caller must write object keys in ordinal order itself. The golden digest test holds it to that.
    /// </summary>
    public static (byte[] Utf8, string Sha256) Utf8AndSha256(Action<Utf8JsonWriter> write, int sizeHint)
    {
        var buffer = new ArrayBufferWriter<byte>(sizeHint);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            write(writer);
        }
        return (buffer.WrittenSpan.ToArray(), Sha256(buffer.WrittenSpan));
    }

    private static ArrayBufferWriter<byte> Write(JsonNode? node, int sizeHint)
    {
        var buffer = new ArrayBufferWriter<byte>(sizeHint);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            Write(writer, node);
        }
        return buffer;
    }

    /// <summary>Writes a node (a small part of a larger document) in canonical form.</summary>
    public static void WriteNode(Utf8JsonWriter writer, JsonNode? node) => Write(writer, node);

    public static string ToText(JsonNode? node) => Encoding.UTF8.GetString(ToUtf8(node));

    /// <summary>Lower-case hex SHA-256 of the canonical bytes.</summary>
    public static string Sha256(JsonNode? node) => Sha256(Write(node, 512).WrittenSpan);

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string Decimal(decimal value)
    {
        // "0.950" and "0.95" are the same number: drop the scale's trailing zeros.
        var text = value.ToString("0.############################", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    public static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan value) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalSeconds}s");

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                var properties = new KeyValuePair<string, JsonNode?>[obj.Count];
                ((ICollection<KeyValuePair<string, JsonNode?>>)obj).CopyTo(properties, 0);
                Array.Sort(properties, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                foreach (var (key, value) in properties)
                {
                    writer.WritePropertyName(key);
                    Write(writer, value);
                }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }
                writer.WriteEndArray();
                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                writer.WriteStringValue(text);
                break;
            case JsonValue value when value.TryGetValue<bool>(out var flag):
                writer.WriteBooleanValue(flag);
                break;
            case JsonValue value when value.TryGetValue<int>(out var number):
                writer.WriteNumberValue(number);
                break;
            case JsonValue value when value.TryGetValue<long>(out var big):
                writer.WriteNumberValue(big);
                break;
            default:
                // Floating point and decimals must come in as strings (Decimal above), so no binary
                // representation can leak into a digest.
                throw new ArgumentException($"Canonical JSON takes strings, booleans and integers only, not {node.GetValueKind()}.", nameof(node));
        }
    }
}
