namespace ControlTower.DemoSource;

/// <summary>
/// A feed ticks at its interval and sends what its generator has for that moment. Whatever goes wrong in a tick
/// (the gateway down, a 4xx, a bug) is logged, and what was not sent is sent again on the next tick: a demo
/// source never takes the host down.
/// </summary>
public abstract class DemoFeed(FeedOptions feed, TimeProvider clock, ILogger logger) : BackgroundService
{
    protected abstract string Name { get; }

    /// <summary>Sends what is due at <paramref name="now"/>; returns normally even when the gateway refused it.</summary>
    public abstract Task TickAsync(DateTimeOffset now, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!feed.Enabled)
        {
            logger.LogInformation("Demo feed {Feed} is off", Name);
            return;
        }
        logger.LogInformation("Demo feed {Feed} ticks every {Interval}", Name, feed.Interval);
        using var timer = new PeriodicTimer(feed.Interval, clock);
        do
        {
            try
            {
                await TickAsync(clock.GetUtcNow(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A demo feed logs any fault and carries on; it must not stop the host.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "Demo feed {Feed} failed this tick; it tries again on the next", Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
