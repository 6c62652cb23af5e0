using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ControlTower.Testing.Containers;

namespace ControlTower.Deployment.Tests.Images;

/// <summary>The offline stand-in for aspnet:10.0 and the loopback registry the SDK pulls it from.</summary>
public sealed class BaseImageTests
{
    [Fact]
    public async Task BaseLayerHoldsTheRuntimeItsLibrariesAndTheAppUser()
    {
        var image = await BaseImage.GetOrBuildAsync(cancellationToken: TestContext.Current.CancellationToken);
        var entries = new Dictionary<string, TarEntry>(StringComparer.Ordinal);
        var passwd = "";
        await using (var layer = new GZipStream(File.OpenRead(image.LayerPath), CompressionMode.Decompress))
        await using (var reader = new TarReader(layer))
        {
            while (await reader.GetNextEntryAsync(cancellationToken: TestContext.Current.CancellationToken) is { } entry)
            {
                var name = entry.Name.TrimEnd('/');
                entries[name] = entry;
                if (name == "etc/passwd")
                {
                    passwd = await new StreamReader(entry.DataStream!).ReadToEndAsync(TestContext.Current.CancellationToken);
                }
            }
        }
        var runtime = BaseImage.RuntimeVersion;

        Assert.All(new[]
        {
            "usr/share/dotnet/dotnet", "usr/bin/dotnet",
            $"usr/share/dotnet/shared/Microsoft.NETCore.App/{runtime}/libcoreclr.so",
            $"usr/share/dotnet/shared/Microsoft.AspNetCore.App/{runtime}/Microsoft.AspNetCore.dll",
            "usr/lib/x86_64-linux-gnu/libc.so.6", "usr/lib/x86_64-linux-gnu/libstdc++.so.6", "usr/lib/x86_64-linux-gnu/libssl.so.3",
            "usr/lib/x86_64-linux-gnu/libicuuc.so.72", "etc/ssl/certs/ca-certificates.crt", "usr/share/zoneinfo/Europe/Berlin",
        }, path => Assert.True(entries.ContainsKey(path), $"the base layer has no /{path}"));
        Assert.Equal(TarEntryType.SymbolicLink, entries["lib"].EntryType);
        Assert.Equal("usr/lib", entries["lib"].LinkName);
        Assert.Contains("app:x:1654:1654:", passwd, StringComparison.Ordinal);
        Assert.Equal(1654, entries["home/app"].Uid);
        Assert.True(entries["tmp"].Mode.HasFlag(UnixFileMode.StickyBit | UnixFileMode.OtherWrite));
        var config = JsonNode.Parse(image.Config)!["config"]!;
        Assert.Equal("1654", config["User"]!.GetValue<string>());
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", config["Env"]!.AsArray().Select(env => env!.GetValue<string>()));
        Assert.Contains("APP_UID=1654", config["Env"]!.AsArray().Select(env => env!.GetValue<string>()));
    }

    [Fact]
    public async Task RegistryServesManifestsAndBlobsByTheirDigests()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var image = await BaseImage.GetOrBuildAsync(cancellationToken: cancellationToken);
        await using var registry = await BaseImageRegistry.StartAsync(image, cancellationToken);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{registry.Host}/v2/"), Timeout = TimeSpan.FromSeconds(30) };

        using var root = await http.GetAsync("", cancellationToken);
        using var byTag = await http.GetAsync("dotnet/aspnet/manifests/10.0", cancellationToken);
        var manifest = await byTag.Content.ReadAsByteArrayAsync(cancellationToken);
        using var byDigest = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"dotnet/aspnet/manifests/{Digest(manifest)}"), cancellationToken);
        var config = await http.GetByteArrayAsync($"dotnet/aspnet/blobs/{image.ConfigDigest}", cancellationToken);
        var layer = await http.GetByteArrayAsync($"dotnet/aspnet/blobs/{image.LayerDigest}", cancellationToken);
        using var unknownTag = await http.GetAsync("dotnet/aspnet/manifests/9.0", cancellationToken);
        using var unknownBlob = await http.GetAsync($"dotnet/aspnet/blobs/sha256:{new string('0', 64)}", cancellationToken);

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byTag.StatusCode);
        Assert.Equal(BaseImage.ManifestMediaType, byTag.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Digest(manifest), byTag.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
        Assert.Equal(manifest.Length, byDigest.Content.Headers.ContentLength);
        var layers = JsonNode.Parse(manifest)!;
        Assert.Equal(layers["config"]!["digest"]!.GetValue<string>(), Digest(config));
        Assert.Equal(layers["layers"]![0]!["digest"]!.GetValue<string>(), Digest(layer));
        Assert.Equal(HttpStatusCode.NotFound, unknownTag.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownBlob.StatusCode);
    }

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}
