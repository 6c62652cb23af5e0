using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace ControlTower.Web.Components.Pages.Admin;

/// <summary>
/// The landing-zone baseline: the version in place drawn as trees and tables (and its raw text), every version before
/// it, a line diff between any two, and (governance:write) uploading a new one, checked first if the person likes.
/// </summary>
public sealed partial class Baseline : IDisposable
{
    public const string ReadScope = "governance:read";
    public const string WriteScope = "governance:write";
    public const int HistoryPageSize = 20;
    private const string Api = "/api/governance/baseline";
    private const long MaxUploadBytes = 1024 * 1024;

    private readonly CancellationTokenSource disposed = new();
    private Caller? caller;
    private GatewayProblem? problem;
    private string? problemContext;
    private bool busy;

    private BaselineView? current;
    private string? currentETag;
    private BaselineVersionView? currentText;
    private List<BaselineVersionSummary>? history;
    private List<BaselineVersionSummary>? versions;
    private BaselineVersionView? fromVersion;
    private BaselineVersionView? toVersion;
    private int fromChoice;
    private int toChoice;

    private string uploadText = "";
    private string uploadReason = "";
    private BaselineReplacementView? replacement;

    [Inject]
    private PortalUser User { get; set; } = default!;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    /// <summary>current (default), history, diff or upload.</summary>
    [SupplyParameterFromQuery(Name = "view")]
    public string? View { get; set; }

    [SupplyParameterFromQuery(Name = "before")]
    public int? Before { get; set; }

