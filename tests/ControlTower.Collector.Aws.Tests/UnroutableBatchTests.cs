using ControlTower.Contracts.Activity;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Collector.Aws.Tests;

/// <summary>Runs alone, after the other tests, so that no queue of theirs is bound to the batch exchange.</summary>
[CollectionDefinition(nameof(NoConsumerBound), DisableParallelization = true)]
public sealed class NoConsumerBound;

[Collection(nameof(NoConsumerBound))]
public sealed class UnroutableBatchTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task WhenNoConsumerIsBoundTheCollectorAnswers503InsteadOfAcceptingWhatWouldBeLost()
    {
        await using var factory = ServiceFactory<Program>.OnServers(infrastructure);
        using var client = factory.CreateTrustedClient();

        using var response = await client.PostAsync("/ingest/aws/cloudtrail",
            new StringContent(CloudTrailFiles.File(CloudTrailFiles.Record()), Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", response.Headers.RetryAfter?.ToString());
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains("nothing was accepted", problem.GetProperty("detail").GetString());

        // With a consumer bound, the same request is accepted.
        await using var spy = await BatchSpy.StartAsync(infrastructure.RabbitMq, TestContext.Current.CancellationToken);
        using var retried = await client.PostAsync("/ingest/aws/cloudtrail",
            new StringContent(CloudTrailFiles.File(CloudTrailFiles.Record()), Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
    }
    [Fact]
    public async Task WhenTheConsumersQueueIsFullTheCollectorAnswers503BacklogFullWithRetryAfter()
    {
        // A queue at its cap refusing more, as every work queue does under the broker's ct-backlog policy (rabbitmq.sh).
        var connection = await infrastructure.RabbitMq.ConnectAsync(TestContext.Current.CancellationToken);
        await using var _ = connection;
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        var exchange = $"{typeof(CloudActivityBatch).Namespace}:{nameof(CloudActivityBatch)}";
        var queue = "backlog-probe-" + Guid.NewGuid().ToString("N");
        await channel.ExchangeDeclareAsync(exchange, RabbitMQ.Client.ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: TestContext.Current.CancellationToken);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum",
            ["x-max-length"] = 1,
            ["x-overflow"] = "reject-publish",
        }, cancellationToken: TestContext.Current.CancellationToken);
        await channel.QueueBindAsync(queue, exchange, "", cancellationToken: TestContext.Current.CancellationToken);
        try
        {
            await using var factory = ServiceFactory<Program>.OnServers(infrastructure);
            using var client = factory.CreateTrustedClient();
            Task<HttpResponseMessage> Post() => client.PostAsync("/ingest/aws/cloudtrail",
                new StringContent(CloudTrailFiles.File(CloudTrailFiles.Record()), Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

            using var first = await Post();
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            // A quorum queue notices it is over its cap as it applies a message, and refuses from the next one on.
            var answers = new List<HttpStatusCode>();
            HttpResponseMessage second;
            while (true)
            {
                second = await Post();
                answers.Add(second.StatusCode);
                if (second.StatusCode != HttpStatusCode.Accepted || answers.Count == 5)
                {
                    break;
                }
                second.Dispose();
            }
            using var _second = second;

            Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
            Assert.True(answers.Count <= 2, $"the queue took {answers.Count} messages past its cap of 1");
            Assert.Equal(TimeSpan.FromSeconds(10), second.Headers.RetryAfter?.Delta);
            var problem = await second.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            Assert.Equal("urn:controltower:problem:backlog-full", problem.GetProperty("type").GetString());
            Assert.Contains("nothing was accepted", problem.GetProperty("detail").GetString());
        }
        finally
        {
            await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: CancellationToken.None);
        }
    }
}
