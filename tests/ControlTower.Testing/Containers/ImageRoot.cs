using System.Diagnostics;
using System.Formats.Tar;
using System.Text;

namespace ControlTower.Testing.Containers;

/// <summary>
/// An image's file system unpacked into a host folder, and its entry point run there the way a container runtime would:
/// in its own mount namespace (<c>unshare -m</c>, so the /proc and /dev mounts vanish with it), chrooted, as the image's
/// user, in its working directory, with its environment. The host's network is shared, so the test reaches the app on
/// loopback. Needs root (chroot, mount).
/// </summary>
public sealed class ImageRoot : IDisposable
{
    private readonly List<(string Path, int Uid, int Gid)> owners = [];

    public ImageRoot(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public static ImageRoot Unpack(ImageArchive archive, string directory)
    {
        var root = new ImageRoot(directory);
        archive.ExtractTo(root);
        root.ApplyOwners();
        return root;
    }

    /// <summary>
    /// Writes one layer entry. Links are resolved inside the root as the image would see them (an absolute link target
    /// means the root's, not the host's), so no entry can write outside <see cref="Directory"/>.
    /// </summary>
    public void Apply(TarEntry entry, Stream? data)
    {
        var relative = entry.Name.TrimStart('.').Trim('/');
        if (relative.Length == 0 || relative.Split('/').Contains(".."))
        {
            return;
        }
        var name = Path.GetFileName(relative);
        var parent = Resolve(Path.GetDirectoryName(relative) ?? "");
        System.IO.Directory.CreateDirectory(parent);
        if (name == ".wh..wh..opq")
        {
            foreach (var child in new DirectoryInfo(parent).EnumerateFileSystemInfos())
            {
                Delete(child.FullName);
            }
            return;
        }
        if (name.StartsWith(".wh.", StringComparison.Ordinal))
        {
            Delete(Path.Combine(parent, name[4..]));
            return;
        }
        var target = Path.Combine(parent, name);
        var mode = entry.Mode & ~(UnixFileMode.SetUser | UnixFileMode.SetGroup);
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (!System.IO.Directory.Exists(target) || new FileInfo(target).LinkTarget is not null)
                {
                    Delete(target);
                    System.IO.Directory.CreateDirectory(target);
                }
                SetMode(target, mode);
                break;
            case TarEntryType.SymbolicLink:
                Delete(target);
                File.CreateSymbolicLink(target, entry.LinkName);
                return;
            case TarEntryType.HardLink:
                Delete(target);
                File.Copy(Resolve(entry.LinkName.TrimStart('.').Trim('/')), target);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                Delete(target);
                using (var file = File.Create(target))
                {
                    data?.CopyTo(file);
                }
                SetMode(target, mode);
                break;
            default:
                return; // devices and fifos: a runtime provides /dev
        }
        if (entry.Uid != 0 || entry.Gid != 0)
        {
            owners.Add((target, entry.Uid, entry.Gid));
        }
    }

