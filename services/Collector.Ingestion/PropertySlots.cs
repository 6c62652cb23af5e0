using System.Runtime.InteropServices;
using System.Text.Json;

namespace ControlTower.Collector.Ingestion;

/// <summary>
/// Finds a record's top-level fields in one pass over its properties: looking each up by name costs a scan of
/// the object per field, several times the parse itself on a 1 KB record. The normalisers give their field
/// names in slot order and read the slots by name.
/// </summary>
public static class PropertySlots
{
    /// <summary>Puts each property whose UTF-8 name is <c>names[i]</c> into <c>slots[i]</c>; the rest stay default.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void Read(JsonElement record, byte[][] names, Span<JsonElement> slots)
    {
        foreach (var property in record.EnumerateObject())
        {
            var name = JsonMarshal.GetRawUtf8PropertyName(property);
            for (var slot = 0; slot < names.Length; slot++)
            {
                if (name.SequenceEqual(names[slot]))
                {
                    slots[slot] = property.Value;
                    break;
                }
            }
        }
    }
}
