using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.Admin;

/// <summary>Error queues with their counts, a look at one queue's messages (left in place), and replay of one or all with confirmation.</summary>
public sealed partial class Messages : IDisposable
{
    public const string Scope = "admin:messages";
    private const string Api = "/api/admin/messages";

    private readonly CancellationTokenSource disposed = new();
    private Caller? caller;
    private List<ErrorQueueSummary>? queues;
    private PeekResponse? peek;
    private ReplayResponse? result;
    private ReplayRequest? confirm;
    private GatewayProblem? problem;
    private string? problemContext;
    private bool busy;

    [Inject]
    private PortalUser User { get; set; } = default!;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    /// <summary>The error queue whose messages are shown.</summary>
    [SupplyParameterFromQuery(Name = "queue")]
    public string? Queue { get; set; }

    protected override async Task OnInitializedAsync() => caller = await User.CallerAsync();

    protected override async Task OnParametersSetAsync()
    {
        if (caller?.Has(Scope) == true && RendererInfo.IsInteractive)
        {
            peek = null;
            await RefreshAsync();
        }
    }

    private async Task RefreshAsync()
    {
        problem = null;
        try
        {
            queues = await Gateway.GetAsync<List<ErrorQueueSummary>>(Api, disposed.Token);
            peek = Queue is null ? null : await Gateway.GetAsync<PeekResponse>($"{Api}/{Uri.EscapeDataString(Queue)}", disposed.Token);
        }
        catch (GatewayProblemException ex)
        {
            problem = ex.Problem;
            problemContext = "Reading the error queues";
        }
    }

    private void AskReplay(string queue, string? messageId, long count)
    {
        result = null;
        confirm = new ReplayRequest(queue, messageId, count);
    }

    private async Task ReplayAsync()
    {
        var request = confirm!;
        busy = true;
        problem = null;
        try
        {
            var uri = $"{Api}/{Uri.EscapeDataString(request.Queue)}/replay" + (request.MessageId is { } id ? "?messageId=" + Uri.EscapeDataString(id) : "");
            result = (await Gateway.SendAsync<ReplayResponse>(HttpMethod.Post, uri, null, null, disposed.Token)).Value;
            confirm = null;
            await RefreshAsync();
        }
        catch (GatewayProblemException ex)
        {
            confirm = null;
            problem = ex.Problem;
            problemContext = "Replaying";
        }
        finally
        {
            busy = false;
        }
    }

    private string QueueUri(string queue) => Navigation.GetUriWithQueryParameter("queue", queue);

    private sealed record ReplayRequest(string Queue, string? MessageId, long Count);

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
