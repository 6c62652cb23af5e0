using ControlTower.Web.Gateway;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages;

public sealed partial class Activity
{
    private const int PageSize = 50;
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource disposed = new();
    private readonly Stack<string?> cursors = new();
    private ActivityPage? page;
    private string? before;
    private string? error;
    private bool live = true;
    private DateTimeOffset? loadedAt;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private ILogger<Activity> Logger { get; set; } = default!;

    private string StatusText => loadedAt is null ? "Loading…"
        : live && before is null ? $"Live · updated {loadedAt:HH:mm:ss} UTC"
        : $"Paused · loaded {loadedAt:HH:mm:ss} UTC";

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        if (RendererInfo.IsInteractive)
        {
            _ = RefreshLoopAsync();
        }
    }

    private async Task RefreshLoopAsync()
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(disposed.Token))
            {
                // Only the first page follows new events; an operator reading older pages keeps them still.
                if (live && before is null)
                {
                    await LoadAsync();
                    await InvokeAsync(StateHasChanged);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page was closed.
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            var uri = $"/api/activity?limit={PageSize}" + (before is null ? "" : $"&before={Uri.EscapeDataString(before)}");
            page = await Gateway.GetAsync<ActivityPage>(uri, disposed.Token);
            loadedAt = DateTimeOffset.UtcNow;
            error = null;
        }
        catch (GatewayProblemException ex)
        {
            Logger.LogWarning(ex, "Loading activity through the gateway failed");
            error = $"{ex.Problem.Describe()}; retrying.";
        }
    }

    private async Task Older()
    {
        cursors.Push(before);
        before = page?.Next;
        await LoadAsync();
    }

    private async Task Newer()
    {
        before = cursors.Pop();
        await LoadAsync();
    }

    private void ToggleLive() => live = !live;

    private static string Outcome(ActivitySummary item) =>
        item.ErrorCode is null ? item.Outcome : $"{item.Outcome} ({item.ErrorCode})";

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
