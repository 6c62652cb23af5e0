using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ControlTower.Testing.Containers;

/// <summary>
/// A stand-in for mcr.microsoft.com/dotnet/aspnet:10.0 made from this machine's own files, for building images where mcr
/// cannot be reached: one layer with the Debian packages the .NET runtime loads, the installed .NET and ASP.NET Core
/// runtimes (the version running this code, which is the SDK's), an "app" user (uid 1654) and the mcr image's
/// configuration (APP_UID, ASPNETCORE_HTTP_PORTS=8080, DOTNET_RUNNING_IN_CONTAINER, PATH, User 1654).
/// Built once per runtime version into a cache folder; later runs only read it.
/// </summary>
public sealed class BaseImage
{
    public const string ManifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";
    public const string ConfigMediaType = "application/vnd.docker.container.image.v1+json";
    public const string LayerMediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const int AppUid = 1654;

    /// <summary>
    /// What the runtime needs from the OS, as in the mcr image's Dockerfile: the C and C++ runtimes, OpenSSL and ICU (both
    /// loaded with dlopen), CA certificates and time zones. Not zlib: .NET 9 and later link zlib-ng into their own
    /// System.IO.Compression.Native, and the .NET 10 mcr images dropped the package.
    /// </summary>
    public static readonly IReadOnlyList<string> DebianPackages =
        ["libc6", "libgcc-s1", "libstdc++6", "libssl3", "libicu72", "ca-certificates", "tzdata"];

