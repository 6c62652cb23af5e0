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
}
