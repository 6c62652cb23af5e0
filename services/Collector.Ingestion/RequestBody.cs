using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace ControlTower.Collector.Ingestion;

/// <summary>
/// The outcome of reading an ingestion body: the JSON bytes, or the problem to answer with.
/// <see cref="GzipLooksTruncated"/> is set when the gzip trailer's length disagrees with what inflated: a
/// truncated upload inflates to a prefix without any error, so a JSON error then is reported as the gzip fault.
/// </summary>
public sealed record BodyRead(ReadOnlyMemory<byte> Json, IResult? Problem, bool GzipLooksTruncated = false);

/// <summary>
/// Reads an ingestion request body within the configured limits: checks the content type, counts bytes
/// on the wire, and inflates gzip (by <c>Content-Encoding</c> or by its magic bytes, as S3 objects arrive)
/// with a cap on the inflated size.
/// </summary>
public static class RequestBody
{
    /// <summary>What a JSON door takes unless it says otherwise: JSON, and gzip files as S3 or a storage account serves them.</summary>
    public static readonly IReadOnlyCollection<string> JsonMediaTypes =
        ["application/json", "application/gzip", "application/x-gzip", "application/octet-stream"];

    public static Task<BodyRead> ReadJsonAsync(HttpRequest request, IngestionOptions options, CancellationToken cancellationToken) =>
        ReadJsonAsync(request, options, JsonMediaTypes, cancellationToken);

    public static async Task<BodyRead> ReadJsonAsync(
        HttpRequest request, IngestionOptions options, IReadOnlyCollection<string> mediaTypes, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaTypes.Contains(mediaType.MediaType.Value, StringComparer.OrdinalIgnoreCase))
        {
            return Fail(Problems.UnsupportedMediaType(request.ContentType, mediaTypes));
        }

        if (request.ContentLength > options.MaxRequestBytes)
        {
            return Fail(Problems.TooLarge("request body", options.MaxRequestBytes));
        }
        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            // Our own count below answers first, with a problem body, instead of Kestrel's bare 413.
            sizeFeature.MaxRequestBodySize = options.MaxRequestBytes + 1;
        }

        var wire = await request.Body.ReadAtMostAsync(options.MaxRequestBytes, cancellationToken);
        if (wire is null)
        {
            return Fail(Problems.TooLarge("request body", options.MaxRequestBytes));
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase)
            || (wire.Length >= 2 && wire[0] == 0x1f && wire[1] == 0x8b);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return Fail(Problems.UnsupportedEncoding(encoding));
        }
        if (!gzip)
        {
            return new BodyRead(JsonLines(mediaType) ? JsonLinesToArray(wire) : wire, null);
        }

        try
        {
            await using var inflating = new GZipStream(new MemoryStream(wire, writable: false), CompressionMode.Decompress);
            var json = await inflating.ReadAtMostAsync(options.MaxDecompressedBytes, cancellationToken);
            if (json is null)
            {
                return Fail(Problems.TooLarge("decompressed request body", options.MaxDecompressedBytes));
            }
            // ISIZE, the last four bytes of a gzip member, is the inflated length modulo 2^32.
            var trailerSize = wire.Length >= 18 ? BitConverter.ToUInt32(wire, wire.Length - 4) : uint.MaxValue;
            return new BodyRead(JsonLines(mediaType) ? JsonLinesToArray(json) : json, null, GzipLooksTruncated: trailerSize != (uint)json.Length);
        }
        catch (InvalidDataException ex)
        {
            return Fail(Problems.InvalidGzip(ex.Message));
        }
    }

    /// <summary>JSON Lines (one JSON value a line), as Azure storage accounts keep exported logs.</summary>
    public static readonly IReadOnlyCollection<string> JsonLinesMediaTypes = ["application/x-ndjson", "application/jsonl", "application/x-jsonlines"];

    private static bool JsonLines(MediaTypeHeaderValue mediaType) =>
        JsonLinesMediaTypes.Contains(mediaType.MediaType.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// JSON Lines as one JSON array of the non-blank lines, so a door reads them as it reads an array (record
    /// indexes count the non-blank lines). A line that is not one JSON value makes the array invalid JSON, which
    /// the parse then reports.
    /// </summary>
    public static byte[] JsonLinesToArray(ReadOnlySpan<byte> lines)
    {
        var output = new MemoryStream(lines.Length + 2);
        output.WriteByte((byte)'[');
        var first = true;
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf((byte)'\n');
            var line = (end < 0 ? lines : lines[..end]).Trim(" \t\r"u8);
            lines = end < 0 ? [] : lines[(end + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }
            if (!first)
            {
                output.WriteByte((byte)',');
            }
            output.Write(line);
            first = false;
        }
        output.WriteByte((byte)']');
        return output.ToArray();
    }

    private static BodyRead Fail(IResult problem) => new(ReadOnlyMemory<byte>.Empty, problem);
}
