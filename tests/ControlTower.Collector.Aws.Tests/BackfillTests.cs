using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using ControlTower.Collector.Aws.Backfill;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.Extensions.Hosting;

namespace ControlTower.Collector.Aws.Tests;

/// <summary>Backfill through the collector on a real broker: from a folder and from S3, with progress saved and resumed.</summary>
public sealed class BackfillTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string KeyPrefix = "trail/AWSLogs/o-exampleorgid/111122223333/CloudTrail/us-east-1/2026/11/28/";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string folder = Path.Combine(Path.GetTempPath(), "ct-backfill-" + Guid.NewGuid().ToString("N")[..8]);
    private ServiceFactory<Program> factory = null!;
    private BatchSpy spy = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        factory = ServiceFactory<Program>.OnServers(infrastructure);
        spy = await BatchSpy.StartAsync(infrastructure.RabbitMq, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await spy.DisposeAsync();
        await factory.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private (string Name, byte[] Body, string EventId) NewFile(int n)
    {
        var eventId = Guid.NewGuid().ToString();
        var json = CloudTrailFiles.File(CloudTrailFiles.Record(eventId));
        return ($"{KeyPrefix}111122223333_CloudTrail_us-east-1_20261128T09{n:00}Z_abcdefghijklmnop.json.gz", CloudTrailFiles.Gzip(json), eventId);
    }

    private BackfillRunner Runner(HttpClient client, StringWriter progress) =>
        new(client, "unused-behind-the-gateway", progress, TimeProvider.System) { Parallel = 3, MaxAttempts = 2, MaxBackoff = TimeSpan.FromMilliseconds(50) };

    [Fact]
    public async Task FolderIsBackfilledInKeyOrderAndASecondRunOnlyPicksUpNewFiles()
    {
        var files = Enumerable.Range(1, 5).Select(NewFile).ToList();
        foreach (var file in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, file.Name))!);
            await File.WriteAllBytesAsync(Path.Combine(folder, file.Name), file.Body, TestContext.Current.CancellationToken);
        }
        await File.WriteAllTextAsync(Path.Combine(folder, "broken.json"), "{\"Records\": [", TestContext.Current.CancellationToken);
        var statePath = Path.Combine(folder, "state.json");
        var progress = new StringWriter();
        using var client = factory.CreateTrustedClient("backfill");

        var state = await Runner(client, progress).RunAsync(new FolderSource(folder), BackfillState.Load(statePath, "folder"), statePath, TestContext.Current.CancellationToken);

        Assert.Equal(6, state.Files);
        Assert.Equal(5, state.Accepted);
        Assert.StartsWith("broken.json: 400", Assert.Single(state.Refused));
        Assert.Equal(files[^1].Name, state.DoneThrough);
        Assert.Contains("6 files, 5 events accepted", progress.ToString());
        await spy.WaitForAsync(files.Select(f => f.EventId), Timeout);

        var late = NewFile(59);
        await File.WriteAllBytesAsync(Path.Combine(folder, late.Name), late.Body, TestContext.Current.CancellationToken);
        var resumed = await Runner(client, new StringWriter()).RunAsync(new FolderSource(folder), BackfillState.Load(statePath, "folder"), statePath, TestContext.Current.CancellationToken);

        Assert.Equal(7, resumed.Files);
        Assert.Equal(6, resumed.Accepted);
        await spy.WaitForAsync([late.EventId], Timeout);
        Assert.All(files, f => Assert.Equal(1, spy.Seen[f.EventId]));
    }

    [Fact]
    public async Task AnOutageStopsTheRunWhichThenResumesAfterTheLastFinishedFile()
    {
        var files = Enumerable.Range(1, 4).Select(NewFile).ToList();
        foreach (var file in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, file.Name))!);
            await File.WriteAllBytesAsync(Path.Combine(folder, file.Name), file.Body, TestContext.Current.CancellationToken);
        }
        var statePath = Path.Combine(folder, "state.json");
        using var failing = new HttpClient(new OutageAfter(files[2].Name, factory.Server.CreateHandler())) { BaseAddress = factory.Server.BaseAddress };
        failing.DefaultRequestHeaders.Add(GatewayTrust.TokenHeader, ServiceFactory<Program>.InternalToken);

        var stopped = await Assert.ThrowsAsync<BackfillStoppedException>(() =>
            new BackfillRunner(failing, "k", new StringWriter(), TimeProvider.System) { Parallel = 1, MaxAttempts = 2, MaxBackoff = TimeSpan.FromMilliseconds(50) }
                .RunAsync(new FolderSource(folder), BackfillState.Load(statePath, "folder"), statePath, TestContext.Current.CancellationToken));
        Assert.Contains("resume after", stopped.Message);
        Assert.Equal(files[1].Name, BackfillState.Load(statePath, "folder").DoneThrough);

        using var healthy = factory.CreateTrustedClient("backfill");
        var resumed = await Runner(healthy, new StringWriter()).RunAsync(new FolderSource(folder), BackfillState.Load(statePath, "folder"), statePath, TestContext.Current.CancellationToken);
        Assert.Equal(files[^1].Name, resumed.DoneThrough);
        Assert.Equal(4, resumed.Accepted);
        await spy.WaitForAsync(files.Select(f => f.EventId), Timeout);
    }

    [Fact]
    public async Task S3PrefixIsListedPageByPageAndBackfilled()
    {
        await using var s3 = await FakeS3.StartAsync("org-trail");
        var files = Enumerable.Range(1, 5).Select(NewFile).ToList();
        foreach (var file in files)
        {
            s3.Objects[file.Name] = file.Body;
        }
        s3.Objects["trail/AWSLogs/o-exampleorgid/111122223333/CloudTrail-Digest/us-east-1/2026/11/28/digest.txt"] = [1];
        using var client = new AmazonS3Client(new BasicAWSCredentials("test", "test"),
            new AmazonS3Config { ServiceURL = s3.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var statePath = Path.Combine(folder, "s3-state.json");
        using var gateway = factory.CreateTrustedClient("backfill");

        var source = new S3Source(client, "org-trail", "trail/");
        var state = await Runner(gateway, new StringWriter()).RunAsync(source, BackfillState.Load(statePath, source.Describe), statePath, TestContext.Current.CancellationToken);

        Assert.Equal(5, state.Files);
        Assert.Equal(5, state.Accepted);
        await spy.WaitForAsync(files.Select(f => f.EventId), Timeout);
        // The S3 key named the organisation, which the collector recorded on each activity.
        Assert.Equal("o-exampleorgid", spy.Activities[files[0].EventId].GetProperty("organizationId").GetString());
    }

    [Theory]
    [InlineData(new string[0], "--from is required")]
    [InlineData(new[] { "--from", "/nope", "--key", "k", "--colour", "red" }, "unknown option --colour")]
    [InlineData(new[] { "--from", "/tmp", "--key", "k", "--parallel", "0" }, "--parallel")]
    public async Task BadCommandLinesAreExplained(string[] args, string message)
    {
        var output = new StringWriter();

        var exit = await BackfillCommand.RunAsync(args, output, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains(message, output.ToString());
        Assert.Contains("usage: backfill", output.ToString());
    }

    /// <summary>Answers 503 for one file (and everything after it), as a broker outage would.</summary>
    private sealed class OutageAfter(string failingKey, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private bool down;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.TryGetValues("X-Amz-S3-Key", out var keys) && keys.Single() == failingKey)
            {
                down = true;
            }
            return down
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable))
                : base.SendAsync(request, cancellationToken);
        }
    }
}
