using Amazon.S3;
using Amazon.S3.Model;

namespace ControlTower.Collector.Aws.Backfill;

/// <summary>One CloudTrail log file to backfill: its key (an S3 key, or a path relative to the folder) and how to read it.</summary>
public sealed record LogFile(string Key, Func<CancellationToken, Task<byte[]>> ReadAsync);

/// <summary>Where log files come from, listed in key order so that a run can resume after the last key it finished.</summary>
public interface ILogFileSource
{
    string Describe { get; }

    IAsyncEnumerable<LogFile> ListAsync(string? startAfter, CancellationToken cancellationToken);
}

/// <summary>A folder tree of <c>*.json</c> / <c>*.json.gz</c> files, as <c>aws s3 sync</c> leaves them.</summary>
public sealed class FolderSource(string root) : ILogFileSource
{
    public string Describe => $"folder {root}";

    public async IAsyncEnumerable<LogFile> ListAsync(string? startAfter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".json.gz", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(key => startAfter is null || string.CompareOrdinal(key, startAfter) > 0)
            .Order(StringComparer.Ordinal);
        foreach (var key in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new LogFile(key, ct => File.ReadAllBytesAsync(Path.Combine(root, key), ct));
        }
        await Task.CompletedTask;
    }
}

/// <summary>An S3 bucket prefix, listed page by page (ListObjectsV2 returns keys in order, so <c>StartAfter</c> resumes).</summary>
public sealed class S3Source(IAmazonS3 s3, string bucket, string prefix) : ILogFileSource
{
    public string Describe => $"s3://{bucket}/{prefix}";

    public async IAsyncEnumerable<LogFile> ListAsync(string? startAfter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, StartAfter = startAfter };
        do
        {
            var page = await s3.ListObjectsV2Async(request, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                if (item.Key.EndsWith(".json.gz", StringComparison.Ordinal) || item.Key.EndsWith(".json", StringComparison.Ordinal))
                {
                    var key = item.Key;
                    yield return new LogFile(key, ct => ReadAsync(key, ct));
                }
            }
            request.ContinuationToken = page.NextContinuationToken;
            request.StartAfter = null;
        }
        while (request.ContinuationToken is not null);
    }

    private async Task<byte[]> ReadAsync(string key, CancellationToken cancellationToken)
    {
        using var response = await s3.GetObjectAsync(bucket, key, cancellationToken);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
