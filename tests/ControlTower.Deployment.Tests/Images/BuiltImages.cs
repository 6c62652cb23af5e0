using System.Diagnostics;
using ControlTower.Testing.Containers;

namespace ControlTower.Deployment.Tests.Images;

/// <summary>
/// Every image of the contract, built once for the "images" collection the way <c>./ct images --offline</c> builds them:
/// the SDK's <c>PublishContainer</c> on the base made from this machine's files, served by a loopback registry
/// (mcr.microsoft.com is not reachable here). Publishes the solution build's output (<c>--no-build</c>, the configuration
/// this test assembly was built in), so the solution must be built first, as <c>./ct test</c> does.
/// </summary>
public sealed class BuiltImages : IAsyncLifetime
{
    public const string Tag = "test";
    public const string Revision = "0123456789abcdef0123456789abcdef01234567";
    public const string SourceUrl = "https://example.invalid/controltower";

    private readonly string directory = Path.Combine(Path.GetTempPath(), "controltower-tests", "images-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly Dictionary<string, PublishedImage> published = new(StringComparer.Ordinal);

    /// <summary>Base image (cached or made), then every publish: what the CI log shows of the cost.</summary>
    public IReadOnlyList<string> Timings => timings;

    private readonly List<string> timings = [];

    /// <summary>The requests the local registry answered: the SDK pulled the base from it, not from elsewhere.</summary>
    public IReadOnlyList<string> RegistryRequests { get; private set; } = [];

    public string BaseImageReference { get; private set; } = "";

    public PublishedImage this[string name] => published[name];

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var total = Stopwatch.StartNew();
        var baseImage = await BaseImage.GetOrBuildAsync(cancellationToken: timeout.Token);
        timings.Add($"base image {baseImage.Directory}: {total.Elapsed.TotalSeconds:0.0} s");
        await using var registry = await BaseImageRegistry.StartAsync(baseImage, timeout.Token);
        BaseImageReference = registry.BaseImageReference;
        var options = new ImageBuildOptions
        {
            OutputDirectory = directory,
            Configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug",
            NoBuild = true,
            Tag = Tag,
            BaseImage = registry.BaseImageReference,
            InsecureRegistry = registry.Host,
            Revision = Revision,
            SourceUrl = SourceUrl,
        };
        foreach (var image in ContainerImages.All)
        {
            var result = await ImagePublisher.PublishAsync(image, options, timeout.Token);
            published[image.Name] = result;
            timings.Add($"{image.Repository}: {result.Size / 1048576.0:0.0} MB in {result.Elapsed.TotalSeconds:0.0} s");
        }
        timings.Add($"all {ContainerImages.All.Count} images: {total.Elapsed.TotalSeconds:0.0} s");
        RegistryRequests = registry.Requests.ToList();
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class ImagesCollection : ICollectionFixture<BuiltImages>
{
    public const string Name = "images";
}
