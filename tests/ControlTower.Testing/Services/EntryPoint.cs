using System.Diagnostics;

namespace ControlTower.Testing.Services;

/// <summary>A service's own built entry point run as a process, as a container or a Kubernetes Job runs it.</summary>
public static class EntryPoint
{
    /// <summary>The service's built assembly, e.g. <c>Dll("services/ReleaseGate", "ControlTower.ReleaseGate")</c>, of this build's configuration.</summary>
    public static string Dll(string projectFolder, string assemblyName) => Path.Combine(Repository.Root, projectFolder, "bin",
#if DEBUG
        "Debug",
#else
        "Release",
#endif
        "net10.0", assemblyName + ".dll");

    /// <summary>Runs <c>dotnet DLL ARGS</c> in Production with the given environment; its exit code and everything it wrote.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output + await error);
    }
}
