using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlTower.Contracts.Activity;

/// <summary>
/// A source record exactly as received: JSON text held as the UTF-8 it arrived in (a collector shares the
/// request's bytes, never decoding them), as it travels (base64, decoded only when read), or as a string.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public sealed class RawJson : IEquatable<RawJson>
{
    private ReadOnlyMemory<byte> utf8;
    private ReadOnlyMemory<byte> base64;
    private string? text;

    private RawJson(ReadOnlyMemory<byte> utf8, ReadOnlyMemory<byte> base64, string? text)
    {
        this.utf8 = utf8;
        this.base64 = base64;
        this.text = text;
    }

    /// <summary>Raw JSON from its UTF-8 bytes. The memory must not change afterwards.</summary>
    public static RawJson FromUtf8(ReadOnlyMemory<byte> utf8) => new(utf8, default, null);

    public static RawJson FromText(string text) => new(default, default, text ?? throw new ArgumentNullException(nameof(text)));

    /// <summary>Raw JSON as it travels: base64 of its UTF-8, decoded only when someone reads it.</summary>
    public static RawJson FromBase64(byte[] base64) => new(default, base64, null);

    /// <summary>The size that counts against message limits: UTF-8 bytes when held as bytes, characters when held as text.</summary>
    public int Length => text?.Length ?? (base64.IsEmpty ? utf8.Length : base64.Length / 4 * 3);

    /// <summary>The UTF-8 bytes, unless it is held as text.</summary>
    public bool TryGetUtf8(out ReadOnlySpan<byte> bytes)
    {
        Decode();
        bytes = utf8.Span;
        return text is null || !utf8.IsEmpty;
    }

    /// <summary>The JSON text (decoded once, then kept).</summary>
    public override string ToString()
    {
        if (text is null)
        {
            Decode();
            text = Encoding.UTF8.GetString(utf8.Span);
        }
        return text;
    }

    private void Decode()
    {
        if (base64.IsEmpty)
        {
            return;
        }
        var bytes = new byte[System.Buffers.Text.Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        var status = System.Buffers.Text.Base64.DecodeFromUtf8(base64.Span, bytes, out _, out var written);
        if (status != System.Buffers.OperationStatus.Done)
        {
            throw new FormatException($"the raw record is not valid base64 ({status})");
        }
        utf8 = bytes.AsMemory(0, written);
        base64 = default;
    }

    public static implicit operator string(RawJson raw) => raw.ToString();

    public static implicit operator RawJson(string text) => FromText(text);

    public bool Equals(RawJson? other) => other is not null && (ReferenceEquals(this, other) || ToString() == other.ToString());

    public override bool Equals(object? obj) => Equals(obj as RawJson);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// Writes <see cref="RawJson"/> as a base64 string of its UTF-8. A JSON document inside a JSON string is full of
/// escaped quotes, which every reader takes byte by byte: base64 is a third larger but is written and read with
/// vector instructions, and a consumer that never looks at the raw record only copies it.
/// </summary>
public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? RawJson.FromBase64(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray())
            : throw new JsonException($"raw JSON travels as a base64 string, not {reader.TokenType}");

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
    {
        if (value.TryGetUtf8(out var bytes))
        {
            writer.WriteBase64StringValue(bytes);
        }
        else
        {
            writer.WriteBase64StringValue(Encoding.UTF8.GetBytes(value.ToString()));
        }
    }
}
