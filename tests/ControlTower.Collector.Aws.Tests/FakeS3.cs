using System.Net;
using System.Security;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ControlTower.Collector.Aws.Tests;

/// <summary>
/// Just enough of S3's REST API (path-style ListObjectsV2 and GetObject) on loopback for the real AWS SDK
/// client to list and read a bucket, two keys a page so that continuation is exercised.
/// </summary>
public sealed class FakeS3 : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeS3(WebApplication app) => this.app = app;

    public string ServiceUrl => app.Urls.Single();

    public SortedDictionary<string, byte[]> Objects { get; } = new(StringComparer.Ordinal);

    public static async Task<FakeS3> StartAsync(string bucket)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var s3 = new FakeS3(app);
        app.MapGet($"/{bucket}", (HttpContext context) =>
        {
            var query = context.Request.Query;
            var prefix = query["prefix"].ToString();
            var after = query["continuation-token"].FirstOrDefault() ?? query["start-after"].FirstOrDefault() ?? "";
            var keys = s3.Objects.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && string.CompareOrdinal(k, after) > 0).ToList();
            var page = keys.Take(2).ToList();
            var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
            xml.Append($"<Name>{bucket}</Name><Prefix>{SecurityElement.Escape(prefix)}</Prefix><KeyCount>{page.Count}</KeyCount><MaxKeys>2</MaxKeys>");
            xml.Append($"<IsTruncated>{(keys.Count > 2 ? "true" : "false")}</IsTruncated>");
            if (keys.Count > 2)
            {
                xml.Append($"<NextContinuationToken>{SecurityElement.Escape(page[^1])}</NextContinuationToken>");
            }
            foreach (var key in page)
            {
                xml.Append($"<Contents><Key>{SecurityElement.Escape(key)}</Key><LastModified>2026-11-28T00:00:00.000Z</LastModified><ETag>\"x\"</ETag><Size>{s3.Objects[key].Length}</Size><StorageClass>STANDARD</StorageClass></Contents>");
            }
            xml.Append("</ListBucketResult>");
            return Results.Text(xml.ToString(), "application/xml");
        });
        app.MapGet($"/{bucket}/{{**key}}", (string key) =>
            s3.Objects.TryGetValue(key, out var bytes) ? Results.Bytes(bytes, "application/octet-stream") : Results.NotFound());
        await app.StartAsync();
        return s3;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
