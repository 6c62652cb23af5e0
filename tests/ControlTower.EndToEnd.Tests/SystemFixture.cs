using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ControlTower.Testing.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlTower.EndToEnd.Tests;

/// <summary>
/// The whole system, started once for the test assembly through the real AppHost (Aspire.Hosting.Testing):
/// PostgreSQL and RabbitMQ as containers or OS-packaged servers in a temporary folder, every service, the
/// gateway and the portal. The demo source is off so that the tests see only their own events. People sign in through a
/// loopback OIDC provider (<see cref="Identity"/>) as well as through the Development sign-in.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private readonly string dataPath = Path.Combine(Path.GetTempPath(), "controltower-e2e-" + Guid.NewGuid().ToString("N")[..8]);
    private DistributedApplication? app;

    /// <summary>A gateway key with the ingest scopes (generated per run).</summary>
    public string IngestKey { get; } = NewKey();

    /// <summary>The reader key, which has the read scopes.</summary>
    public string ReaderKey { get; } = NewKey();

    /// <summary>The release pipelines' gateway key, with <c>releases:read</c> and <c>releases:write</c>.</summary>
    public string PipelineKey { get; } = NewKey();

    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>The OIDC provider the gateway and the portal trust; set <see cref="OidcProvider.NextSignIn"/> before a browser signs in.</summary>
    public OidcProvider Identity { get; private set; } = null!;

    public Uri Portal { get; private set; } = null!;

    public TimeSpan StartedIn { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(StartTimeout);
        Identity = await OidcProvider.StartAsync();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ControlTower_AppHost>(
            [
                $"--Infrastructure:DataPath={dataPath}",
                "--Infrastructure:Ephemeral=true",
                "--Infrastructure:RabbitMqManagement=false",
                "--ControlTower:DemoSource=false",
                // The dashboard is off, so nothing would receive the services' telemetry.
                "--ControlTower:ExportTelemetry=false",
                $"--Parameters:internal-token={NewKey()}",
                $"--Parameters:demo-source-api-key={IngestKey}",
                $"--Parameters:reader-api-key={ReaderKey}",
                $"--Parameters:pipeline-api-key={PipelineKey}",
                $"--Authentication:Oidc:Authority={Identity.Issuer}",
                $"--Authentication:Oidc:ClientId={OidcProvider.ClientId}",
                "--Authentication:Oidc:RequireHttpsMetadata=false",
                $"--Parameters:oidc-client-secret={NewKey()}",
            ],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning));

        app = await builder.BuildAsync(timeout.Token);
        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("web", timeout.Token);
        StartedIn = started.Elapsed;
        await AccountDirectoryArrivedAsync(timeout.Token);

        Gateway = app.CreateHttpClient("gateway", "http");
        Portal = app.GetEndpoint("web", "http");
    }

    /// <summary>
    /// Waits until Governance's first account directory has reached Operations. A signal raised before it has no owner,
    /// team or environment until the directory arrives and fills them in (a version later): the tests that raise one and
    /// read its owner straight away expect the system as it is once started, not in its first seconds. The directory must
    /// arrive: Governance announces it once, at start, and its outbox keeps a message the broker returns (no queue bound
    /// yet, as while Operations starts) until a queue takes it. A directory that never comes fails the fixture.
    /// </summary>
    private async Task AccountDirectoryArrivedAsync(CancellationToken cancellationToken)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await app!.GetConnectionStringAsync("operationsdb", cancellationToken));
        await connection.OpenAsync(cancellationToken);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using var command = new Npgsql.NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM directory_accounts)", connection);
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                return;
            }
            if (waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException("Governance's account directory has not reached Operations 60 s after the system started.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    /// <summary>A GET through the gateway with the reader key.</summary>
    public async Task<HttpResponseMessage> ReadAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", ReaderKey);
        return await Gateway.SendAsync(request, cancellationToken);
    }

    /// <summary>The environment a running resource's process was started with (Linux: /proc/&lt;pid&gt;/environ).</summary>
    public IReadOnlyDictionary<string, string> ProcessEnvironment(string resource)
    {
        if (app is null || !app.ResourceNotifications.TryGetCurrentState(resource, out var state))
        {
            throw new InvalidOperationException($"{resource} is not running");
        }
        var pid = state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value
            ?? throw new InvalidOperationException($"{resource} reports no process id");
        return File.ReadAllText($"/proc/{Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)}/environ")
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        if (Identity is not null)
        {
            await Identity.DisposeAsync();
        }
        if (Directory.Exists(dataPath))
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    private static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
