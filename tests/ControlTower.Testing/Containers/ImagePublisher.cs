using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ControlTower.Testing.Containers;

/// <summary>How to build the images: <c>dotnet publish -t:PublishContainer</c> with these properties.</summary>
public sealed record ImageBuildOptions
{
    public required string OutputDirectory { get; init; }

    public string Configuration { get; init; } = "Release";

    /// <summary>Publish what the last build of <see cref="Configuration"/> left (the tests build the solution first).</summary>
    public bool NoBuild { get; init; }

    public string Tag { get; init; } = "latest";

    /// <summary>Null: the SDK's default, mcr.microsoft.com/dotnet/aspnet:10.0. Else e.g. <see cref="BaseImageRegistry.BaseImageReference"/>.</summary>
    public string? BaseImage { get; init; }

    /// <summary>The mcr variant when <see cref="BaseImage"/> is null, e.g. noble-chiseled-extra (aspnet:10.0-noble-chiseled-extra).</summary>
    public string? Family { get; init; }

    /// <summary>A registry the SDK may talk plain HTTP to (the local <see cref="BaseImageRegistry"/>).</summary>
    public string? InsecureRegistry { get; init; }

    /// <summary>The commit, for the org.opencontainers.image.revision label.</summary>
    public string? Revision { get; init; }

    /// <summary>The repository URL, for the org.opencontainers.image.source label.</summary>
    public string? SourceUrl { get; init; }
}

public sealed record PublishedImage(ContainerImage Image, string ArchivePath, long Size, TimeSpan Elapsed);

/// <summary>Builds an image archive (a tar the way `docker load` takes it) with the .NET SDK's container support.</summary>
public static class ImagePublisher
{
    public static async Task<PublishedImage> PublishAsync(ContainerImage image, ImageBuildOptions options, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        var archive = Path.Combine(Path.GetFullPath(options.OutputDirectory), image.ArchiveFile);
        File.Delete(archive);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("publish");
        start.ArgumentList.Add(Path.Combine(Repository.Root, image.Project));
        start.ArgumentList.Add("-nologo");
        start.ArgumentList.Add("-v:quiet");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(options.Configuration);
        if (options.NoBuild)
        {
            start.ArgumentList.Add("--no-build");
        }
        start.ArgumentList.Add("-t:PublishContainer");
        start.ArgumentList.Add($"-p:ContainerArchiveOutputPath={archive}");
        start.ArgumentList.Add($"-p:ContainerImageTag={options.Tag}");
        if (options.BaseImage is not null)
        {
            start.ArgumentList.Add($"-p:ContainerBaseImage={options.BaseImage}");
        }
        if (options.Family is not null)
        {
            start.ArgumentList.Add($"-p:ContainerFamily={options.Family}");
        }
        if (options.Revision is not null)
        {
            start.ArgumentList.Add($"-p:SourceRevisionId={options.Revision}");
        }
        if (options.SourceUrl is not null)
        {
            start.ArgumentList.Add($"-p:ContainerSourceUrl={options.SourceUrl}");
        }
        if (options.InsecureRegistry is not null)
        {
            start.Environment["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = options.InsecureRegistry;
        }
        // A build server left by this publish would outlive it and hold the test's output pipes open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        stopwatch.Stop();
        if (process.ExitCode != 0 || !File.Exists(archive))
        {
            throw new InvalidOperationException(
                $"dotnet {string.Join(' ', start.ArgumentList)} exited {process.ExitCode} without {archive}:\n{await output}\n{await error}");
        }
        return new PublishedImage(image, archive, new FileInfo(archive).Length, stopwatch.Elapsed);
    }

    /// <summary>
    /// What the SDK's container targets settle for a project (its ComputeContainerConfig), without building: e.g.
    /// ContainerBaseImage, ContainerUser, ContainerWorkingDirectory.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> ContainerPropertiesAsync(
        ContainerImage image, IEnumerable<string> properties, IReadOnlyDictionary<string, string>? globalProperties = null,
        CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "msbuild", Path.Combine(Repository.Root, image.Project), "-nologo", "-t:ComputeContainerConfig" }
            .Concat(properties.Select(property => "-getProperty:" + property))
            .Concat((globalProperties ?? new Dictionary<string, string>()).Select(pair => $"-p:{pair.Key}={pair.Value}")))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}:\n{await output}\n{await error}");
        }
        var json = JsonNode.Parse(await output)!["Properties"]!.AsObject();
        return json.ToDictionary(pair => pair.Key, pair => pair.Value?.GetValue<string>() ?? "");
    }
}
