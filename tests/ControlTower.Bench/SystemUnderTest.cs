using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlTower.Bench;

/// <summary>
/// The Control Tower being measured: started here through the real AppHost (as the end-to-end tests start it: Release
/// build, demo source off, generated keys, an ephemeral data folder), or one already running that the options name.
/// </summary>
public sealed class SystemUnderTest : IAsyncDisposable
{
    /// <summary>The resources that must be healthy before the system counts as started.</summary>
    public static readonly string[] Resources = ["postgres", "rabbitmq", "operations", "governance", "releasegate", "collector-aws", "collector-azure", "gateway", "web"];

    private readonly DistributedApplication? app;
    private readonly string? dataPath;
    private readonly bool keepData;

    private SystemUnderTest(Uri gateway, string key, string readKey, string? operationsDb, Uri? management, TimeSpan? startedIn,
        DistributedApplication? app, string? dataPath, bool keepData = false)
    {
        this.keepData = keepData;
        Gateway = gateway;
        Key = key;
        ReadKey = readKey;
        OperationsDb = operationsDb;
        Management = management;
        StartedIn = startedIn;
        this.app = app;
        this.dataPath = dataPath;
    }

    public Uri Gateway { get; }
    public string Key { get; }
    public string ReadKey { get; }
    public string? OperationsDb { get; }
    /// <summary>The RabbitMQ management API with its credentials in the user info, to watch the queues drain.</summary>
    public Uri? Management { get; }
    /// <summary>From the AppHost's start to every resource healthy; null for a system started elsewhere.</summary>
    public TimeSpan? StartedIn { get; }
    /// <summary>Where its servers keep their data, to tell its PostgreSQL and RabbitMQ processes from others.</summary>
    public string? DataPath => dataPath;

    public static SystemUnderTest Running(BenchOptions options) => new(
        options.Gateway!.AbsolutePath.EndsWith('/') ? options.Gateway : new Uri(options.Gateway + "/"),
        options.Key!, options.ReadKey!, options.OperationsDb,
        options.RabbitMqManagement is { } m ? new Uri(m) : null, null, null, null);

