using System.Collections.Concurrent;

namespace ControlTower.Governance.Scp;

/// <summary>
/// A question for the SCPs: may a principal call <see cref="Action"/> on <see cref="Resource"/>, given the
/// request's condition keys? Condition key names compare without case, as IAM's do; values keep theirs.
/// </summary>
public sealed class ScpRequest
{
    private readonly Dictionary<string, IReadOnlyList<string>> context;

    public ScpRequest(string action, string resource = "*", IEnumerable<KeyValuePair<string, IReadOnlyList<string>>>? context = null)
    {
        Action = action;
        Resource = resource;
        this.context = new Dictionary<string, IReadOnlyList<string>>(context ?? [], StringComparer.OrdinalIgnoreCase);
    }

    public string Action { get; }

    public string Resource { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Context => context;

    public bool TryGetContext(string key, out IReadOnlyList<string> values)
    {
        if (context.TryGetValue(key, out var found))
        {
            values = found;
            return true;
        }
        values = [];
        return false;
    }

    /// <summary>A request with single-valued keys.</summary>
    public static ScpRequest Of(string action, string resource = "*", params (string Key, string Value)[] context) =>
        new(action, resource, context.Select(c => KeyValuePair.Create(c.Key, (IReadOnlyList<string>)[c.Value])));
}

public enum ScpOutcome
{
    /// <summary>Every level on the path allows the action and none denies it.</summary>
    Allowed,

    /// <summary>Some level has no Allow that covers the request.</summary>
    ImplicitDeny,

    /// <summary>A Deny statement somewhere on the path covers the request.</summary>
    ExplicitDeny,

    /// <summary>SCPs do not apply: the management account, or a service-linked role.</summary>
    NotRestricted,
}

/// <summary>The answer, and what decided it: the level (root, OU or account), policy and statement.</summary>
public sealed record ScpDecision(ScpOutcome Outcome, string Reason, string? TargetId = null, string? PolicyId = null,
    string? PolicyName = null, int? StatementIndex = null, string? StatementSid = null);

/// <summary>
/// The policies attached directly to one target on the path: the root, an OU or the account. Validated on
/// creation against AWS's limit per target, and compiled with a cache of the statements that cover each action.
/// </summary>
public sealed class ScpLevel
{
    private const int MaxCachedActions = 50_000;
    private readonly ScpPolicy[] policies;
    private readonly ConcurrentDictionary<string, Candidate[]> byAction = new(StringComparer.OrdinalIgnoreCase);

    public ScpLevel(string targetId, IReadOnlyList<ScpPolicy> policies)
    {
        if (policies.Count == 0)
        {
            throw new ArgumentException($"{targetId}: every root, OU and account has at least one SCP attached", nameof(policies));
        }
        if (policies.Count > ScpPolicy.MaxAttachedPerTarget)
        {
            throw new ArgumentException($"{targetId}: {policies.Count} SCPs attached; AWS allows at most {ScpPolicy.MaxAttachedPerTarget} per target", nameof(policies));
        }
        TargetId = targetId;
        this.policies = [.. policies];
    }

    public string TargetId { get; }

    public IReadOnlyList<ScpPolicy> Policies => policies;

    /// <summary>The statements of this level whose Action or NotAction covers the action: Deny ones first.</summary>
    internal Candidate[] For(string action)
    {
        if (byAction.TryGetValue(action, out var found))
        {
            return found;
        }
        var candidates = policies
            .SelectMany(p => p.Statements.Where(s => s.AppliesToAction(action)).Select(s => new Candidate(p, s)))
            .OrderBy(c => c.Statement.Effect == ScpEffect.Deny ? 0 : 1)
            .ToArray();
        // Actions are a bounded vocabulary, but a caller could invent endless ones: stop caching past a bound.
        if (byAction.Count < MaxCachedActions)
        {
            byAction.TryAdd(action, candidates);
        }
        return candidates;
    }

    internal readonly record struct Candidate(ScpPolicy Policy, ScpStatement Statement);
}

/// <summary>
/// AWS's SCP evaluation: an explicit Deny anywhere on the path from the root to the account wins; otherwise
/// every level must have an Allow that covers the request, or the request is implicitly denied. SCPs do not
/// restrict the management account or service-linked roles. Pure and thread-safe.
/// </summary>
public static class ScpEvaluator
{
    public static ScpDecision Decide(ScpRequest request, IReadOnlyList<ScpLevel> path, bool managementAccount = false)
    {
        if (managementAccount)
        {
            return new ScpDecision(ScpOutcome.NotRestricted, "SCPs do not affect users or roles in the management account");
        }
        if (request.TryGetContext("aws:PrincipalArn", out var principals))
        {
            foreach (var principal in principals)
            {
                if (principal.Contains(":role/aws-service-role/", StringComparison.Ordinal))
                {
                    return new ScpDecision(ScpOutcome.NotRestricted, "SCPs do not affect service-linked roles");
                }
            }
        }

        foreach (var level in path)
        {
            foreach (var candidate in level.For(request.Action))
            {
                if (candidate.Statement.Effect != ScpEffect.Deny)
                {
                    break;
                }
                if (candidate.Statement.AppliesTo(request))
                {
                    return Decision(ScpOutcome.ExplicitDeny, "an explicit Deny covers the request", level, candidate);
                }
            }
        }

        if (path.Count == 0)
        {
            return new ScpDecision(ScpOutcome.ImplicitDeny, "the path has no levels");
        }
        // The allow reported is the account's own (the last level's): the one nearest the principal.
        ScpLevel.Candidate lastAllow = default;
        foreach (var level in path)
        {
            var allowed = false;
            foreach (var candidate in level.For(request.Action))
            {
                if (candidate.Statement.Effect == ScpEffect.Allow && candidate.Statement.AppliesTo(request))
                {
                    allowed = true;
                    lastAllow = candidate;
                    break;
                }
            }
            if (!allowed)
            {
                return new ScpDecision(ScpOutcome.ImplicitDeny, $"no SCP attached to {level.TargetId} allows the request", level.TargetId);
            }
        }
        return Decision(ScpOutcome.Allowed, "every level from the root to the account allows the request", path[^1], lastAllow);
    }

    private static ScpDecision Decision(ScpOutcome outcome, string reason, ScpLevel level, ScpLevel.Candidate candidate) =>
        new(outcome, reason, level.TargetId, candidate.Policy.Id, candidate.Policy.Name, candidate.Statement.Index, candidate.Statement.Sid);
}
