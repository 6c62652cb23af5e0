namespace ControlTower.DemoSource;

/// <summary>
/// When incidents start (every <c>every</c>, the first at the first tick) and when the event that ends each one
/// is due (<c>lasts</c>, give or take a quarter). Pure: the caller says what time it is.
/// </summary>
public sealed class IncidentSchedule<T>(Random random, TimeSpan every, TimeSpan lasts)
{
    private readonly List<(DateTimeOffset Due, T Ending)> endings = [];
    private DateTimeOffset? nextStart;

    /// <summary>The endings due at <paramref name="now"/>, oldest first; they are forgotten once returned.</summary>
    public IReadOnlyList<T> DueEndings(DateTimeOffset now)
    {
        var due = endings.Where(e => e.Due <= now).OrderBy(e => e.Due).Select(e => e.Ending).ToList();
        endings.RemoveAll(e => e.Due <= now);
        return due;
    }

    /// <summary>True when an incident should start now (and then not again until <c>every</c> has passed).</summary>
    public bool StartDue(DateTimeOffset now)
    {
        if (nextStart is { } next && now < next)
        {
            return false;
        }
        nextStart = now + every;
        return true;
    }

    public void EndLater(DateTimeOffset now, T ending) => endings.Add((now + lasts * (0.75 + (random.NextDouble() / 2)), ending));

    /// <summary>The endings still to come.</summary>
    public IEnumerable<T> Pending => endings.Select(e => e.Ending);
}
