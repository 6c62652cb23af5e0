using Amazon.Runtime;
using Amazon.SQS;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Collector.Aws.Tests;

/// <summary>The SQS poller with the real AWS SDK against a loopback SQS, publishing to a real broker.</summary>
public sealed class SqsPollerTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task EventsFromTheQueueArePublishedAndOnlyThenDeletedWhileUnreadableMessagesStay()
    {
        await using var sqs = await FakeSqs.StartAsync();
        await using var spy = await BatchSpy.StartAsync(infrastructure.RabbitMq, TestContext.Current.CancellationToken);
        var first = Guid.NewGuid().ToString();
        var second = Guid.NewGuid().ToString();
        sqs.Send(Envelope(first));
        sqs.Send(Envelope(second));
        sqs.Send("this is not an event");
        using var client = new AmazonSQSClient(new BasicAWSCredentials("test", "test"),
            new AmazonSQSConfig { ServiceURL = sqs.ServiceUrl, AuthenticationRegion = "us-east-1" });
        await using var factory = ServiceFactory<Program>.OnServers(infrastructure, settings: new Dictionary<string, string?>
        {
            ["Sqs:QueueUrl"] = sqs.QueueUrl,
            ["Sqs:ServiceUrl"] = sqs.ServiceUrl,
            ["Sqs:Pollers"] = "1",
            ["Sqs:WaitTimeSeconds"] = "1",
        });
        using var host = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IAmazonSQS>(client)));
        _ = host.Services; // starts the host, and with it the poller

        await spy.WaitForAsync([first, second], TimeSpan.FromSeconds(30));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (sqs.Deleted.Count < 2)
        {
            await Task.Delay(50, timeout.Token);
        }

        Assert.Equal(3, sqs.Received.Count);
        var unreadable = Assert.Single(sqs.Received, m => m.Value == "this is not an event");
        Assert.False(sqs.Deleted.ContainsKey(unreadable.Key));
        Assert.Equal(2, sqs.Deleted.Count);
        Assert.Equal("sqs:ct-events", spy.Sources[first]);
    }

    private static string Envelope(string eventId) => CloudTrailFiles.EventBridgeEnvelope(CloudTrailFiles.Record(eventId)).ToJsonString();
}
