using System.Text.Json;
using ControlTower.Collector.Ingestion;

namespace ControlTower.Testing.Fuzzing;

/// <summary>
/// A door's handling of a body, without HTTP, as <see cref="IngestionPipeline"/> does it: parse (a JSON fault is a 400),
/// select the records (a wrong shape is a 400), normalise each (a bad record is that record's error), and serialise
/// what would be published. Anything thrown on the way would have been a 500. (Linked into the Azure collector's tests.)
/// </summary>
public static class DoorFuzz
{
    private static readonly JsonSerializerOptions Message = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static Action<byte[]> Target<TContext, TItem>(IngestionDoor<TContext, TItem> door, TContext context)
        where TContext : IRecordContext<TContext> => body =>
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, IngestionPipeline.DocumentOptions);
        }
        catch (JsonException)
        {
            return;
        }
        using (document)
        {
            if (door.Select(document.RootElement) is not { } records)
            {
                return;
            }
            var normalized = IngestionPipeline.Normalize(door, records, context.ForRequest(DateTimeOffset.UtcNow, body));
            foreach (var item in normalized.Accepted)
            {
                JsonSerializer.Serialize(item, Message);
            }
        }
    };
}
