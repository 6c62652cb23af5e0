using System.Text.Json;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Scp;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ControlTower.Governance.Apis;

/// <summary>
/// The SCP decision engine as a simulator: the caller gives the path (root, OUs, account) with the policies
/// attached at each level, and asks whether a request would pass. Nothing is stored.
/// </summary>
public static class ScpApi
{
    public static IEndpointRouteBuilder MapScpApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/governance/scp").WithTags("Governance");
        // A Delegate, not a RequestDelegate: the returned IResult is written to the response.
        api.MapPost("/evaluate", (Delegate)Evaluate)
            .WithName("EvaluateScp")
            .WithSummary("Would these SCPs allow this action on this resource with this context? Allowed, implicit deny or explicit deny, with the deciding level, policy and statement")
            .Accepts<ScpEvaluationRequest>("application/json")
            .Produces<ScpDecisionView>()
            .ProducesValidationProblem();
        api.MapPost("/impact", (Delegate)Impact)
            .WithName("PreviewScpImpact")
            .WithSummary("Which accounts of the baseline's organisation would lose or gain this action if this policy read so, or if this new policy were attached to this target?")
            .Accepts<ScpImpactRequest>("application/json")
            .Produces<ScpImpactView>()
            .ProducesValidationProblem();
        return app;
    }

    public static async Task<IResult> Impact(HttpContext context, BaselineProvider provider, Data.GovernanceDbContext db)
    {
        var (request, problem) = await JsonBody.ReadAsync<ScpImpactRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }
        if ((await provider.CurrentAsync(db, context.RequestAborted))?.Baseline.Aws is not { } aws)
        {
            return DriftApi.NoBaseline();
        }
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request!.Action))
        {
            errors["action"] = ["the action to decide, as service:Action"];
        }
        // Without a policyId, the document is a new policy attached to targetId.
        var attach = request.PolicyId is null && request.TargetId is not null;
        if (attach)
        {
            CheckTarget(aws, request.TargetId!, errors);
        }
        else if (aws.Policies.All(p => p.Id != request.PolicyId))
        {
            errors["policyId"] = [$"'{request.PolicyId}' is not a policy of the baseline; it has {string.Join(", ", aws.Policies.Select(p => p.Id))} (or give targetId instead, to attach a new policy there)"];
        }
        var replacement = ReadPolicy(request.Document, request.PolicyId ?? "p-new", request.PolicyId ?? "new policy", "document", errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request or its policy is not valid");
        }
        var scpRequest = new ScpRequest(request.Action!, request.Resource ?? "*",
            request.Context?.Select(c => KeyValuePair.Create(c.Key, (IReadOnlyList<string>)c.Value)));
        var impact = attach
            ? ImpactPreview.PreviewAttached(aws, request.TargetId!, replacement!, scpRequest)
            : ImpactPreview.Preview(aws, request.PolicyId!, replacement!, scpRequest);
        return TypedResults.Ok(new ScpImpactView(
            [.. impact.Lose.Select(ScpImpactAccount.From)], [.. impact.Gain.Select(ScpImpactAccount.From)], impact.AccountsChecked));
    }

    private static void CheckTarget(AwsBaseline aws, string target, Dictionary<string, string[]> errors)
    {
        if (target != aws.RootId && aws.OrganizationalUnits.All(o => o.Id != target) && aws.Accounts.All(a => a.Id != target))
        {
            errors["targetId"] = [$"'{target}' is not the root, an OU or an account of the baseline"];
        }
        else if (ImpactPreview.AttachedTo(aws, target) >= ScpPolicy.MaxAttachedPerTarget)
        {
            errors["targetId"] = [$"{target} already has {ImpactPreview.AttachedTo(aws, target)} SCPs (FullAWSAccess included); AWS allows at most {ScpPolicy.MaxAttachedPerTarget}"];
        }
    }

    public static async Task<IResult> Evaluate(HttpContext context)
    {
        var (request, problem) = await JsonBody.ReadAsync<ScpEvaluationRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request!.Action))
        {
            errors["action"] = ["the action to decide, as service:Action"];
        }
        if (request.Path is not { Count: > 0 })
        {
            errors["path"] = ["the levels from the root to the account, each with its attached policies"];
        }
        var levels = new List<ScpLevel>();
        for (var l = 0; l < (request.Path?.Count ?? 0); l++)
        {
            var level = request.Path![l];
            var levelPath = $"path[{l}]";
            if (string.IsNullOrWhiteSpace(level.TargetId))
            {
                errors[$"{levelPath}.targetId"] = ["the root, OU or account id"];
            }
            if (level.Policies is not { Count: > 0 } || level.Policies.Count > ScpPolicy.MaxAttachedPerTarget)
            {
                errors[$"{levelPath}.policies"] = [$"every level has 1 to {ScpPolicy.MaxAttachedPerTarget} attached SCPs; this one has {level.Policies?.Count ?? 0}"];
                continue;
            }
            var policies = new List<ScpPolicy>();
            for (var p = 0; p < level.Policies.Count; p++)
            {
                var input = level.Policies[p];
                var id = input.Id ?? $"policy-{l}-{p}";
                if (ReadPolicy(input.Document, id, input.Name ?? id, $"{levelPath}.policies[{p}].document", errors) is { } policy)
                {
                    policies.Add(policy);
                }
            }
            if (policies.Count == level.Policies.Count && !string.IsNullOrWhiteSpace(level.TargetId))
            {
                levels.Add(new ScpLevel(level.TargetId, policies));
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request or a policy in it is not valid");
        }

        var scpRequest = new ScpRequest(request.Action!, request.Resource ?? "*",
            request.Context?.Select(c => KeyValuePair.Create(c.Key, (IReadOnlyList<string>)c.Value)));
        var decision = ScpEvaluator.Decide(scpRequest, levels, request.ManagementAccount);
        return TypedResults.Ok(ScpDecisionView.From(decision));
    }

    /// <summary>
    /// A policy document as a request carries it (a JSON object, or a string holding one, as Organizations
    /// returns it), parsed; each fault is added under <paramref name="path"/> followed by its place in the document.
    /// </summary>
    private static ScpPolicy? ReadPolicy(JsonElement document, string id, string name, string path, Dictionary<string, string[]> errors)
    {
        if (document.ValueKind is not (JsonValueKind.String or JsonValueKind.Object))
        {
            errors[path] = ["the policy document, as a JSON object or a string holding one"];
            return null;
        }
        var parsed = ScpParser.Parse(id, name, document.ValueKind == JsonValueKind.String ? document.GetString()! : document.GetRawText());
        foreach (var error in parsed.Errors)
        {
            errors[$"{path}{error.Path[1..]}"] = [error.Message];
        }
        return parsed.Policy;
    }
}

