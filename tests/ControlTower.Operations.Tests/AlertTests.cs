using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Contracts.Alerts;
using ControlTower.Operations.Apis;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Operations.Tests;

/// <summary>Monitor alerts in through the broker, one row per alert instance out through the API.</summary>
public sealed class AlertTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private static readonly DateTimeOffset Fired = new(2026, 11, 28, 13, 0, 0, TimeSpan.Zero);
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "operationsdb");
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    private static string NewAlertId() => $"/subscriptions/0000/providers/Microsoft.AlertsManagement/alerts/{Guid.NewGuid()}";

    private static MonitorAlert Alert(string alertId, AlertCondition condition) => new()
    {
        Provider = "azure",
        AlertId = alertId,
        Condition = condition,
        Rule = "cpu-high",
        Severity = "Sev2",
        SignalType = "Metric",
        Account = "0000",
        ResourceGroup = "rg-prod-core",
        Targets = ["/subscriptions/0000/resourceGroups/rg-prod-core/providers/Microsoft.Compute/virtualMachines/vm1"],
        FiredAt = Fired,
        ResolvedAt = condition == AlertCondition.Resolved ? Fired.AddMinutes(12) : null,
        Raw = $$"""{"essentials":{"alertId":"{{alertId}}","monitorCondition":"{{condition}}"} }""",
    };

    private async Task Publish(params MonitorAlert[] alerts) =>
        await factory.Services.GetRequiredService<IBus>().Publish(new MonitorAlertBatch
        {
            BatchId = Guid.NewGuid(),
            Source = "azure-monitor",
            ReceivedAt = DateTimeOffset.UtcNow,
            Alerts = alerts,
        }, TestContext.Current.CancellationToken);

    private async Task<AlertDetail> WaitFor(string alertId, Func<AlertDetail, bool> until)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await client.GetAsync($"/api/alerts/azure{alertId}", timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK
                && await response.Content.ReadFromJsonAsync<AlertDetail>(timeout.Token) is { } detail && until(detail))
            {
                return detail;
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    [Fact]
    public async Task AFiredAlertIsOpenUntilItsResolvedNotificationArrives()
    {
        var alertId = NewAlertId();

        await Publish(Alert(alertId, AlertCondition.Fired));
        var open = await WaitFor(alertId, _ => true);
        Assert.Equal("fired", open.Alert.Condition);
        Assert.Null(open.Alert.ResolvedAt);
        Assert.Contains("Fired", open.RawFired);

        await Publish(Alert(alertId, AlertCondition.Resolved));
        var resolved = await WaitFor(alertId, d => d.Alert.Condition == "resolved");
        Assert.Equal(Fired.AddMinutes(12), resolved.Alert.ResolvedAt);
        Assert.Contains("Fired", resolved.RawFired);
        Assert.Contains("Resolved", resolved.RawResolved);
        Assert.True(resolved.UpdatedAt > open.UpdatedAt);
    }

    [Fact]
    public async Task AResolvedAlertStaysResolvedWhenItsFiredNotificationArrivesLateOrTwice()
    {
        var alertId = NewAlertId();

        await Publish(Alert(alertId, AlertCondition.Resolved));
        var resolved = await WaitFor(alertId, _ => true);
        await Publish(Alert(alertId, AlertCondition.Fired), Alert(alertId, AlertCondition.Fired));
        var late = await WaitFor(alertId, d => d.RawFired is not null);
        // The resolved notification again, in one batch with another alert: once that one is readable, the
        // batch (stored in one transaction) has been consumed.
        var sentinel = NewAlertId();
        await Publish(Alert(alertId, AlertCondition.Resolved), Alert(sentinel, AlertCondition.Fired));
        await WaitFor(sentinel, _ => true);

        var final = await WaitFor(alertId, _ => true);
        Assert.Equal("resolved", late.Alert.Condition);
        Assert.Equal("resolved", final.Alert.Condition);
        Assert.Equal(resolved.Alert.ResolvedAt, final.Alert.ResolvedAt);
        Assert.Equal(late.UpdatedAt, final.UpdatedAt);
    }

    [Fact]
    public async Task TheListShowsOpenAlertsOnRequestAndRefusesBadFilters()
    {
        var open = NewAlertId();
        var closed = NewAlertId();
        await Publish(Alert(open, AlertCondition.Fired), Alert(closed, AlertCondition.Resolved));
        await WaitFor(open, _ => true);
        await WaitFor(closed, _ => true);

        var fired = await client.GetFromJsonAsync<List<AlertSummary>>("/api/alerts?condition=fired&limit=500", TestContext.Current.CancellationToken);
        Assert.Contains(fired!, a => a.AlertId == open);
        Assert.DoesNotContain(fired!, a => a.AlertId == closed);
        Assert.All(fired!, a => Assert.Equal("fired", a.Condition));

        using var bad = await client.GetAsync("/api/alerts?condition=maybe&limit=0", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("condition", out _));
        Assert.True(errors.TryGetProperty("limit", out _));

        using var missing = await client.GetAsync($"/api/alerts/azure{NewAlertId()}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
