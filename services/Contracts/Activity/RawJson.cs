using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlTower.Contracts.Activity;

/// <summary>
/// A source record exactly as received: JSON text held as the UTF-8 it arrived in (a collector copies the
/// bytes, never decoding them) or as the string it was read back as (a consumer). On the wire it is a JSON
/// string either way, so every reader of <see cref="CloudActivity"/> sees the same message.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public sealed class RawJson : IEquatable<RawJson>
{
    private readonly ReadOnlyMemory<byte> utf8;
    private string? text;

    private RawJson(ReadOnlyMemory<byte> utf8, string? text)
    {
        this.utf8 = utf8;
        this.text = text;
    }

    /// <summary>Raw JSON from its UTF-8 bytes. The memory must not change afterwards.</summary>
    public static RawJson FromUtf8(ReadOnlyMemory<byte> utf8) => new(utf8, null);

    public static RawJson FromText(string text) => new(default, text ?? throw new ArgumentNullException(nameof(text)));

    /// <summary>The size that counts against message limits: UTF-8 bytes when held as bytes, characters when held as text.</summary>
    public int Length => text?.Length ?? utf8.Length;

    /// <summary>The UTF-8 bytes, when that is how it is held.</summary>
    public bool TryGetUtf8(out ReadOnlySpan<byte> bytes)
    {
        bytes = utf8.Span;
        return text is null;
    }

    /// <summary>The JSON text (decoded once, then kept).</summary>
    public override string ToString() => text ??= Encoding.UTF8.GetString(utf8.Span);

    public static implicit operator string(RawJson raw) => raw.ToString();

    public static implicit operator RawJson(string text) => FromText(text);

    public bool Equals(RawJson? other) => other is not null && (ReferenceEquals(this, other) || ToString() == other.ToString());

    public override bool Equals(object? obj) => Equals(obj as RawJson);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

/// <summary>Writes <see cref="RawJson"/> as a JSON string, straight from its UTF-8 when it has it.</summary>
public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? RawJson.FromText(reader.GetString()!)
            : throw new JsonException($"raw JSON travels as a string, not {reader.TokenType}");

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
    {
        if (value.TryGetUtf8(out var bytes))
        {
            writer.WriteStringValue(bytes);
        }
        else
        {
            writer.WriteStringValue(value.ToString());
        }
    }
}