public sealed record ScpEvaluationRequest(
    string? Action,
    string? Resource,
    Dictionary<string, string[]>? Context,
    List<ScpLevelInput>? Path,
    bool ManagementAccount = false);

public sealed record ScpLevelInput(string? TargetId, List<ScpPolicyInput>? Policies);

/// <summary>A policy: its document as a JSON object or a string (as Organizations returns it), and optionally its id and name.</summary>
public sealed record ScpPolicyInput(string? Id, string? Name, JsonElement Document);

public sealed record ScpDecisionView(string Outcome, string Reason, string? TargetId, string? PolicyId, string? PolicyName, int? StatementIndex, string? StatementSid)
{
    public static ScpDecisionView From(ScpDecision d) => new(
        d.Outcome switch
        {
            ScpOutcome.Allowed => "allowed",
            ScpOutcome.ImplicitDeny => "implicitDeny",
            ScpOutcome.ExplicitDeny => "explicitDeny",
            _ => "notRestricted",
        },
        d.Reason, d.TargetId, d.PolicyId, d.PolicyName, d.StatementIndex, d.StatementSid);
}

/// <summary>A changed document for the baseline's <see cref="PolicyId"/>, or, without one, a new policy attached to <see cref="TargetId"/>.</summary>
public sealed record ScpImpactRequest(string? PolicyId, JsonElement Document, string? Action, string? Resource, Dictionary<string, string[]>? Context,
    string? TargetId = null);

public sealed record ScpImpactAccount(string AccountId, string Name, ScpDecisionView Before, ScpDecisionView After)
{
    public static ScpImpactAccount From(AccountImpact impact) =>
        new(impact.AccountId, impact.Name, ScpDecisionView.From(impact.Before), ScpDecisionView.From(impact.After));
}

/// <summary>The accounts that would lose the action, those that would gain it, and how many were checked.</summary>
public sealed record ScpImpactView(IReadOnlyList<ScpImpactAccount> Lose, IReadOnlyList<ScpImpactAccount> Gain, int AccountsChecked);
