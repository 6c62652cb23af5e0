using Microsoft.Extensions.Options;

namespace ControlTower.Collector.Ingestion;

/// <summary>
/// The natural keys this collector published most recently, so that a replayed delivery (the same log file
/// again, an EventBridge retry, an event sent by two routes) is answered as duplicates instead of published
/// again. A bounded window, oldest forgotten first: a repeat from beyond it, or sent to another collector
/// instance, is published and then stored once by the consumers, which are the guarantee; this is the report.
/// </summary>
public sealed class RecentKeys(IOptions<IngestionOptions> options)
{
    private readonly int capacity = options.Value.RecentKeys;
    private readonly HashSet<string> keys = new(StringComparer.Ordinal);
    private readonly Queue<string> order = new();
    private readonly Lock gate = new();

    public int Count
    {
        get
        {
            lock (gate)
            {
                return keys.Count;
            }
        }
    }

    /// <summary>Which of the keys were published recently.</summary>
    public bool[] Contains(IReadOnlyList<string> candidates)
    {
        var found = new bool[candidates.Count];
        if (capacity == 0)
        {
            return found;
        }
        lock (gate)
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                found[i] = keys.Contains(candidates[i]);
            }
        }
        return found;
    }

    /// <summary>Remembers keys that were just published (with broker confirm), forgetting the oldest past the capacity.</summary>
    public void Add(IEnumerable<string> published)
    {
        if (capacity == 0)
        {
            return;
        }
        lock (gate)
        {
            foreach (var key in published)
            {
                if (keys.Add(key))
                {
                    order.Enqueue(key);
                }
            }
            while (order.Count > capacity)
            {
                keys.Remove(order.Dequeue());
            }
        }
    }
}
