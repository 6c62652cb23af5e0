using System.Diagnostics;

namespace ControlTower.LoadDriver;

/// <summary>
/// Spreads requests so that all workers together send at most <c>rate</c> events a second: each batch takes
/// the next free slot on one shared timeline and waits for it. A rate of 0 sends as fast as answers come.
/// </summary>
public sealed class Pacer(int eventsPerSecond)
{
    private readonly Lock gate = new();
    private long nextTicks = Stopwatch.GetTimestamp();

    public async Task WaitAsync(int events, CancellationToken cancellationToken)
    {
        if (eventsPerSecond <= 0)
        {
            return;
        }
        long slot;
        lock (gate)
        {
            var now = Stopwatch.GetTimestamp();
            slot = Math.Max(now, nextTicks);
            nextTicks = slot + (long)(events * (double)Stopwatch.Frequency / eventsPerSecond);
        }
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), slot);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }
}
