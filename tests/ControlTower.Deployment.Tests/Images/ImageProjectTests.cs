using System.Xml.Linq;
using ControlTower.Testing.Containers;

namespace ControlTower.Deployment.Tests.Images;

/// <summary>Every project of the contract names its image, and nothing that runs is left without one.</summary>
public sealed class ImageProjectTests
{
    public static TheoryData<string> Images => [.. ContainerImages.All.Select(image => image.Name)];

    [Theory]
    [MemberData(nameof(Images))]
    public void ProjectNamesTheContractsRepository(string name)
    {
        var image = ContainerImages.Named(name);

        Assert.Equal(image.Repository, Property(Path.Combine(Repository.Root, image.Project), "ContainerRepository"));
    }

    /// <summary>
    /// Online, the SDK pulls mcr's aspnet:10.0 for every image. The demo source is a Worker project, for which the SDK
    /// alone would pick runtime:10.0, which lacks the ASP.NET Core its ServiceDefaults need.
    /// </summary>
    [Theory]
    [MemberData(nameof(Images))]
    public async Task ProjectBuildsOnMcrsAspNetImageAsTheAppUserInApp(string name)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        string[] names = ["ContainerBaseImage", "ContainerUser", "ContainerWorkingDirectory"];

        var properties = await ImagePublisher.ContainerPropertiesAsync(ContainerImages.Named(name), names, cancellationToken: cancellationToken);
        var chiseled = await ImagePublisher.ContainerPropertiesAsync(ContainerImages.Named(name), names,
            new Dictionary<string, string> { ["ContainerFamily"] = "noble-chiseled-extra" }, cancellationToken);

        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", properties["ContainerBaseImage"]);
        Assert.Equal("1654", properties["ContainerUser"]);
        Assert.Equal("/app/", properties["ContainerWorkingDirectory"]);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra", chiseled["ContainerBaseImage"]);
    }

    [Fact]
    public void EveryRunnableProjectUnderServicesAndWebIsAnImageOfTheContract()
    {
        var contract = ContainerImages.All.Select(image => Path.GetFullPath(Path.Combine(Repository.Root, image.Project))).ToHashSet();
        var projects = new[] { "services", "web" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Repository.Root, folder), "*.csproj", SearchOption.AllDirectories))
            .Where(project => !project.Contains("/bin/", StringComparison.Ordinal) && !project.Contains("/obj/", StringComparison.Ordinal))
            .ToList();

        var left = projects.Where(project => !contract.Contains(project) && !IsLibrary(project)).ToList();

        Assert.Equal(ContainerImages.All.Count, projects.Count(contract.Contains));
        Assert.Empty(left);
    }

    [Fact]
    public void ContractNamesEachImageOnce()
    {
        Assert.Equal(ContainerImages.All.Count, ContainerImages.All.Select(image => image.Repository).Distinct().Count());
        Assert.All(ContainerImages.All, image => Assert.Matches("^controltower/[a-z0-9]+(-[a-z0-9]+)*$", image.Repository));
    }

    /// <summary>A library: the plain SDK without an Exe output type (Web and Worker projects are executables).</summary>
    private static bool IsLibrary(string project)
    {
        var xml = XDocument.Load(project);
        var sdk = xml.Root?.Attribute("Sdk")?.Value ?? "";
        var outputType = Property(project, "OutputType");
        return sdk == "Microsoft.NET.Sdk" && outputType is null or "Library";
    }

    private static string? Property(string project, string name) =>
        XDocument.Load(project).Descendants(name).Select(element => element.Value.Trim()).LastOrDefault();
}
