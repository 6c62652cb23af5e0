using ControlTower.Testing.Containers;

namespace ControlTower.Deployment.Tests.Images;

/// <summary>The archives <c>./ct images</c> builds, read back: the contract's shape, labels, and no secrets.</summary>
[Collection(ImagesCollection.Name)]
public sealed class ImageArchiveTests(BuiltImages images)
{
    public static TheoryData<string> Images => ImageProjectTests.Images;

    [Theory]
    [MemberData(nameof(Images))]
    public void ImageRunsItsAssemblyAsTheAppUserOnPort8080WithoutSecrets(string name)
    {
        var image = ContainerImages.Named(name);
        var archive = ImageArchive.Read(images[name].ArchivePath);
        var hasSettings = File.Exists(Path.Combine(Repository.Root, Path.GetDirectoryName(image.Project)!, "appsettings.json"));

        Assert.Empty(ImageChecks.Problems(archive, image, hasSettings));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void ImageIsTaggedAndLabelledWithItsRelease(string name)
    {
        var archive = ImageArchive.Read(images[name].ArchivePath);

        Assert.Contains($"controltower/{name}:{BuiltImages.Tag}", archive.Tags);
        Assert.Equal(BuiltImages.Tag, archive.Labels.GetValueOrDefault("org.opencontainers.image.version"));
        Assert.Equal(BuiltImages.Revision, archive.Labels.GetValueOrDefault("org.opencontainers.image.revision"));
        Assert.Equal(BuiltImages.SourceUrl, archive.Labels.GetValueOrDefault("org.opencontainers.image.source"));
        Assert.Equal(images.BaseImageReference, archive.Labels.GetValueOrDefault("org.opencontainers.image.base.name"));
        Assert.Equal("linux", archive.Config["os"]?.GetValue<string>());
        Assert.Equal("amd64", archive.Config["architecture"]?.GetValue<string>());
    }

    [Fact]
    public void BaseCameFromTheLocalRegistryAndBuildsStayWithinTheirBudget()
    {
        foreach (var line in images.Timings)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }

        Assert.Contains(images.RegistryRequests, request => request.StartsWith("GET /v2/dotnet/aspnet/manifests/", StringComparison.Ordinal));
        Assert.Contains(images.RegistryRequests, request => request.StartsWith("GET /v2/dotnet/aspnet/blobs/", StringComparison.Ordinal));
    }
}
