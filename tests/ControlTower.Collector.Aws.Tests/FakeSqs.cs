using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ControlTower.Collector.Aws.Tests;

/// <summary>
/// Just enough of SQS's JSON protocol (ReceiveMessage, DeleteMessageBatch) on loopback for the real AWS SDK
/// client. A received message stays hidden until deleted, as within a visibility timeout.
/// </summary>
public sealed class FakeSqs : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<(string Id, string Body)> visible = new();

    private FakeSqs(WebApplication app) => this.app = app;

    public string ServiceUrl => app.Urls.Single();

    public string QueueUrl => ServiceUrl + "/000000000000/ct-events";

    public ConcurrentDictionary<string, string> Deleted { get; } = new();

    public ConcurrentDictionary<string, string> Received { get; } = new();

    public void Send(string body) => visible.Enqueue((Guid.NewGuid().ToString(), body));

    public static async Task<FakeSqs> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var sqs = new FakeSqs(app);
        app.MapPost("/", async (HttpContext context) =>
        {
            var target = context.Request.Headers["X-Amz-Target"].ToString();
            var request = await JsonNode.ParseAsync(context.Request.Body);
            JsonObject response;
            if (target.EndsWith(".ReceiveMessage", StringComparison.Ordinal))
            {
                var messages = new JsonArray();
                while (messages.Count < 10 && sqs.visible.TryDequeue(out var message))
                {
                    sqs.Received[message.Id] = message.Body;
                    messages.Add(new JsonObject
                    {
                        ["MessageId"] = message.Id,
                        ["ReceiptHandle"] = "rh-" + message.Id,
                        ["MD5OfBody"] = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(message.Body))),
                        ["Body"] = message.Body,
                    });
                }
                if (messages.Count == 0)
                {
                    await Task.Delay(200);
                }
                response = messages.Count == 0 ? [] : new JsonObject { ["Messages"] = messages };
            }
            else if (target.EndsWith(".DeleteMessageBatch", StringComparison.Ordinal))
            {
                var successful = new JsonArray();
                foreach (var entry in request!["Entries"]!.AsArray())
                {
                    var handle = entry!["ReceiptHandle"]!.GetValue<string>();
                    sqs.Deleted[handle["rh-".Length..]] = handle;
                    successful.Add(new JsonObject { ["Id"] = entry["Id"]!.GetValue<string>() });
                }
                response = new JsonObject { ["Successful"] = successful, ["Failed"] = new JsonArray() };
            }
            else
            {
                return Results.Json(new { __type = "UnsupportedOperation", message = target }, statusCode: 400);
            }
            return Results.Text(response.ToJsonString(), "application/x-amz-json-1.0");
        });
        await app.StartAsync();
        return sqs;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
