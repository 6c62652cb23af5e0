using System.Diagnostics;
using System.Text.Json;

namespace ControlTower.Bench;

/// <summary>
/// The pure cores, timed by the existing BenchmarkDotNet project (<c>tests/ControlTower.Benchmarks -- --quick</c>) in a process
/// of its own, and read back from its JSON export and the gate's single-call timings beside it.
/// </summary>
public static class Engines
{
    public const string Filter = "*ScpDecisionBenchmarks* *GateEvaluationBenchmarks*";

    /// <summary>One benchmark of a BenchmarkDotNet JSON export: nanoseconds an operation, bytes allocated an operation.</summary>
    public sealed record Benchmark(string Type, string Method, double MeanNanoseconds, double? P95Nanoseconds, double? AllocatedBytes)
    {
        public double PerSecond => MeanNanoseconds > 0 ? 1e9 / MeanNanoseconds : 0;
    }

    public sealed record Result(IReadOnlyList<Benchmark> Benchmarks, GateSingleCalls? Gate);

    public sealed record GateSingleCalls(int Calls, double P50, double P90, double P99, double Max);

    public static async Task<Result> RunAsync(string repository, CancellationToken cancellationToken)
    {
        var project = Path.Combine(repository, "tests", "ControlTower.Benchmarks");
        var results = Path.Combine(project, "bin", "Release", "net10.0", "BenchmarkDotNet.Artifacts", "results");
        if (Directory.Exists(results))
        {
            Directory.Delete(results, recursive: true);
        }
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = repository, UseShellExecute = false };
        foreach (var argument in (string[])["run", "-c", "Release", "--project", project, "--", "--quick", "--exporters", "json", "--filter", .. Filter.Split(' ')])
        {
            start.ArgumentList.Add(argument);
        }
        Console.WriteLine($"engines: dotnet {string.Join(' ', start.ArgumentList)}");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the BenchmarkDotNet run exited with {process.ExitCode}");
        }
        var benchmarks = Directory.Exists(results)
            ? Directory.EnumerateFiles(results, "*-report*.json").SelectMany(f => Parse(File.ReadAllText(f))).ToList()
            : [];
        var gateFile = Path.Combine(results, "gate-single-calls.json");
        var gate = File.Exists(gateFile) ? JsonSerializer.Deserialize<GateSingleCalls>(File.ReadAllText(gateFile)) : null;
        return new Result(benchmarks, gate);
    }

    /// <summary>The benchmarks of one BenchmarkDotNet JSON export (any of its brief or full, compressed or indented forms).</summary>
    public static IEnumerable<Benchmark> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var list = new List<Benchmark>();
        if (!document.RootElement.TryGetProperty("Benchmarks", out var benchmarks))
        {
            return list;
        }
        foreach (var b in benchmarks.EnumerateArray())
        {
            if (!b.TryGetProperty("Statistics", out var statistics) || statistics.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            double? p95 = statistics.TryGetProperty("Percentiles", out var percentiles) && percentiles.ValueKind == JsonValueKind.Object
                && percentiles.TryGetProperty("P95", out var p) ? p.GetDouble() : null;
            double? allocated = b.TryGetProperty("Memory", out var memory) && memory.ValueKind == JsonValueKind.Object
                && memory.TryGetProperty("BytesAllocatedPerOperation", out var bytes) ? bytes.GetDouble() : null;
            list.Add(new Benchmark(b.GetProperty("Type").GetString() ?? "", b.GetProperty("Method").GetString() ?? "",
                statistics.GetProperty("Mean").GetDouble(), p95, allocated));
        }
        return list;
    }
}
