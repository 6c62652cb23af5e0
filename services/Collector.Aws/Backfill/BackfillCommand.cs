using System.Security.Cryptography;
using System.Text;
using Amazon.S3;

namespace ControlTower.Collector.Aws.Backfill;

/// <summary>
/// <c>dotnet run --project services/Collector.Aws -- backfill --from &lt;folder | s3://bucket/prefix&gt; --key &lt;api key&gt;</c>:
/// pushes CloudTrail log files through the gateway, showing progress and resuming where a previous run stopped.
/// </summary>
public static class BackfillCommand
{
    public const string Usage = """
        usage: backfill --from <folder | s3://bucket/prefix> [--key <api key with ingest:aws>] [--gateway http://localhost:5100]
                        [--s3-service-url <url>] [--state <file>] [--parallel 4]
          --key defaults to $CONTROLTOWER_API_KEY. S3 credentials and region come from the usual AWS settings
          (environment, profile, instance role); --s3-service-url points at an S3-compatible store.
          Progress is saved to --state after every file (default: backfill-<source hash>.json); run again to resume.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var options = Parse(args, out var error);
        if (options is null)
        {
            await output.WriteLineAsync(error + Environment.NewLine + Usage);
            return 2;
        }

        ILogFileSource source;
        IDisposable? s3 = null;
        if (options.From.StartsWith("s3://", StringComparison.Ordinal))
        {
            var path = options.From["s3://".Length..];
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            var bucket = slash < 0 ? path : path[..slash];
            var prefix = slash < 0 ? "" : path[(slash + 1)..];
            var config = new AmazonS3Config();
            if (options.S3ServiceUrl is not null)
            {
                config.ServiceURL = options.S3ServiceUrl;
                config.ForcePathStyle = true;
            }
            var client = new AmazonS3Client(config);
            s3 = client;
            source = new S3Source(client, bucket, prefix);
        }
        else if (Directory.Exists(options.From))
        {
            source = new FolderSource(Path.GetFullPath(options.From));
        }
        else
        {
            await output.WriteLineAsync($"--from: {options.From} is neither an s3:// location nor a folder.");
            return 2;
        }

        using (s3)
        {
            using var http = new HttpClient { BaseAddress = new Uri(options.Gateway), Timeout = TimeSpan.FromMinutes(2) };
            var statePath = options.State ?? $"backfill-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source.Describe)))[..12]}.json";
            var state = BackfillState.Load(statePath, source.Describe);
            await output.WriteLineAsync($"backfill: {source.Describe} → {options.Gateway}, state in {statePath}"
                + (state.DoneThrough is null ? "" : $", resuming after {state.DoneThrough}"));
            var runner = new BackfillRunner(http, options.Key, output, TimeProvider.System) { Parallel = options.Parallel };
            try
            {
                await runner.RunAsync(source, state, statePath, cancellationToken);
                await output.WriteLineAsync($"backfill: done. {state.Files:N0} files, {state.Accepted:N0} events accepted.");
                return 0;
            }
            catch (BackfillStoppedException ex)
            {
                await output.WriteLineAsync("backfill: " + ex.Message);
                return 1;
            }
        }
    }

    internal sealed record Options(string From, string Key, string Gateway, string? S3ServiceUrl, string? State, int Parallel);

    internal static Options? Parse(string[] args, out string error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                error = $"unexpected argument '{args[i]}'";
                return null;
            }
            values[args[i][2..]] = args[++i];
        }
        var unknown = values.Keys.Except(["from", "key", "gateway", "s3-service-url", "state", "parallel"]).FirstOrDefault();
        if (unknown is not null)
        {
            error = $"unknown option --{unknown}";
            return null;
        }
        if (!values.TryGetValue("from", out var from))
        {
            error = "--from is required";
            return null;
        }
        var key = values.GetValueOrDefault("key") ?? Environment.GetEnvironmentVariable("CONTROLTOWER_API_KEY");
        if (string.IsNullOrEmpty(key))
        {
            error = "--key (or CONTROLTOWER_API_KEY) is required";
            return null;
        }
        var parallel = 4;
        if (values.TryGetValue("parallel", out var p) && (!int.TryParse(p, out parallel) || parallel is < 1 or > 64))
        {
            error = "--parallel must be a number from 1 to 64";
            return null;
        }
        error = "";
        return new Options(from, key, values.GetValueOrDefault("gateway") ?? "http://localhost:5100",
            values.GetValueOrDefault("s3-service-url"), values.GetValueOrDefault("state"), parallel);
    }
}