    /// <summary>
    /// The same packages as this machine names them: OpenSSL and ICU carry their version (or Ubuntu 24.04's t64 suffix) in
    /// the package name, so <c>libssl3*</c> and <c>libicu[0-9]*</c> are matched against what is installed. Debian 12 gives
    /// <see cref="DebianPackages"/> exactly; an Ubuntu CI runner gives libssl3t64 and libicu74.
    /// </summary>
    private static async Task<IReadOnlyList<string>> InstalledPackagesAsync(CancellationToken cancellationToken)
    {
        var patterns = DebianPackages.Select(p => p switch { "libssl3" => "libssl3*", "libicu72" => "libicu[0-9]*", _ => p });
        var listing = await RunAsync("dpkg-query", ["-W", "-f", "${db:Status-Abbrev} ${Package}\n", .. patterns], cancellationToken);
        var installed = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith("ii ", StringComparison.Ordinal))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].Split(':')[0])
            .Where(name => !name.EndsWith("-dev", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var (needed, prefix) in new[] { ("OpenSSL 3", "libssl3"), ("ICU", "libicu") })
        {
            if (!installed.Any(name => name.StartsWith(prefix, StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"{needed} is not installed ({prefix}…): the base image needs it, as the .NET runtime loads it.");
            }
        }
        return installed;
    }

    private const int CacheFormat = 1;

    private BaseImage(string directory, byte[] manifest, byte[] config, string layerDigest)
    {
        Directory = directory;
        Manifest = manifest;
        Config = config;
        LayerDigest = layerDigest;
        ManifestDigest = Digest(manifest);
        ConfigDigest = Digest(config);
    }

    public string Directory { get; }

    public byte[] Manifest { get; }

    public string ManifestDigest { get; }

    public byte[] Config { get; }

    public string ConfigDigest { get; }

    public string LayerDigest { get; }

    public string LayerPath => Path.Combine(Directory, "layer.tar.gz");

    public static string RuntimeVersion => Environment.Version.ToString();

    public static string DefaultCacheRoot =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache
            ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "controltower", "base-images");

    /// <summary>The cached image for the running runtime, built first if there is none.</summary>
    public static async Task<BaseImage> GetOrBuildAsync(string? cacheRoot = null, CancellationToken cancellationToken = default)
    {
        var directory = Path.Combine(cacheRoot ?? DefaultCacheRoot, $"aspnet-{RuntimeVersion}-v{CacheFormat}");
        if (TryLoad(directory) is { } cached)
        {
            return cached;
        }
        var building = directory + ".building-" + Guid.NewGuid().ToString("N")[..8];
        System.IO.Directory.CreateDirectory(building);
        try
        {
            await BuildAsync(building, cancellationToken);
            try
            {
                System.IO.Directory.Move(building, directory);
            }
            catch (IOException) when (TryLoad(directory) is not null)
            {
                // Another process built the same image first: theirs is as good.
            }
        }
        finally
        {
            if (System.IO.Directory.Exists(building))
            {
                System.IO.Directory.Delete(building, recursive: true);
            }
        }
        return TryLoad(directory) ?? throw new InvalidOperationException($"The base image in {directory} is incomplete.");
    }

    private static BaseImage? TryLoad(string directory)
    {
        var manifestPath = Path.Combine(directory, "manifest.json");
        var configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(manifestPath) || !File.Exists(configPath) || !File.Exists(Path.Combine(directory, "layer.tar.gz")))
        {
            return null;
        }
        var manifest = File.ReadAllBytes(manifestPath);
        var layerDigest = JsonNode.Parse(manifest)!["layers"]![0]!["digest"]!.GetValue<string>();
        return new BaseImage(directory, manifest, File.ReadAllBytes(configPath), layerDigest);
    }

    private static async Task BuildAsync(string directory, CancellationToken cancellationToken)
    {
        var tarPath = Path.Combine(directory, "layer.tar");
        var files = await RootFileSystemAsync(cancellationToken);
        await using (var tar = File.Create(tarPath))
        {
            await WriteLayerAsync(tar, files, cancellationToken);
        }
        string diffId;
        await using (var tar = File.OpenRead(tarPath))
        {
            diffId = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(tar, cancellationToken));
        }
        var layerPath = Path.Combine(directory, "layer.tar.gz");
        await using (var tar = File.OpenRead(tarPath))
        await using (var gz = new GZipStream(File.Create(layerPath), CompressionLevel.Fastest))
        {
            await tar.CopyToAsync(gz, cancellationToken);
        }
        File.Delete(tarPath);
        string layerDigest;
        await using (var layer = File.OpenRead(layerPath))
        {
            layerDigest = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(layer, cancellationToken));
        }

        var config = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["User"] = AppUid.ToString(),
                ["Env"] = new JsonArray(
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    $"APP_UID={AppUid}",
                    "ASPNETCORE_HTTP_PORTS=8080",
                    "DOTNET_RUNNING_IN_CONTAINER=true",
                    $"DOTNET_VERSION={RuntimeVersion}",
                    $"ASPNET_VERSION={RuntimeVersion}"),
                ["WorkingDir"] = "/",
                ["Labels"] = new JsonObject { ["org.opencontainers.image.description"] = "aspnet:10.0 stand-in built from the host's Debian packages (ControlTower.Testing)" },
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
            ["history"] = new JsonArray(new JsonObject { ["created_by"] = "ControlTower.Testing.Containers.BaseImage: " + string.Join(' ', DebianPackages) + " + .NET " + RuntimeVersion }),
        });
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestMediaType,
            ["config"] = new JsonObject { ["mediaType"] = ConfigMediaType, ["size"] = config.Length, ["digest"] = Digest(config) },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = LayerMediaType, ["size"] = new FileInfo(layerPath).Length, ["digest"] = layerDigest }),
        });
        await File.WriteAllBytesAsync(Path.Combine(directory, "config.json"), config, cancellationToken);
        // Written last: its presence says the image is complete.
        await File.WriteAllBytesAsync(Path.Combine(directory, "manifest.json"), manifest, cancellationToken);
    }

    public static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Host paths to copy, keyed by their path in the image (without the leading slash), in order.</summary>
    private static async Task<SortedDictionary<string, string>> RootFileSystemAsync(CancellationToken cancellationToken)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var listing = await RunAsync("dpkg", ["-L", .. await InstalledPackagesAsync(cancellationToken)], cancellationToken);
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line is "/." || !line.StartsWith('/'))
            {
                continue;
            }
            AddHostPath(files, line);
        }
        // Made by update-ca-certificates, so in no package's list.
        AddTree(files, "/etc/ssl/certs");

        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/');
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var aspNetCore = Path.Combine(dotnetRoot, "shared", "Microsoft.AspNetCore.App", RuntimeVersion);
        if (!System.IO.Directory.Exists(aspNetCore))
        {
            throw new InvalidOperationException($"ASP.NET Core {RuntimeVersion} is not installed in {dotnetRoot}: the base image needs the runtime pair the SDK runs on.");
        }
        foreach (var path in new[] { "dotnet", "LICENSE.txt", "ThirdPartyNotices.txt" })
        {
            if (File.Exists(Path.Combine(dotnetRoot, path)))
            {
                files["usr/share/dotnet/" + path] = Path.Combine(dotnetRoot, path);
            }
        }
        AddTree(files, Path.Combine(dotnetRoot, "host", "fxr"), "usr/share/dotnet/host/fxr");
        AddTree(files, runtimeDirectory, "usr/share/dotnet/shared/Microsoft.NETCore.App/" + RuntimeVersion);
        AddTree(files, aspNetCore, "usr/share/dotnet/shared/Microsoft.AspNetCore.App/" + RuntimeVersion);
        return files;
    }

    /// <summary>
    /// A packaged path at the place it really has on disk: Debian 12 is merged-/usr, so a package's /lib/x86_64-linux-gnu/libc.so.6
    /// is /usr/lib/x86_64-linux-gnu/libc.so.6, and /lib itself is a symbolic link the layer keeps as one.
    /// </summary>
    private static void AddHostPath(SortedDictionary<string, string> files, string hostPath)
    {
        var info = new FileInfo(hostPath);
        if (!info.Exists && !System.IO.Directory.Exists(hostPath) && info.LinkTarget is null)
        {
            return; // excluded at install (docs, man pages)
        }
        var parent = Path.GetDirectoryName(hostPath)!;
        var imagePath = Path.Combine(RealPath(parent), info.Name).TrimStart('/');
        files.TryAdd(imagePath, hostPath);
    }

    private static string RealPath(string path)
    {
        // Resolves links in every component (ResolveLinkTarget only looks at the last one).
        var full = "/";
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            full = Path.Combine(full, part);
            while (new DirectoryInfo(full).LinkTarget is { } target)
            {
                full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, target));
            }
        }
        return full;
    }

    private static void AddTree(SortedDictionary<string, string> files, string hostDirectory, string? imageDirectory = null)
    {
        imageDirectory ??= hostDirectory.TrimStart('/');
        files.TryAdd(imageDirectory, hostDirectory);
        foreach (var entry in new DirectoryInfo(hostDirectory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            files.TryAdd(imageDirectory + "/" + Path.GetRelativePath(hostDirectory, entry.FullName), entry.FullName);
        }
    }

    private static async Task WriteLayerAsync(Stream output, SortedDictionary<string, string> files, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("A Linux base image is made on Linux.");
        }
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        var written = new HashSet<string>(StringComparer.Ordinal);
        const UnixFileMode Directory755 = (UnixFileMode)0b111_101_101;

        async Task Directory(string path, UnixFileMode mode, int uid = 0)
        {
            if (written.Add(path))
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, path + "/") { Mode = mode, Uid = uid, Gid = uid }, cancellationToken);
            }
        }

        async Task Parents(string path)
        {
            var slash = path.LastIndexOf('/');
            if (slash > 0 && !written.Contains(path[..slash]))
            {
                await Parents(path[..slash]);
                await Directory(path[..slash], Directory755);
            }
        }

        async Task Text(string path, string content)
        {
            await Parents(path);
            var bytes = System.Text.Encoding.UTF8.GetBytes(content);
            written.Add(path);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, path)
            {
                Mode = (UnixFileMode)0b110_100_100,
                DataStream = new MemoryStream(bytes),
            }, cancellationToken);
        }

        async Task Link(string path, string target)
        {
            await Parents(path);
            written.Add(path);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, path) { LinkName = target, Mode = (UnixFileMode)0b111_111_111 }, cancellationToken);
        }

        // The merged-/usr links come before anything that would otherwise make /lib a directory.
        foreach (var (link, target) in new[] { ("bin", "usr/bin"), ("lib", "usr/lib"), ("lib64", "usr/lib64"), ("sbin", "usr/sbin") })
        {
            await Link(link, target);
        }
        await Directory("tmp", (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
        await Directory("root", (UnixFileMode)0b111_000_000);
        await Directory("home", Directory755);
        await Directory("home/app", (UnixFileMode)0b111_101_000, AppUid);
        foreach (var mountPoint in new[] { "proc", "sys", "dev", "etc" })
        {
            await Directory(mountPoint, Directory755);
        }
        await Text("etc/passwd", $"root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:{AppUid}:{AppUid}::/home/app:/usr/sbin/nologin\n");
        await Text("etc/group", $"root:x:0:\napp:x:{AppUid}:\n");
        await Text("etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n");
        await Text("etc/hosts", "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n");

        foreach (var (imagePath, hostPath) in files)
        {
            if (written.Contains(imagePath))
            {
                continue;
            }
            await Parents(imagePath);
            written.Add(imagePath);
            var info = new FileInfo(hostPath);
            if (info.LinkTarget is { } target)
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, imagePath) { LinkName = target, Mode = (UnixFileMode)0b111_111_111 }, cancellationToken);
            }
            else if (System.IO.Directory.Exists(hostPath))
            {
                written.Remove(imagePath);
                await Directory(imagePath, File.GetUnixFileMode(hostPath));
            }
            else
            {
                await using var content = File.OpenRead(hostPath);
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, imagePath)
                {
                    Mode = File.GetUnixFileMode(hostPath),
                    ModificationTime = info.LastWriteTimeUtc,
                    DataStream = content,
                }, cancellationToken);
            }
        }
        await Link("usr/bin/dotnet", "../share/dotnet/dotnet");
    }

    internal static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{fileName} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {await error}");
    }
}
