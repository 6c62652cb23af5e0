using System.Diagnostics;

namespace ControlTower.Testing.Infrastructure;

/// <summary>
/// A server started from the OS packages through one of <c>deploy/local/*.sh</c>, with its output kept for
/// diagnostics. Stopping sends SIGTERM (a clean shutdown), then kills it if it lingers, then removes its folder.
/// </summary>
internal sealed class LocalServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Queue<string> output = new();
    private readonly string directory;

    private LocalServerProcess(Process process, string directory)
    {
        this.process = process;
        this.directory = directory;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    public bool HasExited => process.HasExited;

    public string RecentOutput
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }

    public static LocalServerProcess Start(string script, string directory, params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            // Redirected so that a server outliving a crashed test run never holds the runner's output open.
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add(Path.Combine(Repository.Root, "deploy", "local", script));
        start.ArgumentList.Add(directory);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {script}.");
        return new LocalServerProcess(process, directory);
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await process.WaitForExitAsync(CancellationToken.None);
        process.Dispose();
        for (var attempt = 0; attempt < 5 && Directory.Exists(directory); attempt++)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                await Task.Delay(200);
            }
            catch (UnauthorizedAccessException)
            {
                await Task.Delay(200);
            }
        }
    }

    private void Stop()
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
                kill.WaitForExit();
            }
            if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.Enqueue(line);
            if (output.Count > 200)
            {
                output.Dequeue();
            }
        }
    }
}
