using System.Diagnostics;
using System.Globalization;

namespace ControlTower.LoadDriver;

public static class Progress
{
    /// <summary>One line a second on stderr until <paramref name="run"/> ends: so far, and the rate over the last second.</summary>
    public static async Task ReportEverySecondAsync(LoadStatistics statistics, Stopwatch clock, Task run)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var lastAccepted = 0L;
        var lastTime = TimeSpan.Zero;
        while (await Task.WhenAny(run, timer.WaitForNextTickAsync().AsTask()) != run)
        {
            var now = clock.Elapsed;
            var accepted = statistics.EventsAccepted;
            var rate = (accepted - lastAccepted) / (now - lastTime).TotalSeconds;
            var failed = statistics.Failures.Values.Sum();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{now.TotalSeconds,5:0}s  requests {statistics.Requests,6:N0}  accepted {accepted,10:N0} events  now {rate,8:N0}/s  " +
                $"average {accepted / now.TotalSeconds,8:N0}/s  non-202 {failed,4:N0}  in flight {statistics.Requests - statistics.Accepted202 - failed}"));
            lastAccepted = accepted;
            lastTime = now;
        }
    }
}
