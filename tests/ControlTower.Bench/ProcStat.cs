namespace ControlTower.Bench;

/// <summary>Linux's <c>/proc/&lt;pid&gt;/stat</c>, read past the command name (which may hold spaces and parentheses).</summary>
public static class ProcStat
{
    /// <summary>
    /// The fields after the command, numbered from 0: the state is [0], the parent's id [1], utime and stime [11] and [12],
    /// cutime and cstime [13] and [14]. Throws <see cref="IOException"/> for a process that is gone.
    /// </summary>
    public static string[] Fields(string processDirectory)
    {
        var stat = File.ReadAllText(Path.Combine(processDirectory, "stat"));
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}
