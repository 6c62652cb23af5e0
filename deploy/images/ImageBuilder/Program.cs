using System.Diagnostics;
using ControlTower.Testing.Containers;

// ./ct images [--offline] [--tag T] [--out DIR] [--only name,name] [--family F] [--configuration C] [--no-build] [--revision SHA] [--source URL]
var options = new Dictionary<string, string?>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    var flag = args[i];
    if (flag is "--offline" or "--no-build")
    {
        options[flag] = "true";
    }
    else if (flag is "--tag" or "--out" or "--only" or "--family" or "--configuration" or "--revision" or "--source" && i + 1 < args.Length)
    {
        options[flag] = args[++i];
    }
    else
    {
        Console.Error.WriteLine($"ct images: unknown option {flag}");
        return 2;
    }
}

var output = Path.GetFullPath(options.GetValueOrDefault("--out") ?? "artifacts/images");
var images = options.GetValueOrDefault("--only") is { } only
    ? only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ContainerImages.Named).ToList()
    : ContainerImages.All.ToList();
var offline = options.ContainsKey("--offline") || !await McrAnswersAsync();
var total = Stopwatch.StartNew();

BaseImageRegistry? registry = null;
try
{
    if (offline)
    {
        if (options.ContainsKey("--family"))
        {
            Console.WriteLine("--family is ignored offline: the stand-in base has one variant");
        }
        var baseWatch = Stopwatch.StartNew();
        var baseImage = await BaseImage.GetOrBuildAsync();
        registry = await BaseImageRegistry.StartAsync(baseImage);
        Console.WriteLine($"base   {registry.BaseImageReference}: mcr.microsoft.com is not used; aspnet:10.0 stand-in from this machine's files " +
            $"({new FileInfo(baseImage.LayerPath).Length / 1048576.0:0.0} MB, .NET {BaseImage.RuntimeVersion}, {baseWatch.Elapsed.TotalSeconds:0.0} s)");
    }
    var build = new ImageBuildOptions
    {
        OutputDirectory = output,
        Configuration = options.GetValueOrDefault("--configuration") ?? "Release",
        NoBuild = options.ContainsKey("--no-build"),
        Tag = options.GetValueOrDefault("--tag") ?? "latest",
        BaseImage = registry?.BaseImageReference,
        Family = offline ? null : options.GetValueOrDefault("--family"),
        InsecureRegistry = registry?.Host,
        Revision = options.GetValueOrDefault("--revision"),
        SourceUrl = options.GetValueOrDefault("--source"),
    };
    foreach (var image in images)
    {
        var published = await ImagePublisher.PublishAsync(image, build);
        Console.WriteLine($"image  {image.Repository + ":" + build.Tag,-40} {published.Size / 1048576.0,7:0.0} MB {published.Elapsed.TotalSeconds,6:0.0} s  {Path.GetRelativePath(Environment.CurrentDirectory, published.ArchivePath)}");
    }
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}
finally
{
    if (registry is not null)
    {
        await registry.DisposeAsync();
    }
}
Console.WriteLine($"{images.Count} images in {total.Elapsed.TotalSeconds:0} s ({output})");
return 0;

static async Task<bool> McrAnswersAsync()
{
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
    try
    {
        // The registry answers 401 without a token: any answer means it is reachable.
        using var response = await http.GetAsync("https://mcr.microsoft.com/v2/");
        return true;
    }
    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
    {
        Console.WriteLine("mcr.microsoft.com does not answer: building offline");
        return false;
    }
}
