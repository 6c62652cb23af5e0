using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ControlTower.Contracts.Alerts;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Collector.Azure.Tests;

/// <summary>Runs alone, after the other tests, so that no spy of theirs is bound to the alert exchange.</summary>
[CollectionDefinition(nameof(NoAlertConsumerBound), DisableParallelization = true)]
public sealed class NoAlertConsumerBound;

[Collection(nameof(NoAlertConsumerBound))]
public sealed class UnroutableAlertTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task UntilSomethingConsumesAlertsTheAlertDoorAnswers503RatherThanAcceptWhatWouldBeLost()
    {
        await using var factory = ServiceFactory<Program>.OnServers(infrastructure);
        using var client = factory.CreateTrustedClient();
        StringContent Alert() => new(AzureSamples.Alert().ToJsonString(), Encoding.UTF8, "application/json");

        using var response = await client.PostAsync("/ingest/azure/alerts", Alert(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", response.Headers.RetryAfter?.ToString());
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains("nothing was accepted", problem.GetProperty("detail").GetString());

        // With a queue bound to alerts, the same request is accepted.
        await using var spy = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(MonitorAlertBatch), TestContext.Current.CancellationToken);
        using var retried = await client.PostAsync("/ingest/azure/alerts", Alert(), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
    }
}
