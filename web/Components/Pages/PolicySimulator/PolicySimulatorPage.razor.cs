using System.Text.Json;
using ControlTower.Web.Gateway;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.PolicySimulator;

/// <summary>
/// The SCP decision for an account, action, resource and context (all in the URL), with the deciding level, policy and
/// statement highlighted in the chain of SCPs from the root; and the impact of a changed SCP on the baseline's accounts.
/// </summary>
public sealed partial class PolicySimulatorPage
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private BaselineDocument? baseline;
    private GatewayProblem? problem;
    private string problemContext = "Simulating";
    private string account = "";
    private string action = "";
    private string resource = "";
    private List<ContextRow> context = [];
    private IReadOnlyList<ChainLevel> chain = [];
    private ScpDecision? decision;
    private string? impactPolicy;
    private string? impactWhat;
    private bool attachNew;
    private string? impactTarget;
    private string? impactAction;
    private string impactDocument = "";
    private ScpImpact? impact;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "account")]
    public string? AccountQuery { get; set; }

    [SupplyParameterFromQuery(Name = "action")]
    public string? ActionQuery { get; set; }

    [SupplyParameterFromQuery(Name = "resource")]
    public string? ResourceQuery { get; set; }

    [SupplyParameterFromQuery(Name = "ctx")]
    public string[]? ContextQuery { get; set; }

    private AwsLandingZone? Aws => baseline?.Baseline.Aws;

    private SimulatorInputs Inputs => new(AccountQuery, ActionQuery, ResourceQuery, SimulatorInputs.ParseContext(ContextQuery));

    private string AccountName => Aws?.Accounts.FirstOrDefault(a => a.Id == Inputs.Account) is { } a ? $"{a.Name} ({a.Id})" : Inputs.Account ?? "";

    protected override async Task OnParametersSetAsync()
    {
        // The form shows what the URL says; a submitted form only changes the URL, which lands here.
        var inputs = Inputs;
        account = inputs.Account ?? "";
        action = inputs.Action ?? "";
        resource = inputs.Resource ?? "";
        context = [.. inputs.Context.Select(c => new ContextRow { Key = c.Key, Value = c.Value })];
        if (!RendererInfo.IsInteractive)
        {
            return;
        }
        try
        {
            baseline ??= await Gateway.GetAsync<BaselineDocument>("/api/governance/baseline", CancellationToken.None);
        }
        catch (GatewayProblemException ex)
        {
            (problemContext, problem) = ("Reading the baseline", ex.Problem);
            return;
        }
        chain = Aws is { } aws && inputs.Account is { } id ? SimulatorChain.For(aws, id) : [];
        decision = null;
        if (!inputs.Complete || Aws is null)
        {
            return;
        }
        if (chain.Count == 0)
        {
            (problemContext, problem) = ("Simulating", new GatewayProblem(404, "Unknown account", $"{inputs.Account} is not an account of the baseline's organisation.", null));
            return;
        }
        try
        {
            var request = SimulatorChain.Request(Aws, inputs.Account!, inputs.Action!.Trim(), inputs.Resource ?? "*", inputs.ContextMap());
            decision = (await Gateway.SendAsync<ScpDecision>(HttpMethod.Post, "/api/governance/scp/evaluate", request, null, CancellationToken.None)).Value;
            problem = null;
        }
        catch (GatewayProblemException ex)
        {
            (problemContext, problem) = ("Simulating", ex.Problem);
        }
    }

    private void SimulateAsync()
    {
        var inputs = new SimulatorInputs(account, action, resource, [.. context.Select(c => (c.Key, c.Value))]);
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(inputs.Query()));
    }

    private string LevelName(string targetId) => chain.FirstOrDefault(l => l.TargetId == targetId) is { } level
        ? $"{level.Kind} {level.Name} ({level.TargetId})"
        : targetId;

    private static string TargetName(AwsLandingZone aws, string target) =>
        target == aws.RootId ? "Root"
        : aws.OrganizationalUnits.FirstOrDefault(o => o.Id == target)?.Name is { } ou ? $"OU {ou}"
        : aws.Accounts.FirstOrDefault(a => a.Id == target)?.Name is { } name ? $"account {name}"
        : target;

    private void ChoosePolicy(ChangeEventArgs e)
    {
        impactPolicy = e.Value as string;
        impact = null;
        var policy = Aws?.Policies.FirstOrDefault(p => p.Id == impactPolicy);
        impactDocument = policy is null ? "" : Pretty(policy.Document);
    }

    private static string Pretty(string document)
    {
        try
        {
            using var json = JsonDocument.Parse(document);
            return JsonSerializer.Serialize(json.RootElement, Indented);
        }
        catch (JsonException)
        {
            return document;
        }
    }

    private const string NewPolicyTemplate = """
        {
          "Version": "2012-10-17",
          "Statement": [
            { "Sid": "DenySomething", "Effect": "Deny", "Action": ["service:Action"], "Resource": "*" }
          ]
        }
        """;

    private void SetMode(bool attach)
    {
        attachNew = attach;
        impact = null;
        impactDocument = attach ? NewPolicyTemplate : Aws?.Policies.FirstOrDefault(p => p.Id == impactPolicy) is { } policy ? Pretty(policy.Document) : "";
    }

    private async Task PreviewAsync()
    {
        if (attachNew ? string.IsNullOrEmpty(impactTarget) : string.IsNullOrEmpty(impactPolicy))
        {
            return;
        }
        impact = null;
        try
        {
            // The document goes as text: the engine parses it and names each fault (malformed JSON included).
            var inputs = new SimulatorInputs(account, action, resource, [.. context.Select(c => (c.Key, c.Value))]);
            var request = new ScpImpactRequest(attachNew ? null : impactPolicy, impactDocument, action.Trim(),
                string.IsNullOrWhiteSpace(resource) ? "*" : resource.Trim(), inputs.ContextMap(), attachNew ? impactTarget : null);
            impact = (await Gateway.SendAsync<ScpImpact>(HttpMethod.Post, "/api/governance/scp/impact", request, null, CancellationToken.None)).Value;
            impactWhat = attachNew
                ? $"If this new policy were attached to {(Aws is { } aws ? TargetName(aws, impactTarget!) : impactTarget)}"
                : $"If {Aws?.Policies.FirstOrDefault(p => p.Id == impactPolicy)?.Name ?? impactPolicy} read so";
            impactAction = action.Trim();
            problem = null;
        }
        catch (GatewayProblemException ex)
        {
            (problemContext, problem) = ("Previewing the impact", ex.Problem);
        }
    }

    private sealed class ContextRow
    {
        public string Key { get; set; } = "";
        public string Value { get; set; } = "";
    }
}
