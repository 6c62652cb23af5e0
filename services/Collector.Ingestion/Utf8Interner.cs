using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace ControlTower.Collector.Ingestion;

/// <summary>
/// Gives back the same <see cref="string"/> for the same UTF-8 text without decoding it again. Sources repeat
/// most of a record's values (CloudTrail's event source and name, region, account, caller; Azure's operation,
/// location, tenant, category) from record to record; reading each afresh is most of what normalising costs
/// after the parse. An interner may also transform what it decodes (lower-case it), once per distinct text.
/// </summary>
/// <remarks>
/// A fixed-size, direct-mapped table: a value whose slot is taken replaces the occupant, so memory stays
/// bounded however many distinct values arrive. Slots hold immutable entries and are swapped whole, so
/// threads may share the table without locks: a racing reader sees an old entry or a new one, either of
/// which it checks byte for byte before use.
/// </remarks>
public sealed class Utf8Interner
{
    private const int MaxLength = 256;
    private readonly Entry?[] slots;
    private readonly int mask;
    private readonly Func<string, string>? transform;

    public Utf8Interner(int size = 4096, Func<string, string>? transform = null)
    {
        this.transform = transform;
        if (size <= 0 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "the size must be a power of two");
        }
        slots = new Entry?[size];
        mask = size - 1;
    }

    /// <summary>The string value of a JSON string, interned when it is short and unescaped; <c>null</c> when the element is not a non-empty string.</summary>
    public string? Text(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        var raw = JsonMarshal.GetRawUtf8Value(value);
        // The raw value includes its quotes. Escaped text must be unescaped, which GetString does.
        var text = raw[1..^1];
        if (text.Length == 0)
        {
            return null;
        }
        if (text.Length > MaxLength || text.IndexOf((byte)'\\') >= 0)
        {
            return transform is null ? value.GetString() : transform(value.GetString()!);
        }
        return Get(text);
    }

    /// <summary>The string for <paramref name="utf8"/>, decoded once and then shared.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        var slot = (int)((uint)Hash(utf8) & (uint)mask);
        var entry = Volatile.Read(ref slots[slot]);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
        {
            return entry.Value;
        }
        var value = Encoding.UTF8.GetString(utf8);
        if (transform is not null)
        {
            value = transform(value);
        }
        Volatile.Write(ref slots[slot], new Entry(utf8.ToArray(), value));
        return value;
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = new HashCode();
        hash.AddBytes(utf8);
        return hash.ToHashCode();
    }

    private sealed record Entry(byte[] Utf8, string Value);
}