    [SupplyParameterFromQuery(Name = "from")]
    public int? From { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    public int? To { get; set; }

    private string SelectedView => View is "history" or "diff" or "upload" ? View : "current";

    private string OutcomeTitle => replacement switch
    {
        { DryRun: true } r => $"Dry run: this would change {r.Changes.Count} thing(s); nothing was put in place",
        { Applied: true } r => $"Version {r.Version} is in place, with {r.Changes.Count} change(s)",
        { } r => $"Identical to version {r.Version} in place; nothing changed",
        _ => "",
    };

    protected override async Task OnInitializedAsync() => caller = await User.CallerAsync();

    protected override async Task OnParametersSetAsync()
    {
        // Loaded once the page is interactive, so the gateway is asked once rather than for the prerender too.
        if (caller?.Has(ReadScope) != true || !RendererInfo.IsInteractive)
        {
            return;
        }
        problem = null;
        await (SelectedView switch
        {
            "history" => LoadHistoryAsync(),
            "diff" => LoadDiffAsync(),
            "upload" => LoadCurrentAsync(withText: false),
            _ => LoadCurrentAsync(withText: true),
        });
    }

    private async Task LoadCurrentAsync(bool withText)
    {
        await TryAsync("Reading the baseline", async () =>
        {
            var read = await Gateway.GetVersionedAsync<BaselineView>(Api, disposed.Token);
            current = read.Value;
            currentETag = read.ETag;
            if (withText && current.Version > 0 && currentText?.Version != current.Version)
            {
                currentText = await Gateway.GetAsync<BaselineVersionView>($"{Api}/history/{current.Version}", disposed.Token);
            }
        });
    }

    private async Task LoadHistoryAsync()
    {
        await TryAsync("Reading the baseline history", async () =>
            history = await Gateway.GetAsync<List<BaselineVersionSummary>>(
                $"{Api}/history?limit={HistoryPageSize}" + (Before is { } before ? $"&before={before}" : ""), disposed.Token));
    }

    private async Task LoadDiffAsync()
    {
        await TryAsync("Comparing baseline versions", async () =>
        {
            versions = await Gateway.GetAsync<List<BaselineVersionSummary>>($"{Api}/history?limit=200", disposed.Token);
            if (versions.Count < 2)
            {
                return;
            }
            // By default the newest version against the one before it.
            toChoice = To ?? versions[0].Version;
            fromChoice = From ?? versions.Where(v => v.Version < toChoice).Select(v => v.Version).DefaultIfEmpty(versions[^1].Version).First();
            fromVersion = await Gateway.GetAsync<BaselineVersionView>($"{Api}/history/{fromChoice}", disposed.Token);
            toVersion = await Gateway.GetAsync<BaselineVersionView>($"{Api}/history/{toChoice}", disposed.Token);
        });
    }

    private void CompareAsync() => Navigation.NavigateTo(DiffUri(fromChoice, toChoice));

    private async Task StartFromCurrentAsync()
    {
        await TryAsync("Reading the baseline", async () =>
        {
            var read = await Gateway.GetVersionedAsync<BaselineView>(Api, disposed.Token);
            current = read.Value;
            currentETag = read.ETag;
            if (current.Version > 0)
            {
                currentText = await Gateway.GetAsync<BaselineVersionView>($"{Api}/history/{current.Version}", disposed.Token);
                uploadText = currentText.Yaml;
            }
        });
    }

    private async Task ReadFileAsync(InputFileChangeEventArgs e)
    {
        problem = null;
        try
        {
            await using var stream = e.File.OpenReadStream(MaxUploadBytes, disposed.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            uploadText = await reader.ReadToEndAsync(disposed.Token);
        }
        catch (IOException ex)
        {
            problem = new GatewayProblem(413, "The file could not be read", ex.Message, null);
            problemContext = "Reading the file";
        }
    }

    private async Task UploadAsync(bool dryRun)
    {
        busy = true;
        replacement = null;
        await TryAsync(dryRun ? "Checking the baseline" : "Putting the baseline in place", async () =>
        {
            var reason = uploadReason.Trim();
            var uri = Api + (dryRun ? "?dryRun=true" : "?dryRun=false") + (reason.Length > 0 ? "&reason=" + Uri.EscapeDataString(reason) : "");
            using var request = new HttpRequestMessage(HttpMethod.Put, uri)
            {
                Content = new StringContent(uploadText, Encoding.UTF8, "application/yaml"),
            };
            if (currentETag is not null)
            {
                request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(currentETag));
            }
            if (reason.Length > 0 && reason.All(char.IsAscii))
            {
                request.Headers.TryAddWithoutValidation("X-ControlTower-Reason", reason);
            }
            using var response = await Gateway.OpenAsync(request, disposed.Token);
            replacement = await response.Content.ReadFromJsonAsync<BaselineReplacementView>(GatewayClient.Json, disposed.Token);
            if (replacement is { Applied: true })
            {
                currentETag = response.Headers.ETag?.Tag;
            }
        });
        if (problem?.Status == 412)
        {
            // Someone put a version in place since this one was read: the next try is against theirs.
            var read = await Gateway.GetVersionedAsync<BaselineView>(Api, disposed.Token);
            current = read.Value;
            currentETag = read.ETag;
        }
        busy = false;
    }

    private async Task TryAsync(string what, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (GatewayProblemException ex)
        {
            problem = ex.Problem;
            problemContext = what;
        }
        catch (JsonException ex)
        {
            problem = new GatewayProblem(502, "Unreadable answer", ex.Message, null);
            problemContext = what;
        }
    }

    private string ViewUri(string view) =>
        Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["view"] = view == "current" ? null : view,
            ["before"] = null,
            ["from"] = null,
            ["to"] = null,
        });

    private string DiffUri(int from, int to) =>
        Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["view"] = "diff", ["from"] = from, ["to"] = to, ["before"] = null });

    private string? Active(string view) => SelectedView == view ? "active" : null;

    private string? Current(string view) => SelectedView == view ? "page" : null;

    private static string NameOf(AwsLandingZone aws, string target) =>
        target == aws.RootId ? $"Root ({target})"
        : aws.OrganizationalUnits.FirstOrDefault(o => o.Id == target) is { } ou ? $"{ou.Name} ({target})"
        : aws.Accounts.FirstOrDefault(a => a.Id == target) is { } account ? $"{account.Name} ({target})"
        : target;

    private static string Pretty(string document)
    {
        try
        {
            using var parsed = JsonDocument.Parse(document);
            return JsonSerializer.Serialize(parsed.RootElement, PrettyJson);
        }
        catch (JsonException)
        {
            return document;
        }
    }

    private static readonly JsonSerializerOptions PrettyJson = new() { WriteIndented = true };

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
