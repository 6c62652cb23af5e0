using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ControlTower.Governance.Baseline;

/// <summary>
/// Records the baseline file read at start as a version (when a deploy changed it) once the database is up,
/// reconciling the findings against it (their announcements leave through the outbox); retried until it
/// succeeds. Until then the <c>baseline</c> health check says so.
/// </summary>
public sealed class BaselineStartup(IServiceProvider services, BaselineProvider provider, ILogger<BaselineStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var outbox = scope.ServiceProvider.GetRequiredService<Outbox<Data.GovernanceDbContext>>();
                await scope.ServiceProvider.GetRequiredService<BaselineHistory>().RecordFileAsync(outbox.Publish, stoppingToken);
                provider.MarkStarted();
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Recording the landing-zone baseline failed; trying again in {Delay}", delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }
}

/// <summary>Unhealthy until the baseline read at start is recorded and the findings reconciled against it.</summary>
public sealed class BaselineHealthCheck(BaselineProvider provider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(provider.Started
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The landing-zone baseline read at start is not recorded yet."));
}
