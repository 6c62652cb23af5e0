using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ControlTower.DemoSource;

/// <summary>What the gateway answered: <see cref="Status"/> 0 when it could not be reached at all.</summary>
public sealed record GatewayAnswer(int Status, string Body)
{
    public bool Ok => Status is >= 200 and < 300;

    public override string ToString() => Status == 0 ? $"unreachable ({Body})" : $"{Status}: {(Body.Length > 300 ? Body[..300] + "…" : Body)}";
}

/// <summary>The gateway as the feeds see it: one POST with a key, answered or not, never an exception for a network fault.</summary>
public sealed class DemoGateway(HttpClient http)
{
    public const string ClientName = "gateway";

    public async Task<GatewayAnswer> PostAsync(string path, HttpContent content, string apiKey, CancellationToken cancellationToken,
        string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("X-Api-Key", apiKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return new GatewayAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException ex)
        {
            return new GatewayAnswer(0, ex.Message);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The client's own timeout, not the host stopping.
            return new GatewayAnswer(0, ex.Message);
        }
    }

    public static HttpContent Json(object body, bool gzip = false) => Bytes(JsonSerializer.SerializeToUtf8Bytes(body), "application/json", gzip);

    public static HttpContent Json(object body, JsonSerializerOptions serializer) => Bytes(JsonSerializer.SerializeToUtf8Bytes(body, serializer), "application/json");

    public static HttpContent Bytes(byte[] body, string contentType, bool gzip = false)
    {
        if (!gzip)
        {
            var plain = new ByteArrayContent(body);
            plain.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            return plain;
        }
        // As a CloudTrail object or an exported blob is stored: a gzip file.
        using var compressed = new MemoryStream();
        using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(body);
        }
        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }
}
