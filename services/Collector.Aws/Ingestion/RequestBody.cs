using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace ControlTower.Collector.Aws.Ingestion;

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
    private static readonly string[] AcceptedMediaTypes =
        ["application/json", "application/gzip", "application/x-gzip", "application/octet-stream"];

    public static async Task<BodyRead> ReadJsonAsync(HttpRequest request, IngestionOptions options, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !AcceptedMediaTypes.Contains(mediaType.MediaType.Value, StringComparer.OrdinalIgnoreCase))
        {
            return Fail(Problems.UnsupportedMediaType(request.ContentType, AcceptedMediaTypes));
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
            return new BodyRead(wire, null);
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
            return new BodyRead(json, null, GzipLooksTruncated: trailerSize != (uint)json.Length);
        }
        catch (InvalidDataException ex)
        {
            return Fail(Problems.InvalidGzip(ex.Message));
        }
    }

    private static BodyRead Fail(IResult problem) => new(ReadOnlyMemory<byte>.Empty, problem);
}
