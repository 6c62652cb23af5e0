using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using ControlTower.Contracts.Activity;

namespace ControlTower.Collector.Ingestion;

public static class RawRecords
{
    /// <summary>
    /// The element's JSON exactly as received: a slice of <paramref name="source"/> when the element was parsed
    /// from it (no copy), else a copy of its bytes.
    /// </summary>
    public static RawJson Of(JsonElement element, ReadOnlyMemory<byte> source)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var span = source.Span;
        if (!span.IsEmpty)
        {
            var start = Unsafe.ByteOffset(ref MemoryMarshal.GetReference(span), ref MemoryMarshal.GetReference(raw));
            if (start >= 0 && start <= span.Length - raw.Length)
            {
                return RawJson.FromUtf8(source.Slice((int)start, raw.Length));
            }
        }
        return RawJson.FromUtf8(raw.ToArray());
    }
}
