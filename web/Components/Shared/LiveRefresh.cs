namespace ControlTower.Web.Components.Shared;

/// <summary>
/// Re-reads a page's data every <see cref="Interval"/> while it is live, so new signals, verdicts and activity appear
/// without a reload. One refresh at a time; a refresh that fails leaves the last data on screen and is tried again on
/// the next tick. Paused by the person (<see cref="Live"/>), stopped when the page goes away.
/// </summary>
public sealed class LiveRefresh : IDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource stopped = new();
    private readonly Func<CancellationToken, Task> refresh;
    private readonly TimeProvider time;

    public LiveRefresh(Func<CancellationToken, Task> refresh, TimeSpan? interval = null, TimeProvider? time = null)
    {
        this.refresh = refresh;
        this.time = time ?? TimeProvider.System;
        Interval = interval ?? DefaultInterval;
    }

    public TimeSpan Interval { get; }

    public bool Live { get; set; } = true;

    public DateTimeOffset? LastRefreshed { get; private set; }

    public CancellationToken Stopped => stopped.Token;

    /// <summary>Starts the loop; call once the component is interactive.</summary>
    public void Start() => _ = RunAsync();

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopped.Token))
            {
                if (Live)
                {
                    await refresh(stopped.Token);
                    LastRefreshed = time.GetUtcNow();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page was closed.
        }
    }

    public void Dispose()
    {
        stopped.Cancel();
        stopped.Dispose();
    }
}
