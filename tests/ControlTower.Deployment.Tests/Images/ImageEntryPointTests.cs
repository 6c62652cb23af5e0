using System.Net;
using System.Net.Sockets;
using ControlTower.Testing.Containers;
using ControlTower.Testing.Infrastructure;

namespace ControlTower.Deployment.Tests.Images;

/// <summary>The RabbitMQ broker the image's service talks to (started only for these tests).</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public RabbitMqServer RabbitMq { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        RabbitMq = await RabbitMqServer.StartAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (RabbitMq is not null)
        {
            await RabbitMq.DisposeAsync();
        }
    }
}

/// <summary>
/// The collector-aws image's entry point, run from its unpacked layers the way a container runtime runs it (chroot,
/// own mount namespace, uid 1654, /app, the image's environment) with the configuration the Kubernetes manifests give it.
/// Needs root for chroot and mount: elsewhere the tests say they were skipped and why.
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed class ImageEntryPointTests(BuiltImages images, BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private const string ImageName = "collector-aws";

    private static void RequireRoot() =>
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "Running an image's entry point needs root (unshare -m, mount, chroot).");

    [Fact]
    public async Task CollectorImageStartsAsTheAppUserAndAnswersAliveAndHealth()
    {
        RequireRoot();
        var cancellationToken = TestContext.Current.CancellationToken;
        var archive = ImageArchive.Read(images[ImageName].ArchivePath);
        using var root = ImageRoot.Unpack(archive, TemporaryFolder());
        var port = FreePort();
        var overrides = new Dictionary<string, string?>
        {
            ["ConnectionStrings__messaging"] = broker.RabbitMq.ConnectionString,
            ["ControlTower__InternalToken"] = "image-test-token",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using var app = root.Start(archive, overrides);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        var alive = await AnswerAsync(http, "/alive", app);
        var health = await AnswerAsync(http, "/health", app);

        Assert.Equal(HttpStatusCode.OK, alive);
        Assert.Equal(HttpStatusCode.OK, health);
        Assert.Equal(ImageChecks.AppUid, await UidOfAsync(app, cancellationToken));
        // Chrooted into the image, in its working directory, with the image's environment and nothing of the host's.
        Assert.Equal(root.Directory, new DirectoryInfo($"/proc/{app.ProcessId}/root").LinkTarget);
        Assert.Equal(Path.Combine(root.Directory, "app"), new DirectoryInfo($"/proc/{app.ProcessId}/cwd").LinkTarget);
        var environment = (await File.ReadAllTextAsync($"/proc/{app.ProcessId}/environ", cancellationToken)).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var expected = archive.Env.Where(pair => !pair.StartsWith("ASPNETCORE_HTTP_PORTS=", StringComparison.Ordinal))
            .Concat(overrides.Select(pair => $"{pair.Key}={pair.Value}"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), environment.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CollectorImageWithoutTheBusConnectionStringExitsNamingIt()
    {
        RequireRoot();
        var archive = ImageArchive.Read(images[ImageName].ArchivePath);
        using var root = ImageRoot.Unpack(archive, TemporaryFolder());
        await using var app = root.Start(archive, new Dictionary<string, string?>
        {
            ["ControlTower__InternalToken"] = "image-test-token",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_HTTP_PORTS"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));

        var exitCode = await app.WaitForExitAsync(timeout.Token);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ConnectionStrings:messaging", app.Output, StringComparison.Ordinal);
    }

    /// <summary>The status of the first answer; fails with the app's output if it exits or never answers.</summary>
    private static async Task<HttpStatusCode> AnswerAsync(HttpClient http, string path, ImageProcess app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(app.HasExited, $"The entry point exited ({(app.HasExited ? app.ExitCode : 0)}):\n{app.Output}");
            try
            {
                using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
                last = response.StatusCode;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return HttpStatusCode.OK;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
        Assert.Fail($"GET {path} did not answer 200 within 90 s (last: {last?.ToString() ?? "no answer"}):\n{app.Output}");
        return last ?? 0;
    }

    /// <summary>The real uid of the app's process, from the host's /proc.</summary>
    private static async Task<string> UidOfAsync(ImageProcess app, CancellationToken cancellationToken)
    {
        var status = await File.ReadAllLinesAsync($"/proc/{app.ProcessId}/status", cancellationToken);
        return status.First(line => line.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
    }

    private static string TemporaryFolder() =>
        Path.Combine(Path.GetTempPath(), "controltower-tests", "image-root-" + Guid.NewGuid().ToString("N")[..12]);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
