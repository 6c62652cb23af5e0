using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace ControlTower.Web.Components.Pages.Admin;

/// <summary>The gateway's API keys: list, create (the secret shown once), rotate (a new secret shown once) and revoke.</summary>
public sealed partial class Keys : IDisposable
{
    public const string Scope = "admin:keys";
    private const string Api = "/api/admin/keys";

    private readonly CancellationTokenSource disposed = new();
    private Caller? caller;
    private List<ApiKeyView>? keys;
    private GatewayProblem? problem;
    private string? problemContext;
    private string? notice;
    private bool busy;

    private string newName = "";
    private readonly HashSet<string> newScopes = new(StringComparer.Ordinal);
    private bool newSigned;

    private ApiKeyView? rotating;
    private int graceHours = 24;
    private ApiKeyView? revoking;
    private ApiKeySecretView? secret;
    private string? copied;

    [Inject]
    private PortalUser User { get; set; } = default!;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        caller = await User.CallerAsync();
        // Loaded once the page is interactive, so the gateway is asked once rather than for the prerender too.
        if (caller.Has(Scope) && RendererInfo.IsInteractive)
        {
            await LoadAsync();
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            keys = await Gateway.GetAsync<List<ApiKeyView>>(Api, disposed.Token);
        }
        catch (GatewayProblemException ex)
        {
            Fail("Loading the keys", ex);
        }
    }

    private void Toggle(string scope, ChangeEventArgs e)
    {
        if (e.Value is true)
        {
            newScopes.Add(scope);
        }
        else
        {
            newScopes.Remove(scope);
        }
    }

    private async Task CreateAsync()
    {
        await ActAsync("Creating the key", async () =>
        {
            // The form's order, not the order of clicking.
            var scopes = KnownScopes.All.Where(newScopes.Contains).ToList();
            var created = await Gateway.SendAsync<ApiKeySecretView>(HttpMethod.Post, Api,
                new CreateKeyRequest(newName.Trim(), scopes, newSigned ? true : null), null, disposed.Token);
            secret = created.Value;
            notice = $"Key {created.Value.Key.Name} created.";
            newName = "";
            newScopes.Clear();
            newSigned = false;
        });
    }

    private void AskRotate(ApiKeyView key)
    {
        graceHours = 24;
        rotating = key;
    }

    private void AskRevoke(ApiKeyView key) => revoking = key;

    private async Task RotateAsync()
    {
        var key = rotating!;
        await ActAsync($"Rotating {key.Name}", async () =>
        {
            var rotated = await Gateway.SendAsync<ApiKeySecretView>(HttpMethod.Post,
                $"{Api}/{Uri.EscapeDataString(key.Name)}/rotate?graceHours={graceHours}", null, null, disposed.Token);
            rotating = null;
            secret = rotated.Value;
            notice = graceHours > 0
                ? $"{key.Name} rotated: the previous secret keeps working for {graceHours} hour(s)."
                : $"{key.Name} rotated: the previous secret no longer works.";
        });
        rotating = null;
    }

    private async Task RevokeAsync()
    {
        var key = revoking!;
        await ActAsync($"Revoking {key.Name}", async () =>
        {
            await Gateway.SendAsync<ApiKeyView>(HttpMethod.Post, $"{Api}/{Uri.EscapeDataString(key.Name)}/revoke", null, null, disposed.Token);
            notice = $"{key.Name} revoked: neither of its secrets works any more.";
        });
        revoking = null;
    }

    private async Task ActAsync(string what, Func<Task> action)
    {
        busy = true;
        problem = null;
        notice = null;
        try
        {
            await action();
            await LoadAsync();
        }
        catch (GatewayProblemException ex)
        {
            Fail(what, ex);
        }
        finally
        {
            busy = false;
        }
    }

    private void Fail(string what, GatewayProblemException ex)
    {
        problem = ex.Problem;
        problemContext = what;
    }

    private async Task CopyAsync(string value)
    {
        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", value);
            copied = "Copied to the clipboard.";
        }
        catch (JSException)
        {
            copied = "The browser did not allow copying; select the text and copy it.";
        }
    }

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
