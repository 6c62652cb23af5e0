using System.Globalization;

namespace ControlTower.Bench;

/// <summary>
/// Where the ingest's CPU went: each process's CPU seconds while the load ran and while the system drained what it had
/// accepted, and per event. On a machine whose cores the whole system shares, the process with the most microseconds per
/// event is the one to make cheaper.
/// </summary>
public sealed record CpuProfile(double LoadSeconds, double DrainSeconds, long Events, IReadOnlyList<CpuProfile.Row> Processes)
{
    /// <param name="MicrosecondsPerEvent">Load and drain together, over the events accepted.</param>
    public sealed record Row(string Process, double LoadCpuSeconds, double DrainCpuSeconds, double MicrosecondsPerEvent);

    public static CpuProfile Of(IReadOnlyDictionary<string, double> start, IReadOnlyDictionary<string, double> loadEnd,
        IReadOnlyDictionary<string, double> drainEnd, double loadSeconds, double drainSeconds, long events)
    {
        var rows = drainEnd.Keys
            .Select(name =>
            {
                var atStart = start.GetValueOrDefault(name);
                // A process that restarted or a backend that came and went can read lower later; never report less than nothing.
                var load = Math.Max(0, loadEnd.GetValueOrDefault(name, atStart) - atStart);
                var drain = Math.Max(0, drainEnd[name] - loadEnd.GetValueOrDefault(name, atStart));
                return new Row(name, load, drain, events == 0 ? 0 : (load + drain) * 1_000_000 / events);
            })
            .OrderByDescending(r => r.MicrosecondsPerEvent)
            .ToList();
        return new CpuProfile(loadSeconds, drainSeconds, events, rows);
    }

    public void Print()
    {
        Console.WriteLine($"CPU by process: {LoadSeconds:N0} s of load, then {DrainSeconds:N0} s of drain, {Events:N0} events accepted");
        Console.WriteLine("  process                     load cores  drain cores   µs/event");
        foreach (var row in Processes)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {row.Process,-26} {(LoadSeconds > 0 ? row.LoadCpuSeconds / LoadSeconds : 0),11:N2} {(DrainSeconds > 0 ? row.DrainCpuSeconds / DrainSeconds : 0),12:N2} {row.MicrosecondsPerEvent,10:N1}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {"all",-26} {(LoadSeconds > 0 ? Processes.Sum(r => r.LoadCpuSeconds) / LoadSeconds : 0),11:N2} {(DrainSeconds > 0 ? Processes.Sum(r => r.DrainCpuSeconds) / DrainSeconds : 0),12:N2} {Processes.Sum(r => r.MicrosecondsPerEvent),10:N1}"));
    }
}
