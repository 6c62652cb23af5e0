using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ControlTower.Contracts.Operations;
using ControlTower.Operations.Apis;
using ControlTower.Operations.DeadLetters;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace ControlTower.Operations.Tests;

/// <summary>A message the probe endpoint of these tests fails on until it is "fixed".</summary>
public sealed record PoisonProbe
{
    public required Guid Id { get; init; }
}

/// <summary>
/// Poison messages on a real broker: a MassTransit consumer fails after its retries, the message lands in its
/// <c>_error</c> queue, the monitor announces it, the admin API lists, peeks and replays it.
/// </summary>
public sealed class DeadLetterTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private ServiceFactory<Program> factory = null!;
    private HttpClient admin = null!;
    private HttpClient viewer = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "operationsdb", new Dictionary<string, string?>
        {
            ["Operations:DeadLetters:PollSeconds"] = "1",
            ["Operations:DeadLetters:ManagementUrl"] = infrastructure.RabbitMq.ManagementUrl,
        });
        admin = factory.CreateTrustedClient("ops-admin");
        admin.DefaultRequestHeaders.Add(GatewayTrust.ScopesHeader, "activity:read admin:messages");
        viewer = factory.CreateTrustedClient("portal");
        viewer.DefaultRequestHeaders.Add(GatewayTrust.ScopesHeader, "activity:read alerts:read");
        await factory.WaitUntilHealthyAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        admin.Dispose();
        viewer.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public async Task APoisonMessageIsAnnouncedListedPeekedAndReplayedOnceTheConsumerIsFixed()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.NotNull(infrastructure.RabbitMq.ManagementUrl);
        await using var observed = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DeadLettersObserved), ct);
        var input = "dl-probe-" + Guid.NewGuid().ToString("N")[..8];
        var errorQueue = input + "_error";
        var broken = true;
        var handled = 0;
        var bus = ProbeBus(input, _ =>
        {
            if (Volatile.Read(ref broken))
            {
                throw new InvalidOperationException("The probe is broken\nsecond line of the message");
            }
            Interlocked.Increment(ref handled);
            return Task.CompletedTask;
        });
        await bus.StartAsync(ct).WaitAsync(Timeout, ct);
        try
        {
            var probe = new PoisonProbe { Id = Guid.NewGuid() };
            // Through the endpoint's exchange: a "queue:" address would declare the queue again, as a classic one.
            var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{input}"));
            await endpoint.Send(probe, ct).WaitAsync(Timeout, ct);

            var landed = await observed.WaitForAsync(m => Queue(m) == errorQueue && m.GetProperty("count").GetInt64() == 1, Timeout);
            Assert.Equal("quorum", await QueueType(errorQueue));
            Assert.Equal("urn:message:ControlTower.Operations.Tests:PoisonProbe", landed.GetProperty("messageType").GetString());
            Assert.Equal("System.InvalidOperationException: The probe is broken", landed.GetProperty("error").GetString());

            var queues = await admin.GetFromJsonAsync<List<ErrorQueueSummary>>("/api/admin/messages", ct);
            Assert.Contains(new ErrorQueueSummary(errorQueue, input, 1), queues!);

            // Peeking twice sees the same message, and leaves it where it is.
            var first = await admin.GetFromJsonAsync<PeekResponse>($"/api/admin/messages/{errorQueue}", ct);
            var second = await admin.GetFromJsonAsync<PeekResponse>($"/api/admin/messages/{errorQueue}", ct);
            var message = Assert.Single(first!.Messages);
            Assert.Equal(message.MessageId, Assert.Single(second!.Messages).MessageId);
            Assert.Equal(1, second.Count);
            Assert.Equal("System.InvalidOperationException", message.FaultExceptionType);
            Assert.StartsWith("The probe is broken", message.FaultMessage);
            Assert.Equal("urn:message:ControlTower.Operations.Tests:PoisonProbe", message.MessageType);
            Assert.NotNull(message.FaultedAt);
            Assert.True(message.BodyBytes > 0);
            Assert.DoesNotContain("MT-Fault-StackTrace", message.Headers.Keys);
            Assert.Equal(0, Volatile.Read(ref handled));

            Volatile.Write(ref broken, false);
            using var replay = await admin.PostAsync($"/api/admin/messages/{errorQueue}/replay", null, ct);
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            Assert.Equal(new ReplayResponse(errorQueue, input, 1, 0), await replay.Content.ReadFromJsonAsync<ReplayResponse>(ct));

            await Eventually.ValueAsync<int>(() => Task.FromResult<int?>(Volatile.Read(ref handled) == 1 ? 1 : null), Timeout);
            var emptied = await observed.WaitForAsync(m => Queue(m) == errorQueue && m.GetProperty("count").GetInt64() == 0, Timeout);
            Assert.False(emptied.TryGetProperty("error", out _));
            var after = await admin.GetFromJsonAsync<PeekResponse>($"/api/admin/messages/{errorQueue}", ct);
            Assert.Empty(after!.Messages);
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    // The services' queues are quorum queues, so their error queues may be too.
    [Theory]
    [InlineData("classic")]
    [InlineData("quorum")]
    public async Task PeekingKeepsEveryMessageInItsPlaceAndReplayByIdMovesOnlyThatOne(string queueType)
    {
        var ct = TestContext.Current.CancellationToken;
        var input = "dl-direct-" + Guid.NewGuid().ToString("N")[..8];
        var errorQueue = input + "_error";
        await using var connection = await infrastructure.RabbitMq.ConnectAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var arguments = new Dictionary<string, object?> { ["x-queue-type"] = queueType };
        await channel.QueueDeclareAsync(input, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: ct);
        await channel.QueueDeclareAsync(errorQueue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: ct);
        try
        {
            var ids = new[] { "m-1", "m-2", "m-3" };
            foreach (var id in ids)
            {
                var properties = new BasicProperties
                {
                    MessageId = id,
                    ContentType = "application/vnd.masstransit+json",
                    Headers = new Dictionary<string, object?>
                    {
                        ["MT-Fault-ExceptionType"] = Encoding.UTF8.GetBytes("System.TimeoutException"),
                        ["MT-Fault-Message"] = Encoding.UTF8.GetBytes($"timed out on {id}"),
                        ["MT-Fault-StackTrace"] = Encoding.UTF8.GetBytes("at Secret.Internals()"),
                        ["MT-Reason"] = Encoding.UTF8.GetBytes("fault"),
                        ["Authorization"] = Encoding.UTF8.GetBytes("Bearer not-to-be-shown"),
                    },
                };
                var body = Encoding.UTF8.GetBytes($$$"""{"messageId":"{{{id}}}","messageType":["urn:message:Tests:Thing"],"message":{}}""");
                await channel.BasicPublishAsync("", errorQueue, mandatory: true, properties, body, ct);
            }
            await Eventually.ValueAsync<uint>(async () => await channel.MessageCountAsync(errorQueue, ct) == 3 ? 3u : null, Timeout);

            var page = await admin.GetFromJsonAsync<PeekResponse>($"/api/admin/messages/{errorQueue}?limit=2", ct);
            Assert.Equal(["m-1", "m-2"], page!.Messages.Select(m => m.MessageId));
            var rest = await admin.GetFromJsonAsync<PeekResponse>($"/api/admin/messages/{errorQueue}?offset=2&limit=2", ct);
            Assert.Equal(["m-3"], rest!.Messages.Select(m => m.MessageId));
            var all = await admin.GetFromJsonAsync<PeekResponse>($"/api/admin/messages/{errorQueue}", ct);
            Assert.Equal(ids, all!.Messages.Select(m => m.MessageId));
            Assert.Equal(3, all.Count);
            Assert.Equal("timed out on m-2", all.Messages[1].FaultMessage);
            Assert.Equal("urn:message:Tests:Thing", all.Messages[1].MessageType);
            Assert.Contains("MT-Reason", all.Messages[1].Headers.Keys);
            Assert.DoesNotContain("Authorization", all.Messages[1].Headers.Keys);
            Assert.DoesNotContain("MT-Fault-StackTrace", all.Messages[1].Headers.Keys);

            using var unknown = await admin.PostAsync($"/api/admin/messages/{errorQueue}/replay?messageId=m-9", null, ct);
            await AssertProblem(unknown, HttpStatusCode.NotFound, "m-9");
            var scanned = await admin.GetFromJsonAsync<PeekResponse>($"/api/admin/messages/{errorQueue}", ct);
            Assert.Equal(ids, scanned!.Messages.Select(m => m.MessageId));

            using var replay = await admin.PostAsync($"/api/admin/messages/{errorQueue}/replay?messageId=m-2", null, ct);
            Assert.Equal(new ReplayResponse(errorQueue, input, 1, 2), await replay.Content.ReadFromJsonAsync<ReplayResponse>(ct));

            var left = await admin.GetFromJsonAsync<PeekResponse>($"/api/admin/messages/{errorQueue}", ct);
            if (queueType == "classic")
            {
                Assert.Equal(["m-1", "m-3"], left!.Messages.Select(m => m.MessageId));
            }
            else
            {
                // REVIEW: on a quorum queue (RabbitMQ 3.10) a message passed over on the way to the one replayed is kept
                // but not always in its place: seen here as m-3, m-1 (README, "Poison messages"). Peeks keep the order.
                Assert.Equal(["m-1", "m-3"], left!.Messages.Select(m => m.MessageId).Order());
            }
            var moved = await channel.BasicGetAsync(input, autoAck: true, ct);
            Assert.NotNull(moved);
            Assert.Equal("m-2", moved.BasicProperties.MessageId);
            Assert.Equal("application/vnd.masstransit+json", moved.BasicProperties.ContentType);
            Assert.False(moved.BasicProperties.Headers?.ContainsKey("MT-Fault-Message") ?? false);
            Assert.True(moved.BasicProperties.Headers?.ContainsKey("Authorization"));

            using var oldest = await admin.PostAsync($"/api/admin/messages/{errorQueue}/replay?limit=1", null, ct);
            Assert.Equal(new ReplayResponse(errorQueue, input, 1, 1), await oldest.Content.ReadFromJsonAsync<ReplayResponse>(ct));
            Assert.Equal(left.Messages[0].MessageId, (await channel.BasicGetAsync(input, autoAck: true, ct))?.BasicProperties.MessageId);
        }
        finally
        {
            await channel.QueueDeleteAsync(input, cancellationToken: CancellationToken.None);
            await channel.QueueDeleteAsync(errorQueue, cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public async Task AReplayWhoseInputQueueIsGoneMovesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var errorQueue = "dl-orphan-" + Guid.NewGuid().ToString("N")[..8] + "_error";
        await using var connection = await infrastructure.RabbitMq.ConnectAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.QueueDeclareAsync(errorQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        try
        {
            await channel.BasicPublishAsync("", errorQueue, mandatory: true, new BasicProperties { MessageId = "orphan" }, "{}"u8.ToArray(), ct);
            await Eventually.ValueAsync<uint>(async () => await channel.MessageCountAsync(errorQueue, ct) == 1 ? 1u : null, Timeout);

            using var replay = await admin.PostAsync($"/api/admin/messages/{errorQueue}/replay", null, ct);

            await AssertProblem(replay, HttpStatusCode.Conflict, errorQueue[..^"_error".Length]);
            Assert.Equal(1u, await channel.MessageCountAsync(errorQueue, ct));
        }
        finally
        {
            await channel.QueueDeleteAsync(errorQueue, cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public async Task EveryRouteNeedsTheAdminMessagesScope()
    {
        var ct = TestContext.Current.CancellationToken;
        using var list = await viewer.GetAsync("/api/admin/messages", ct);
        using var peek = await viewer.GetAsync("/api/admin/messages/anything_error", ct);
        using var replay = await viewer.PostAsync("/api/admin/messages/anything_error/replay", null, ct);

        foreach (var response in new[] { list, peek, replay })
        {
            await AssertProblem(response, HttpStatusCode.Forbidden, "admin:messages");
        }
    }

    [Fact]
    public async Task OnlyErrorQueuesAreAcceptedAndAnUnknownOneIsNotFound()
    {
        var ct = TestContext.Current.CancellationToken;
        var unknown = "dl-unknown-" + Guid.NewGuid().ToString("N")[..8] + "_error";

        using var input = await admin.GetAsync("/api/admin/messages/operations-cloud-activity-batch", ct);
        using var replayInput = await admin.PostAsync("/api/admin/messages/operations-cloud-activity-batch/replay", null, ct);
        using var bare = await admin.GetAsync("/api/admin/messages/_error", ct);
        using var badLimit = await admin.GetAsync($"/api/admin/messages/{unknown}?limit=0", ct);
        using var both = await admin.PostAsync($"/api/admin/messages/{unknown}/replay?messageId=a&limit=2", null, ct);
        using var missing = await admin.GetAsync($"/api/admin/messages/{unknown}", ct);
        using var replayMissing = await admin.PostAsync($"/api/admin/messages/{unknown}/replay", null, ct);

        Assert.Contains("not an error queue", await AssertValidation(input, "queue"));
        Assert.Contains("not an error queue", await AssertValidation(replayInput, "queue"));
        await AssertValidation(bare, "queue");
        await AssertValidation(badLimit, "limit");
        await AssertValidation(both, "messageId");
        await AssertProblem(missing, HttpStatusCode.NotFound, unknown);
        await AssertProblem(replayMissing, HttpStatusCode.NotFound, unknown);
    }

    [Fact]
    public async Task AnUnreachableManagementApiIsA503ProblemAndTheMonitorKeepsCounting()
    {
        var ct = TestContext.Current.CancellationToken;
        var errorQueue = "dl-known-" + Guid.NewGuid().ToString("N")[..8] + "_error";
        await using var connection = await infrastructure.RabbitMq.ConnectAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.QueueDeclareAsync(errorQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await using var observed = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DeadLettersObserved), ct);
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var cutOff = ServiceFactory<Program>.OnServers(infrastructure, "operationsdb", new Dictionary<string, string?>
        {
            ["Operations:DeadLetters:PollSeconds"] = "1",
            ["Operations:DeadLetters:ManagementUrl"] = $"http://127.0.0.1:{port}/",
            ["Operations:DeadLetters:Queues:0"] = errorQueue,
        });
        using var client = cutOff.CreateTrustedClient("ops-admin");
        client.DefaultRequestHeaders.Add(GatewayTrust.ScopesHeader, "admin:messages");
        try
        {
            await cutOff.WaitUntilHealthyAsync(Timeout);

            using var list = await client.GetAsync("/api/admin/messages", ct);
            await AssertProblem(list, HttpStatusCode.ServiceUnavailable, "management API");

            // The configured queue is still counted, and still readable through the API.
            await channel.BasicPublishAsync("", errorQueue, mandatory: true, new BasicProperties { MessageId = "known" }, "{}"u8.ToArray(), ct);
            await observed.WaitForAsync(m => Queue(m) == errorQueue && m.GetProperty("count").GetInt64() == 1, Timeout);
            var peek = await client.GetFromJsonAsync<PeekResponse>($"/api/admin/messages/{errorQueue}", ct);
            Assert.Equal("known", Assert.Single(peek!.Messages).MessageId);
        }
        finally
        {
            await channel.QueueDeleteAsync(errorQueue, cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public void APollIntervalOutsideOneSecondToAnHourRefusesToStart()
    {
        Assert.Contains("PollSeconds", Refusal(new() { ["Operations:DeadLetters:PollSeconds"] = "0" }));
        Assert.Contains("ManagementUrl", Refusal(new() { ["Operations:DeadLetters:ManagementUrl"] = "amqp://127.0.0.1:5672" }));
        Assert.Contains("not an error queue", Refusal(new() { ["Operations:DeadLetters:Queues:0"] = "orders" }));
    }

    private static string Refusal(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddOptions<DeadLettersOptions>().BindConfiguration(DeadLettersOptions.Section).ValidateDataAnnotations();
        using var provider = services.BuildServiceProvider();
        var refused = Record.Exception(() => provider.GetRequiredService<IOptions<DeadLettersOptions>>().Value);
        return Assert.IsType<OptionsValidationException>(refused).Message;
    }

    private async Task<string?> QueueType(string queue)
    {
        var broker = new Uri(infrastructure.RabbitMq.ConnectionString);
        using var management = new HttpClient { BaseAddress = new Uri(infrastructure.RabbitMq.ManagementUrl!) };
        management.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(broker.UserInfo))));
        using var info = JsonDocument.Parse(await management.GetStringAsync($"api/queues/%2F/{queue}", TestContext.Current.CancellationToken));
        return info.RootElement.GetProperty("type").GetString();
    }

    private static string? Queue(JsonElement message) => message.GetProperty("queue").GetString();

    private IBusControl ProbeBus(string queue, Func<ConsumeContext<PoisonProbe>, Task> handler)
    {
        var broker = new Uri(infrastructure.RabbitMq.ConnectionString);
        var credentials = broker.UserInfo.Split(':', 2);
        return Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(broker.Host, (ushort)broker.Port, "/", h =>
            {
                h.Username(Uri.UnescapeDataString(credentials[0]));
                h.Password(Uri.UnescapeDataString(credentials[1]));
            });
            cfg.ReceiveEndpoint(queue, e =>
            {
                e.UseMessageRetry(r => r.Immediate(2));
                // As the services' endpoints are (BusExtensions): MassTransit then makes the error queue a quorum queue too.
                ((IRabbitMqReceiveEndpointConfigurator)e).SetQuorumQueue();
                e.Handler<PoisonProbe>(context => handler(context));
            });
        });
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string named)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<string> AssertValidation(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return problem.RootElement.GetProperty("errors").GetProperty(field)[0].GetString()!;
    }
}
