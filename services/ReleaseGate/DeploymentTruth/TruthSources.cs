using System.Text.Json;
using ControlTower.ReleaseGate.Evidence;

namespace ControlTower.ReleaseGate.DeploymentTruth;

/// <summary>
/// Where the service can ask a deployment what it runs: per service and environment, each replica's
/// <c>/version</c>-style URL (<c>ReleaseGate:Truth:Sources</c>).
/// </summary>
public sealed class TruthSourceOptions
{
    public const string Section = "ReleaseGate:Truth";

    public List<TruthSource> Sources { get; set; } = [];

    public TruthSource? For(string service, string environment) =>
        Sources.FirstOrDefault(s => string.Equals(s.Service, service, StringComparison.Ordinal) && string.Equals(s.Environment, environment, StringComparison.Ordinal));
}

public sealed class TruthSource
{
    public string Service { get; set; } = "";

    public string Environment { get; set; } = "";

    public List<TruthReplica> Replicas { get; set; } = [];
}

public sealed class TruthReplica
{
    public string Name { get; set; } = "";

    public Uri? Url { get; set; }
}

/// <summary>
/// Asks every replica of a deployment what it runs, all at once, once each (a gate wants a snapshot; the
/// pipeline can ask again), within <see cref="Timeout"/>. A replica that cannot be asked, or answers what cannot
/// be read, is an observation with its error: the deployment truth rule then says so, rather than the
/// replica silently not counting.
/// </summary>
public sealed class TruthGatherer : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    public const int MaxBytes = 64 * 1024;

    private readonly HttpClient client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    public Task<TruthObservation[]> GatherAsync(TruthSource source, string service, string environment, DateTimeOffset askedAt,
        CancellationToken cancellationToken) =>
        Task.WhenAll(source.Replicas.Select(replica => AskAsync(replica, service, environment, askedAt, cancellationToken)));

    private async Task<TruthObservation> AskAsync(TruthReplica replica, string service, string environment, DateTimeOffset askedAt,
        CancellationToken cancellationToken)
    {
        TruthObservation Observation(string? version = null, string? commit = null, string? digest = null, string? error = null) => new()
        {
            Id = "", Service = service, Environment = environment, CollectedAt = askedAt, Replica = replica.Name,
            Version = version, Commit = commit, ImageDigest = digest, Error = error,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await client.GetAsync(replica.Url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return Observation(error: $"{replica.Url} answered {(int)response.StatusCode}");
            }
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var bytes = await body.ReadAtMostAsync(MaxBytes, timeout.Token);
            if (bytes is null)
            {
                return Observation(error: $"{replica.Url} answered more than {MaxBytes} bytes");
            }
            return Read(bytes) is { } read ? Observation(read.Version, read.Commit, read.Digest)
                : Observation(error: $"{replica.Url} answered no version, commit or imageDigest as JSON");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Observation(error: ex is OperationCanceledException ? $"{replica.Url} did not answer within {Timeout.TotalSeconds:0} s" : $"{replica.Url}: {ex.Message}");
        }
    }

    /// <summary>
    /// Reads <c>{"version", "commit", "imageDigest"}</c>, or .NET's <c>informationalVersion</c> (<c>1.4.2+&lt;commit&gt;</c>);
    /// null when the answer says none of them.
    /// </summary>
    public static (string? Version, string? Commit, string? Digest)? Read(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            string? Text(string name) => document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            var version = Text("version");
            var commit = Text("commit");
            if (Text("informationalVersion") is { } informational)
            {
                var plus = informational.IndexOf('+', StringComparison.Ordinal);
                version ??= plus < 0 ? informational : informational[..plus];
                commit ??= plus < 0 ? null : informational[(plus + 1)..];
            }
            var digest = Text("imageDigest");
            return version is null && commit is null && digest is null
                ? null
                : (Clip(version), commit is not null && Apis.ReleasesApi.IsCommit(commit) ? commit.ToLowerInvariant() : null,
                    digest is not null && Apis.ReleasesApi.IsDigest(digest) ? digest.ToLowerInvariant() : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Clip(string? value) => value is { Length: > 128 } ? value[..128] : value;

    public void Dispose() => client.Dispose();
}
