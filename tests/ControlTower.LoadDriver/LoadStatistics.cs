using System.Collections.Concurrent;

namespace ControlTower.LoadDriver;

/// <summary>What every request did, gathered from all workers. Events are counted as sent when their request
/// went out, and as accepted only when a 202 body says so.</summary>
public sealed class LoadStatistics
{
    private long requests;
    private long accepted202;
    private long eventsSent;
    private long bytesSent;
    private long eventsAccepted;
    private long duplicates;
    private long rejected;
    private long warnings;
    private long unaccounted;
    private long unreadable202;
    private long retryAfterWaits;
    private readonly ConcurrentDictionary<string, long> failures = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Sample> samples = [];

    public readonly record struct Sample(double Milliseconds, bool Accepted);

    public long Requests => Interlocked.Read(ref requests);
    public long Accepted202 => Interlocked.Read(ref accepted202);
    public long EventsSent => Interlocked.Read(ref eventsSent);
    public long BytesSent => Interlocked.Read(ref bytesSent);
    public long EventsAccepted => Interlocked.Read(ref eventsAccepted);
    public long Duplicates => Interlocked.Read(ref duplicates);
    public long Rejected => Interlocked.Read(ref rejected);
    public long Warnings => Interlocked.Read(ref warnings);
    /// <summary>Events of 202 requests that the 202 body neither accepted, nor called duplicates, nor rejected.</summary>
    public long Unaccounted => Interlocked.Read(ref unaccounted);
    public long Unreadable202 => Interlocked.Read(ref unreadable202);
    public long RetryAfterWaits => Interlocked.Read(ref retryAfterWaits);
    public long NonAccepted => Requests - Accepted202;
    public IReadOnlyDictionary<string, long> Failures => failures;
    public IReadOnlyCollection<Sample> Samples => samples;

    public void Sent(int events, int bytes)
    {
        Interlocked.Increment(ref requests);
        Interlocked.Add(ref eventsSent, events);
        Interlocked.Add(ref bytesSent, bytes);
    }

    public void Answered202(int sent, IngestAnswer? answer, double milliseconds)
    {
        Interlocked.Increment(ref accepted202);
        samples.Add(new Sample(milliseconds, true));
        if (answer is not { } a)
        {
            // A 202 whose body cannot be read confirms nothing: its events count as unaccounted.
            Interlocked.Increment(ref unreadable202);
            Interlocked.Add(ref unaccounted, sent);
            return;
        }
        Interlocked.Add(ref eventsAccepted, a.Accepted);
        Interlocked.Add(ref duplicates, a.Duplicates);
        Interlocked.Add(ref rejected, a.Rejected);
        Interlocked.Add(ref warnings, a.Warnings);
        Interlocked.Add(ref unaccounted, Math.Max(0, sent - a.Accepted - a.Duplicates - a.Rejected));
    }

    /// <summary>A response other than 202, or no response: <paramref name="kind"/> is the status code or what went wrong.</summary>
    public void Failed(string kind, double? milliseconds)
    {
        failures.AddOrUpdate(kind, 1, (_, n) => n + 1);
        if (milliseconds is { } ms)
        {
            samples.Add(new Sample(ms, false));
        }
    }

    public void WaitedForRetryAfter() => Interlocked.Increment(ref retryAfterWaits);
}

/// <summary>The counts of a 202 body.</summary>
public readonly record struct IngestAnswer(int Accepted, int Duplicates, int Rejected, int Warnings);