    /// <param name="keptData">A folder for the servers' data that outlives the run (for a seeded store to reuse); null for a temporary one.</param>
    /// <param name="postgresSettings">Extra server settings (name=value), e.g. to load pg_stat_statements.</param>
    /// <param name="settings">More AppHost settings, as <c>--Key=value</c> arguments.</param>
    public static async Task<SystemUnderTest> StartAsync(string? keptData, IReadOnlyList<string> postgresSettings, CancellationToken cancellationToken,
        IReadOnlyList<string>? settings = null)
    {
        var dataPath = keptData ?? Path.Combine(Path.GetTempPath(), "controltower-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var key = NewKey();
        var readKey = NewKey();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(10));
        var clock = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ControlTower_AppHost>(
            [
                $"--Infrastructure:DataPath={dataPath}",
                "--Infrastructure:Ephemeral=true",
                "--ControlTower:DemoSource=false",
                // No dashboard receives telemetry here: exporting into nothing would cost CPU the measurement is about.
                "--ControlTower:ExportTelemetry=false",
                $"--Parameters:internal-token={NewKey()}",
                $"--Parameters:demo-source-api-key={key}",
                $"--Parameters:reader-api-key={readKey}",
                $"--Parameters:admin-api-key={NewKey()}",
                $"--Parameters:pipeline-api-key={NewKey()}",
                .. postgresSettings.Select((setting, i) => $"--Infrastructure:PostgresSettings:{i}={setting}"),
                .. settings ?? [],
            ],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire", LogLevel.Warning)
            // The servers' and services' own output would bury the progress lines.
            .AddFilter("ControlTower", LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning)
            // The servers' health checks fail while they start and stop; readiness is awaited resource by resource instead.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            .AddFilter("System.Net.Http", LogLevel.Warning));
        var app = await builder.BuildAsync(timeout.Token);
        try
        {
            await app.StartAsync(timeout.Token);
            foreach (var resource in Resources)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                Console.WriteLine($"system: {resource} healthy after {clock.Elapsed.TotalSeconds:N1} s");
            }
            var startedIn = clock.Elapsed;
            var gateway = app.GetEndpoint("gateway", "http");
            var operationsDb = await app.GetConnectionStringAsync("operationsdb", timeout.Token);
            var messaging = new Uri((await app.GetConnectionStringAsync("messaging", timeout.Token))!);
            var management = new UriBuilder(app.GetEndpoint("rabbitmq", "management")) { UserName = messaging.UserInfo.Split(':')[0], Password = messaging.UserInfo.Split(':')[1] }.Uri;
            return new SystemUnderTest(new Uri(gateway + (gateway.AbsolutePath.EndsWith('/') ? "" : "/")), key, readKey, operationsDb, management, startedIn, app, dataPath, keptData is not null);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of the RabbitMQ management API, signed in, with the API's root as its base address.</summary>
    public HttpClient ManagementClient()
    {
        var management = Management ?? throw new InvalidOperationException("this system's broker has no management API");
        var client = new HttpClient { BaseAddress = new UriBuilder(management) { UserName = "", Password = "", Path = "/" }.Uri, Timeout = TimeSpan.FromSeconds(10) };
        var credentials = Uri.UnescapeDataString(management.UserInfo);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return client;
    }

    /// <summary>Messages in the system's queues (ready and unacknowledged), and in its error queues; null without the management API.</summary>
    public async Task<(long Working, long Errors)?> QueuedAsync(CancellationToken cancellationToken)
    {
        if (Management is null)
        {
            return null;
        }
        using var client = ManagementClient();
        using var queues = JsonDocument.Parse(await client.GetStringAsync("/api/queues?columns=name,messages", cancellationToken));
        long working = 0, errors = 0;
        foreach (var queue in queues.RootElement.EnumerateArray())
        {
            var name = queue.GetProperty("name").GetString() ?? "";
            var messages = queue.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
            if (name.EndsWith("_error", StringComparison.Ordinal) || name.EndsWith("_skipped", StringComparison.Ordinal))
            {
                errors += messages;
            }
            else
            {
                working += messages;
            }
        }
        return (working, errors);
    }

    /// <summary>The connection string of one of the system's resources (a database, the broker); null for a system started elsewhere.</summary>
    public async Task<string?> ConnectionStringAsync(string name, CancellationToken cancellationToken) =>
        app is null ? null : await app.GetConnectionStringAsync(name, cancellationToken);

    /// <summary>The process id of a running resource, as the AppHost reports it.</summary>
    public int ProcessId(string resource)
    {
        var application = app ?? throw new InvalidOperationException("only a system started here can be faulted");
        return application.ResourceNotifications.TryGetCurrentState(resource, out var state) && Pid(state) is { } pid
            ? pid
            : throw new InvalidOperationException($"{resource} reports no process id");
    }

    /// <summary>
    /// Sends <paramref name="signal"/> (KILL for a crash, INT or TERM for a server's own clean stop) to a resource's
    /// process, waits until it is gone, starts it again through the AppHost (the dashboard's Start command), and waits
    /// until the new process is healthy. Returns how long the resource was away.
    /// </summary>
    public async Task<TimeSpan> StopAndStartAsync(string resource, string signal, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var pid = await StopAsync(resource, signal, cancellationToken);
        await StartAgainAsync(resource, pid, cancellationToken);
        return clock.Elapsed;
    }

    /// <summary>Sends <paramref name="signal"/> to a resource's own process and waits until the AppHost sees it gone; the process id it had.</summary>
    public async Task<int> StopAsync(string resource, string signal, CancellationToken cancellationToken)
    {
        var application = app ?? throw new InvalidOperationException("only a system started here can be faulted");
        var pid = ProcessId(resource);
        var target = OwnProcess(pid);
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, target.ToString(System.Globalization.CultureInfo.InvariantCulture)])
               { RedirectStandardError = true })!)
        {
            await kill.WaitForExitAsync(cancellationToken);
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException($"kill -{signal} {target} ({resource}) failed: {await kill.StandardError.ReadToEndAsync(cancellationToken)}");
            }
        }
        while (Directory.Exists($"/proc/{target}") && !IsZombie(target))
        {
            await Task.Delay(50, cancellationToken);
        }
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stopped.CancelAfter(TimeSpan.FromMinutes(1));
        try
        {
            await application.ResourceNotifications.WaitForResourceAsync(resource,
                e => e.Snapshot.State?.Text is "Exited" or "Finished" or "FailedToStart", stopped.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            application.ResourceNotifications.TryGetCurrentState(resource, out var now);
            throw new TimeoutException($"{resource} (pid {target}) is gone, but the AppHost still reports it {now?.Snapshot.State?.Text}");
        }
        return pid;
    }

    /// <summary>Starts a stopped resource again through the AppHost and waits until its new process is healthy.</summary>
    public async Task StartAgainAsync(string resource, int stoppedPid, CancellationToken cancellationToken)
    {
        var application = app ?? throw new InvalidOperationException("only a system started here can be faulted");
        var commands = application.Services.GetRequiredService<ResourceCommandService>();
        var started = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);
        if (!started.Success)
        {
            throw new InvalidOperationException($"starting {resource} again failed: {started.Message}");
        }
        await application.ResourceNotifications.WaitForResourceAsync(resource,
            e => Pid(e) is { } newPid && newPid != stoppedPid && e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy,
            cancellationToken);
    }

    /// <summary>
    /// The resource's own process: the one the AppHost started, except for a project, which the AppHost starts with
    /// <c>dotnet run</c>; its service is that command's child, and killing the command alone would leave it running.
    /// </summary>
    private static int OwnProcess(int pid)
    {
        var command = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
        if (command.Length < 2 || Path.GetFileName(command[0]) != "dotnet" || command[1] != "run")
        {
            return pid;
        }
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var child))
            {
                try
                {
                    if (ProcStat.Fields(entry)[1] == pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    {
                        return child;
                    }
                }
                catch (IOException)
                {
                    // A process that ended while the list was read.
                }
            }
        }
        throw new InvalidOperationException($"dotnet run ({pid}) has no child process");
    }

    private static int? Pid(ResourceEvent state) =>
        state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
            ? Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static bool IsZombie(int pid)
    {
        try
        {
            return ProcStat.Fields($"/proc/{pid}")[0] == "Z";
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        if (dataPath is not null && !keepData && Directory.Exists(dataPath))
        {
            try
            {
                Directory.Delete(dataPath, recursive: true);
            }
            catch (IOException)
            {
                // A server's last files may still be closing; the temporary folder is the system's to clean.
            }
        }
    }

    private static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
