using System.Globalization;
using System.Text.Json;
using ControlTower.Web.Components.Shared;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.Releases;

/// <summary>
/// One release: who registered what, the verdict with every rule's observed against expected values, the evidence
/// (smoke failures by name, truth, approvals, metrics, every file's content), a replay of the verdict, its history,
/// and the waivers, which an Approver can grant here.
/// </summary>
public sealed partial class ReleasePage : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly WaiverForm form = new();
    private readonly Dictionary<string, string> errors = [];
    private LiveRefresh? refresher;
    private GatewayProblem? problem;
    private GatewayProblem? actionProblem;
    private GatewayProblem? waiverProblem;
    private string? actionContext;
    private string? waiverStatus;
    private ReplayResult? replay;
    private string callerName = "";
    private bool live = true;
    private bool busy;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private PortalUser User { get; set; } = default!;

    [Parameter]
    public Guid Id { get; set; }

    /// <summary>An earlier verdict to show instead of the latest (<c>?verdict=</c>).</summary>
    [SupplyParameterFromQuery(Name = "verdict")]
    public Guid? VerdictParameter { get; set; }

    [PersistentState]
    public ReleaseDetail? Detail { get; set; }

    /// <summary>The verdict asked for by <see cref="VerdictParameter"/>, when it is not the latest.</summary>
    [PersistentState]
    public Verdict? Earlier { get; set; }

    /// <summary>Smoke files by evidence id, each read once (evidence never changes).</summary>
    [PersistentState]
    public Dictionary<Guid, EvidenceFile>? Files { get; set; }

    [PersistentState]
    public GatePolicy? Policy { get; set; }

    [PersistentState]
    public string? LoadedFor { get; set; }

    [PersistentState]
    public DateTimeOffset? LoadedAt { get; set; }

    private string Key => $"{Id}|{VerdictParameter}";

    private string Title => Detail?.Release is { } r ? $"{r.Service} {r.Version} in {r.Environment}" : "Release";

    private string StatusText => LoadedAt is not { } at ? "Loading…" : $"{(live ? "Live" : "Paused")} · updated {at.UtcDateTime:HH:mm:ss} UTC";

    private string BoardHref => Detail?.Release is { } r ? $"/releases?service={Uri.EscapeDataString(r.Service)}" : "/releases";

    public Verdict? Shown => VerdictParameter is null ? Detail?.LatestVerdict : Earlier;

    private IReadOnlyList<EvidenceInfo> Waivers => Of("waiver");

    private IReadOnlyList<EvidenceInfo> SmokeRuns => [.. Of("smokeRun").AsEnumerable().Reverse()];

    private List<EvidenceInfo> Of(string kind) => [.. (Detail?.Evidence ?? []).Where(e => e.Kind == kind)];

    protected override async Task OnParametersSetAsync()
    {
        callerName = (await User.CallerAsync()).Name;
        if (LoadedFor != Key)
        {
            replay = null;
            await LoadAsync(CancellationToken.None);
        }
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            refresher = new LiveRefresh(async cancellationToken =>
            {
                await LoadAsync(cancellationToken);
                await InvokeAsync(StateHasChanged);
            }) { Live = live };
            refresher.Start();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var key = Key;
            Detail = await Gateway.GetAsync<ReleaseDetail>($"/api/releases/{Id}/detail", cancellationToken);
            if (VerdictParameter is { } wanted && Earlier?.Id != wanted)
            {
                Earlier = await Gateway.GetAsync<Verdict>($"/api/releases/evaluations/{wanted}", cancellationToken);
            }
            Files ??= [];
            foreach (var smoke in Detail.Evidence.Where(e => e.Kind == "smokeRun" && !Files.ContainsKey(e.Id)))
            {
                Files[smoke.Id] = await Gateway.GetAsync<EvidenceFile>($"/api/releases/{Id}/evidence/{smoke.Id}", cancellationToken);
            }
            if (Shown is { } verdict && Policy?.Hash != verdict.Policy.Hash)
            {
                Policy = (await Gateway.GetAsync<List<GatePolicy>>("/api/releases/policies", cancellationToken)).FirstOrDefault(p => p.Hash == verdict.Policy.Hash);
            }
            LoadedFor = key;
            LoadedAt = DateTimeOffset.UtcNow;
            problem = null;
        }
        catch (GatewayProblemException ex)
        {
            problem = ex.Problem;
        }
    }

    private async Task ReplayAsync()
    {
        if (Shown is not { } verdict)
        {
            return;
        }
        await RunAsync("Replaying the verdict", async () =>
            replay = await Gateway.GetAsync<ReplayResult>($"/api/releases/evaluations/{verdict.Id}/replay", CancellationToken.None));
    }

    private Task EvaluateAsync() => RunAsync("Evaluating the release", async () =>
    {
        await Gateway.SendAsync(HttpMethod.Post, $"/api/releases/{Id}/evaluations", null, null, CancellationToken.None);
        replay = null;
        await LoadAsync(CancellationToken.None);
    });

    private async Task RunAsync(string context, Func<Task> action)
    {
        busy = true;
        actionContext = context;
        actionProblem = null;
        try
        {
            await action();
        }
        catch (GatewayProblemException ex)
        {
            actionProblem = ex.Problem;
        }
        finally
        {
            busy = false;
        }
    }

    private async Task GrantAsync()
    {
        waiverStatus = null;
        waiverProblem = null;
        errors.Clear();
        var grant = form.Validate(callerName, DateTimeOffset.UtcNow, errors);
        if (grant is null)
        {
            waiverStatus = "Check the fields marked.";
            return;
        }
        busy = true;
        try
        {
            await Gateway.SendAsync(HttpMethod.Post, $"/api/releases/{Id}/waivers", grant, null, CancellationToken.None);
            waiverStatus = "Waiver granted.";
            form.Clear();
            await LoadAsync(CancellationToken.None);
        }
        catch (GatewayProblemException ex)
        {
            waiverProblem = ex.Problem;
            foreach (var (field, messages) in ex.Problem.Errors ?? new Dictionary<string, string[]>())
            {
                errors[field is "ruleId" or "ruleKind" ? "target" : field] = string.Join(" ", messages);
            }
        }
        finally
        {
            busy = false;
        }
    }

    private string? Error(string field) => errors.GetValueOrDefault(field);

    private string? Invalid(string field) => errors.ContainsKey(field) ? "true" : null;

    private void SetLive(bool value)
    {
        live = value;
        if (refresher is not null)
        {
            refresher.Live = value;
        }
    }

    /// <summary>The rules that held the release back first, then the rest in the policy's order.</summary>
    public static IEnumerable<RuleResult> OrderedRules(Verdict verdict) =>
        verdict.Rules.Select((r, i) => (r, i)).OrderBy(x => x.r.WaivedBy is null && x.r.Counted is { } c && c != "Pass" ? 0 : 1).ThenBy(x => x.i).Select(x => x.r);

    public static string RuleStatus(RuleResult rule) => rule.WaivedBy is null ? rule.Outcome : $"Waived ({rule.Outcome})";

    private static RenderFragment Facts(IReadOnlyDictionary<string, string> facts) => builder =>
    {
        if (facts.Count == 0)
        {
            builder.AddMarkupContent(0, "<span class=\"empty\">nothing</span>");
            return;
        }
        builder.OpenElement(1, "dl");
        builder.AddAttribute(2, "class", "facts");
        foreach (var (name, value) in facts)
        {
            builder.OpenElement(3, "dt");
            builder.AddContent(4, name);
            builder.CloseElement();
            builder.OpenElement(5, "dd");
            builder.AddContent(6, value);
            builder.CloseElement();
        }
        builder.CloseElement();
    };

    private static DateTimeOffset? Expiry(EvidenceInfo waiver) =>
        DateTimeOffset.TryParse(waiver.Text("expiresAt"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    private static string Kind(string kind) => kind switch
    {
        "smokeRun" => "Smoke run",
        "truthObservation" => "Truth observation",
        "findingsSnapshot" => "Findings snapshot",
        "approval" => "Approval",
        "waiver" => "Waiver",
        "metric" => "Metric sample",
        _ => kind,
    };

    private static string Pretty(JsonElement content) => JsonSerializer.Serialize(content, Indented);

    private static string Short(string text, int length) => text.Length > length ? text[..length] + "…" : text;

    public void Dispose() => refresher?.Dispose();

    /// <summary>The grant form, checked here before the server checks it again.</summary>
    public sealed class WaiverForm
    {
        public string Target { get; set; } = "";
        public string Reason { get; set; } = "";
        public string RequestedBy { get; set; } = "";
        public DateTime? ExpiresAt { get; set; } = DateTime.UtcNow.Date.AddDays(2);

        public void Clear()
        {
            Target = "";
            Reason = "";
            RequestedBy = "";
        }

        public WaiverGrant? Validate(string approver, DateTimeOffset now, Dictionary<string, string> errors)
        {
            if (!Target.StartsWith("id:", StringComparison.Ordinal) && !Target.StartsWith("kind:", StringComparison.Ordinal))
            {
                errors["target"] = "Choose the rule, or the kind of rule, to waive.";
            }
            if (string.IsNullOrWhiteSpace(Reason))
            {
                errors["reason"] = "Say why the release may go despite this rule.";
            }
            else if (Reason.Length > 2048)
            {
                errors["reason"] = "At most 2048 characters.";
            }
            if (string.IsNullOrWhiteSpace(RequestedBy))
            {
                errors["requestedBy"] = "Name who asked for the waiver.";
            }
            else if (string.Equals(RequestedBy.Trim(), approver, StringComparison.OrdinalIgnoreCase))
            {
                errors["requestedBy"] = "You approve it, so someone else must have asked for it.";
            }
            DateTimeOffset? expires = ExpiresAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
            if (expires is null)
            {
                errors["expiresAt"] = "Give the expiry (UTC).";
            }
            else if (expires <= now)
            {
                errors["expiresAt"] = "The expiry must be in the future.";
            }
            if (errors.Count > 0)
            {
                return null;
            }
            var (ruleId, ruleKind) = Target.StartsWith("id:", StringComparison.Ordinal) ? (Target[3..], (string?)null) : (null, Target[5..]);
            return new WaiverGrant(ruleId, ruleKind, Reason.Trim(), RequestedBy.Trim(), approver, expires!.Value);
        }
    }
}
