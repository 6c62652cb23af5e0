using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ControlTower.Testing.Containers;

namespace ControlTower.Deployment.Tests.Images;

/// <summary>The archive checks on hand-made archives: they pass a good one and name every fault of a bad one.</summary>
public sealed class ImageChecksTests : IDisposable
{
    private static readonly ContainerImage Collector = ContainerImages.Named("collector-aws");

    private readonly string directory = Path.Combine(Path.GetTempPath(), "controltower-tests", "image-checks-" + Guid.NewGuid().ToString("N")[..12]);

    public ImageChecksTests() => Directory.CreateDirectory(directory);

    [Fact]
    public void WellFormedArchivePasses()
    {
        var archive = Write(GoodConfig(), new Dictionary<string, string>
        {
            ["app/ControlTower.Collector.Aws.dll"] = "MZ",
            ["app/appsettings.json"] = """{ "Logging": { "LogLevel": { "Default": "Information" } }, "ConnectionStrings": { "messaging": "" } }""",
        });

        Assert.Empty(ImageChecks.Problems(ImageArchive.Read(archive), Collector, expectAppSettings: true));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("root")]
    [InlineData("0:1654")]
    public void ArchiveRunningAsRootIsReported(string user)
    {
        var config = GoodConfig();
        config["config"]!["User"] = user;
        var archive = Write(config, new Dictionary<string, string> { ["app/ControlTower.Collector.Aws.dll"] = "MZ", ["app/appsettings.json"] = "{}" });

        var problem = Assert.Single(ImageChecks.Problems(ImageArchive.Read(archive), Collector, expectAppSettings: true));
        Assert.Contains("not the non-root 1654", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ArchiveWithTheWrongShapeAndSecretsIsReportedForEachFault()
    {
        var config = GoodConfig();
        config["config"]!["ExposedPorts"] = new JsonObject { ["80/tcp"] = new JsonObject() };
        config["config"]!["Env"] = new JsonArray("ASPNETCORE_HTTP_PORTS=80");
        config["config"]!["Entrypoint"] = new JsonArray("dotnet", "/app/ControlTower.Gateway.dll");
        config["config"]!["WorkingDir"] = "/";
        var archive = Write(config, new Dictionary<string, string>
        {
            ["app/appsettings.Development.json"] = """
                { "ConnectionStrings": { "messaging": "amqp://guest:guest@rabbit:5672/" },
                  "Authentication": { "Oidc": { "ClientSecret": "s3cr3t", "ClientId": "portal" } },
                  "Gateway": { "ApiKeys": { "Keys": [ { "Name": "ci", "Key": "ct_live_abc" } ] } },
                  "Db": "Host=db;Password=hunter2" }
                """,
            ["app/secrets.json"] = "{}",
            ["app/tls.pfx"] = "binary",
            ["app/signing.key"] = "-----BEGIN PRIVATE KEY-----",
            ["home/app/.microsoft/usersecrets/abc/secrets.json"] = "{}",
        });

        var problems = ImageChecks.Problems(ImageArchive.Read(archive), Collector, expectAppSettings: true);

        Assert.Contains(problems, p => p.Contains("not 8080/tcp", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("ASPNETCORE_HTTP_PORTS=80,", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("not [dotnet /app/ControlTower.Collector.Aws.dll]", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("not /app", StringComparison.Ordinal));
        Assert.Contains("has no /app/ControlTower.Collector.Aws.dll", problems);
        Assert.Contains("has no /app/appsettings.json", problems);
        Assert.Contains("holds a secret or key file: /app/secrets.json", problems);
        Assert.Contains("holds a secret or key file: /app/tls.pfx", problems);
        Assert.Contains("holds a secret or key file: /app/signing.key", problems);
        Assert.Contains("holds user secrets: /home/app/.microsoft/usersecrets/abc/secrets.json", problems);
        foreach (var path in new[] { "ConnectionStrings:messaging", "Authentication:Oidc:ClientSecret", "Gateway:ApiKeys:Keys:0:Key", "Db" })
        {
            Assert.Contains($"/app/appsettings.Development.json sets a secret-looking value at {path}", problems);
        }
        Assert.DoesNotContain(problems, p => p.EndsWith("ClientId", StringComparison.Ordinal) || p.EndsWith(":Name", StringComparison.Ordinal));
    }

    [Fact]
    public void OciLayoutArchiveIsReadLikeADockerOne()
    {
        var archive = Write(GoodConfig(), new Dictionary<string, string> { ["app/ControlTower.Collector.Aws.dll"] = "MZ", ["app/appsettings.json"] = "{}" }, oci: true);

        var read = ImageArchive.Read(archive);

        Assert.Empty(ImageChecks.Problems(read, Collector, expectAppSettings: true));
        Assert.Equal("MZ", read.ReadText("/app/ControlTower.Collector.Aws.dll"));
        Assert.Contains("controltower/collector-aws:test", read.Tags);
    }

    private static JsonObject GoodConfig() => new()
    {
        ["architecture"] = "amd64",
        ["os"] = "linux",
        ["config"] = new JsonObject
        {
            ["User"] = "1654",
            ["ExposedPorts"] = new JsonObject { ["8080/tcp"] = new JsonObject() },
            ["Env"] = new JsonArray("PATH=/usr/bin:/bin", "APP_UID=1654", "ASPNETCORE_HTTP_PORTS=8080"),
            ["Entrypoint"] = new JsonArray("dotnet", "/app/ControlTower.Collector.Aws.dll"),
            ["WorkingDir"] = "/app/",
        },
    };

    /// <summary>A one-layer archive in the `docker save` layout the SDK writes, or an OCI image layout.</summary>
    private string Write(JsonObject config, Dictionary<string, string> files, bool oci = false)
    {
        var layer = new MemoryStream();
        using (var writer = new TarWriter(layer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
            }
        }
        var layerBytes = layer.ToArray();
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var path = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".tar");
        using var file = File.Create(path);
        using var archive = new TarWriter(file, TarEntryFormat.Pax);
        void Add(string name, byte[] content) =>
            archive.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
        static string Hex(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

        if (!oci)
        {
            Add("config.json", configBytes);
            Add("layer/layer.tar", layerBytes);
            Add("manifest.json", Encoding.UTF8.GetBytes(
                """[{"Config":"config.json","RepoTags":["controltower/collector-aws:test"],"Layers":["layer/layer.tar"]}]"""));
            return path;
        }
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = "sha256:" + Hex(configBytes), ["size"] = configBytes.Length },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar", ["digest"] = "sha256:" + Hex(layerBytes), ["size"] = layerBytes.Length }),
        }.ToJsonString());
        Add("oci-layout", Encoding.UTF8.GetBytes("""{"imageLayoutVersion":"1.0.0"}"""));
        Add("blobs/sha256/" + Hex(configBytes), configBytes);
        Add("blobs/sha256/" + Hex(layerBytes), layerBytes);
        Add("blobs/sha256/" + Hex(manifest), manifest);
        Add("index.json", Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = "sha256:" + Hex(manifest),
                ["size"] = manifest.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "controltower/collector-aws:test" },
            }),
        }.ToJsonString()));
        return path;
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
