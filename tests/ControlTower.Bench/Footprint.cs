using System.Globalization;

namespace ControlTower.Bench;

/// <summary>
/// Resident memory (VmRSS from /proc/&lt;pid&gt;/status) of each Control Tower process: the services by their executable or
/// assembly name under this repository, PostgreSQL (the postmaster and its backends, summed: shared buffers count in each)
/// and RabbitMQ (beam.smp) by the system's data folder when it was started here.
/// </summary>
public static class Footprint
{
    public static readonly string[] Services =
        ["Gateway", "Collector.Aws", "Collector.Azure", "Operations", "Governance", "ReleaseGate", "Web"];

    /// <summary>Resident MiB by process name, now.</summary>
    public static SortedDictionary<string, double> Sample(string repository, string? dataPath) =>
        Sum(repository, dataPath, p => p.Mib, postmasterExtra: _ => 0);

    /// <summary>
    /// CPU seconds (user and system) each process has used so far. PostgreSQL's include the backends that have exited,
    /// which the postmaster's reaped-children times hold; the difference of two samples is the CPU spent between them.
    /// </summary>
    public static SortedDictionary<string, double> CpuSeconds(string repository, string? dataPath) =>
        Sum(repository, dataPath, p => p.CpuSeconds, postmasterExtra: p => p.ChildrenCpuSeconds);

    private sealed record Process(int Pid, int Parent, string[] Argv, double Mib, double CpuSeconds, double ChildrenCpuSeconds);

    // Linux's USER_HZ: the unit of the times in /proc/<pid>/stat, 100 on every architecture .NET runs on.
    private const double TicksPerSecond = 100;

    private static SortedDictionary<string, double> Sum(string repository, string? dataPath, Func<Process, double> value, Func<Process, double> postmasterExtra)
    {
        var totals = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var postmasters = new HashSet<int>();
        var processes = new List<Process>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var argv = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                var status = File.ReadAllLines(Path.Combine(directory, "status"));
                var rss = status.FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                var parent = status.FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal));
                if (argv.Length == 0 || rss is null || parent is null)
                {
                    continue;
                }
                // The fields after the command's closing parenthesis: utime, stime, cutime and cstime are the 12th to 15th.
                var fields = ProcStat.Fields(directory);
                double Ticks(int index) => double.Parse(fields[index], CultureInfo.InvariantCulture) / TicksPerSecond;
                var kib = double.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                processes.Add(new Process(pid, int.Parse(parent.Split('\t', ' ').Last(s => s.Length > 0), CultureInfo.InvariantCulture), argv, kib / 1024,
                    Ticks(11) + Ticks(12), Ticks(13) + Ticks(14)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // Gone, or not ours to read.
            }
        }
        foreach (var process in processes)
        {
            var argv = process.Argv;
            var command = string.Join(' ', argv);
            if (dataPath is not null && Path.GetFileName(argv[0]) == "postgres" && command.Contains(dataPath, StringComparison.Ordinal))
            {
                postmasters.Add(process.Pid);
                Add(totals, "postgres (all backends)", value(process) + postmasterExtra(process));
            }
            else if (dataPath is not null && Path.GetFileName(argv[0]) == "beam.smp" && command.Contains(dataPath, StringComparison.Ordinal))
            {
                Add(totals, "rabbitmq (beam.smp)", value(process));
            }
            else if (command.Contains(repository, StringComparison.Ordinal) && ServiceOf(argv) is { } service)
            {
                Add(totals, service, value(process));
            }
        }
        foreach (var process in processes.Where(p => postmasters.Contains(p.Parent)))
        {
            Add(totals, "postgres (all backends)", value(process));
        }
        return totals;
    }

    /// <summary>The service an argument vector runs (its apphost, or <c>dotnet X.dll</c>), not a <c>dotnet run</c> that starts it.</summary>
    public static string? ServiceOf(string[] argv)
    {
        if (argv.Contains("run") || argv.Contains("build"))
        {
            return null;
        }
        foreach (var name in Services)
        {
            var file = "ControlTower." + name;
            if (Path.GetFileName(argv[0]) == file || (argv.Length > 1 && Path.GetFileName(argv[1]) == file + ".dll"))
            {
                return name;
            }
        }
        return null;
    }

    private static void Add(SortedDictionary<string, double> resident, string name, double mib) =>
        resident[name] = resident.GetValueOrDefault(name) + mib;
}
