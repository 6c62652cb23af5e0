using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;

namespace ControlTower.Testing.Containers;

/// <summary>One file, folder or link in an image layer, path without the leading slash.</summary>
public sealed record LayerEntry(string Path, TarEntryType Type, long Length, UnixFileMode Mode, int Uid, string LinkName);

/// <summary>
/// An image archive as the SDK (or `docker save`) writes it, read without a container engine: the `docker save` layout
/// (manifest.json naming the config and the layer tars) or an OCI layout (index.json, blobs/sha256/...), each plain or gzipped.
/// </summary>
public sealed class ImageArchive
{
    private readonly List<string> layerNames;

    private ImageArchive(string path, JsonObject config, List<string> layerNames, IReadOnlyList<string> tags)
    {
        Path = path;
        Config = config;
        this.layerNames = layerNames;
        Tags = tags;
        var run = config["config"] as JsonObject ?? [];
        User = run["User"]?.GetValue<string>();
        WorkingDir = run["WorkingDir"]?.GetValue<string>();
        Entrypoint = Strings(run["Entrypoint"]);
        Cmd = Strings(run["Cmd"]);
        Env = Strings(run["Env"]);
        ExposedPorts = (run["ExposedPorts"] as JsonObject)?.Select(port => port.Key).ToList() ?? [];
        Labels = (run["Labels"] as JsonObject)?.ToDictionary(label => label.Key, label => label.Value?.GetValue<string>() ?? "") ?? [];
    }

    public string Path { get; }

    /// <summary>The whole image configuration (architecture, os, config, rootfs, history).</summary>
    public JsonObject Config { get; }

    public IReadOnlyList<string> Tags { get; }

    public string? User { get; }

    public string? WorkingDir { get; }

    public IReadOnlyList<string> Entrypoint { get; }

    public IReadOnlyList<string> Cmd { get; }

    /// <summary>NAME=value</summary>
    public IReadOnlyList<string> Env { get; }

    /// <summary>"8080/tcp"</summary>
    public IReadOnlyList<string> ExposedPorts { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    public int LayerCount => layerNames.Count;

    public string? EnvValue(string name) =>
        Env.Where(pair => pair.StartsWith(name + "=", StringComparison.Ordinal)).Select(pair => pair[(name.Length + 1)..]).LastOrDefault();

    public static ImageArchive Read(string path)
    {
        var json = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        ForEachEntry(path, (entry, data) =>
        {
            if (entry.Name.EndsWith(".json", StringComparison.Ordinal) || entry.Name.StartsWith("blobs/", StringComparison.Ordinal) && entry.Length < 1 << 20)
            {
                try
                {
                    json[entry.Name] = JsonNode.Parse(data)!;
                }
                catch (System.Text.Json.JsonException)
                {
                    // a small blob that is a layer, not a document
                }
            }
            return true;
        });
        if (json.TryGetValue("manifest.json", out var docker))
        {
            var image = docker.AsArray()[0]!;
            return new ImageArchive(path, json[image["Config"]!.GetValue<string>()].AsObject(),
                image["Layers"]!.AsArray().Select(layer => layer!.GetValue<string>()).ToList(),
                image["RepoTags"]?.AsArray().Select(tag => tag!.GetValue<string>()).ToList() ?? []);
        }
        if (json.TryGetValue("index.json", out var index))
        {
            static string Blob(JsonNode descriptor) => "blobs/" + descriptor["digest"]!.GetValue<string>().Replace(':', '/');
            var manifest = json[Blob(index["manifests"]![0]!)];
            if (manifest["manifests"] is JsonArray nested)
            {
                manifest = json[Blob(nested[0]!)];
            }
            var tags = index["manifests"]!.AsArray()
                .Select(descriptor => descriptor!["annotations"]?["org.opencontainers.image.ref.name"]?.GetValue<string>())
                .OfType<string>().ToList();
            return new ImageArchive(path, json[Blob(manifest["config"]!)].AsObject(),
                manifest["layers"]!.AsArray().Select(layer => Blob(layer!)).ToList(), tags);
        }
        throw new InvalidDataException($"{path} has neither manifest.json nor index.json: not an image archive.");
    }

    /// <summary>Every entry of layer <paramref name="index"/> (0 = the base image's first).</summary>
    public IReadOnlyList<LayerEntry> LayerEntries(int index)
    {
        var entries = new List<LayerEntry>();
        ForEachLayerEntry(index, (entry, _) =>
        {
            entries.Add(new LayerEntry(Normalise(entry.Name), entry.EntryType, entry.Length, entry.Mode, entry.Uid, entry.LinkName ?? ""));
            return true;
        });
        return entries;
    }

    /// <summary>The text of a file as the finished image has it (the topmost layer that holds it wins), or null.</summary>
    public string? ReadText(string path)
    {
        path = Normalise(path);
        string? text = null;
        for (var layer = 0; layer < layerNames.Count; layer++)
        {
            ForEachLayerEntry(layer, (entry, data) =>
            {
                if (Normalise(entry.Name) != path || data is null)
                {
                    return true;
                }
                using var reader = new StreamReader(data, leaveOpen: true);
                text = reader.ReadToEnd();
                return false;
            });
        }
        return text;
    }

    /// <summary>Applies every layer, bottom up, into <paramref name="root"/> (see <see cref="ImageRoot"/>).</summary>
    public void ExtractTo(ImageRoot root)
    {
        for (var layer = 0; layer < layerNames.Count; layer++)
        {
            ForEachLayerEntry(layer, (entry, data) =>
            {
                root.Apply(entry, data);
                return true;
            });
        }
    }

    private void ForEachLayerEntry(int index, Func<TarEntry, Stream?, bool> visit)
    {
        var name = layerNames[index];
        ForEachEntry(Path, (outer, data) =>
        {
            if (outer.Name != name || data is null)
            {
                return true;
            }
            using var layer = Decompressed(data);
            using var reader = new TarReader(layer);
            while (reader.GetNextEntry() is { } entry)
            {
                if (!visit(entry, entry.DataStream))
                {
                    break;
                }
            }
            return false;
        });
    }

    private static void ForEachEntry(string archive, Func<TarEntry, Stream, bool> visit)
    {
        using var file = File.OpenRead(archive);
        using var stream = Decompressed(file);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is { } data && !visit(entry, data))
            {
                return;
            }
        }
    }

    /// <summary>A gzip stream by its magic bytes, else the stream itself (buffered, as a tar reader may not seek).</summary>
    private static Stream Decompressed(Stream stream)
    {
        var buffered = new BufferedStream(stream, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        var isGzip = buffered.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        // BufferedStream cannot un-read: put the two bytes back in front.
        var rest = new PrefixedStream(magic.ToArray(), buffered);
        return isGzip ? new GZipStream(rest, CompressionMode.Decompress) : rest;
    }

    private static string Normalise(string path) => path.TrimStart('.').TrimStart('/').TrimEnd('/');

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(item => item!.GetValue<string>()).ToList() : [];

    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (position < prefix.Length)
            {
                var n = Math.Min(count, prefix.Length - position);
                Array.Copy(prefix, position, buffer, offset, n);
                position += n;
                return n;
            }
            return inner.Read(buffer, offset, count);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