    /// <summary>The host path of <paramref name="relative"/> with every link in it followed inside the root.</summary>
    private string Resolve(string relative, int depth = 0)
    {
        var current = Directory;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                current = current == Directory ? Directory : Path.GetDirectoryName(current)!;
                continue;
            }
            current = Path.Combine(current, part);
            if (new FileInfo(current).LinkTarget is { } link)
            {
                if (depth > 40)
                {
                    throw new InvalidDataException($"Too many links resolving {relative}.");
                }
                var within = link.StartsWith('/')
                    ? link
                    : Path.GetRelativePath(Directory, Path.GetDirectoryName(current)!) + "/" + link;
                current = Resolve(within, depth + 1);
            }
        }
        return current;
    }

    private static void Delete(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Exists)
        {
            info.Delete();
        }
        else if (System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private void ApplyOwners()
    {
        foreach (var (path, uid, gid) in owners)
        {
            Run("chown", "-h", $"{uid}:{gid}", path);
        }
    }

    /// <summary>
    /// Starts the image's entry point (Entrypoint + Cmd) as the image's user in its working directory, with the image's
    /// environment overlaid by <paramref name="environment"/> (a null value removes a variable).
    /// </summary>
    public ImageProcess Start(ImageArchive image, IReadOnlyDictionary<string, string?> environment)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var pair in image.Env)
        {
            var equals = pair.IndexOf('=');
            env[pair[..equals]] = pair[(equals + 1)..];
        }
        foreach (var (name, value) in environment)
        {
            env[name] = value;
        }
        var command = image.Entrypoint.Concat(image.Cmd).ToList();
        if (command.Count == 0)
        {
            throw new InvalidOperationException($"{image.Path} has no entry point.");
        }
        // What a runtime does: a bare command name is looked up on the image's PATH, inside the image.
        if (!command[0].Contains('/'))
        {
            var path = env.GetValueOrDefault("PATH") ?? "/usr/bin:/bin";
            command[0] = path.Split(':').Select(dir => dir.TrimEnd('/') + "/" + command[0])
                .FirstOrDefault(candidate => File.Exists(Resolve(candidate))) ?? command[0];
        }
        var (uid, gid) = UserOf(image.User);
        // The root comes in as the script's first argument, not through the environment, and the shell's own PWD goes:
        // the app sees exactly the image's environment and the overrides.
        var script = new StringBuilder()
            .Append("set -e; root=$1; shift; unset PWD; ")
            .Append("mount -t proc proc \"$root/proc\"; ")
            .Append("mount --rbind /dev \"$root/dev\"; ")
            .Append($"exec unshare --root=\"$root\" --wd={Quote(image.WorkingDir is { Length: > 0 } wd ? wd : "/")} --setgid={gid} --setuid={uid} -- \"$@\"")
            .ToString();
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "image-entrypoint", Directory }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Clear();
        foreach (var (name, value) in env)
        {
            if (value is not null)
            {
                start.Environment[name] = value;
            }
        }
        return new ImageProcess(Process.Start(start)!, this);
    }

    /// <summary>"1654", "1654:1654", or a name from the image's /etc/passwd.</summary>
    private (int Uid, int Gid) UserOf(string? user)
    {
        if (string.IsNullOrEmpty(user))
        {
            return (0, 0);
        }
        var parts = user.Split(':');
        int Lookup(string file, string name, int field) =>
            int.TryParse(name, out var id) ? id
            : File.ReadLines(Resolve(file)).Select(line => line.Split(':')).FirstOrDefault(fields => fields[0] == name) is { } found
                ? int.Parse(found[field], System.Globalization.CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"The image has no user or group {name} in {file}.");
        var uid = Lookup("etc/passwd", parts[0], 2);
        var gid = parts.Length > 1 ? Lookup("etc/group", parts[1], 2)
            : int.TryParse(parts[0], out _) ? uid : Lookup("etc/passwd", parts[0], 3);
        return (uid, gid);
    }

    internal bool HasMounts() =>
        File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ')[4] is var mountPoint
            && (mountPoint == Directory || mountPoint.StartsWith(Directory + "/", StringComparison.Ordinal)));

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    private static void Run(string fileName, params string[] arguments)
    {
        using var process = Process.Start(fileName, arguments);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {process.ExitCode}.");
        }
    }

    /// <summary>Deletes the folder, after making sure no mount is left in it (the namespace's die with its last process).</summary>
    public void Dispose()
    {
        if (HasMounts())
        {
            // Should not happen (the mounts live in the child's namespace); never delete through a mounted /proc or /dev.
            foreach (var sub in new[] { "dev", "proc" })
            {
                using var umount = Process.Start("umount", ["-R", "-l", Path.Combine(Directory, sub)]);
                umount.WaitForExit();
            }
            if (HasMounts())
            {
                throw new InvalidOperationException($"Mounts are left under {Directory}: not deleting it.");
            }
        }
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>An image's entry point running in an <see cref="ImageRoot"/>; its output is collected.</summary>
public sealed class ImageProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    internal ImageProcess(Process process, ImageRoot root)
    {
        this.process = process;
        Root = root;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public ImageRoot Root { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The entry point's process id on the host (the wrapper execs into it).</summary>
    public int ProcessId => process.Id;

    public int ExitCode => process.ExitCode;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        process.Dispose();
    }
}
