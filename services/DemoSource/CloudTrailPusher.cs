using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ControlTower.DemoSource;

/// <summary>
/// Pushes a realistic trickle of CloudTrail log files through the public ingestion endpoint, as an S3
/// notification relay would, so that a newcomer who starts the system sees the portal fill.
/// </summary>
public sealed class CloudTrailPusher(
    IHttpClientFactory httpClients,
    IOptions<DemoSourceOptions> options,
    TimeProvider clock,
    ILogger<CloudTrailPusher> logger) : BackgroundService
{
    public const string GatewayClient = "gateway";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var http = httpClients.CreateClient(GatewayClient);
        var generator = new CloudTrailGenerator(new Random(), clock);
        using var timer = new PeriodicTimer(settings.Interval, clock);
        var files = 0;
        do
        {
            var records = generator.NextFile(settings.MaxRecordsPerFile);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail")
                {
                    Content = Body(records, gzip: files % 2 == 1),
                };
                request.Headers.Add("X-Api-Key", settings.ApiKey);
                using var response = await http.SendAsync(request, stoppingToken);
                if (!response.IsSuccessStatusCode)
                {
                    logger.LogWarning("The gateway answered {Status}: {Body}", (int)response.StatusCode,
                        await response.Content.ReadAsStringAsync(stoppingToken));
                }
                else if (++files % 20 == 1)
                {
                    logger.LogInformation("Pushed {Files} CloudTrail files so far", files);
                }
            }
            catch (HttpRequestException ex)
            {
                logger.LogWarning("Could not reach the gateway: {Message}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static HttpContent Body(IReadOnlyList<Dictionary<string, object?>> records, bool gzip)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["Records"] = records });
        if (!gzip)
        {
            var plain = new ByteArrayContent(json);
            plain.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return plain;
        }
        // As a CloudTrail object is stored in S3: a gzip file.
        using var compressed = new MemoryStream();
        using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(json);
        }
        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }
}
