namespace ControlTower.Governance.Scp;

public enum ScpEffect
{
    Allow,
    Deny,
}

/// <summary>A service control policy, parsed and compiled for evaluation.</summary>
public sealed record ScpPolicy(string Id, string Name, IReadOnlyList<ScpStatement> Statements)
{
    /// <summary>The largest SCP document AWS accepts (the Organizations quotas page, 2026).</summary>
    public const int MaxCharacters = 10_240;

    /// <summary>The most SCPs that may be attached directly to one root, OU or account.</summary>
    public const int MaxAttachedPerTarget = 10;

    /// <summary>The AWS-managed policy attached everywhere by default: allow everything.</summary>
    public static ScpPolicy FullAwsAccess { get; } = ScpParser.Parse("p-FullAWSAccess", "FullAWSAccess",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""").Policy!;
}

/// <summary>One statement: effect, what it applies to (Action or NotAction, Resource or NotResource) and its conditions.</summary>
public sealed class ScpStatement(
    int index, string? sid, ScpEffect effect, Wildcard[] actions, bool notAction, Wildcard[] resources, bool notResource, Condition[] conditions)
{
    /// <summary>Position in the policy's Statement list, from 0.</summary>
    public int Index { get; } = index;

    public string? Sid { get; } = sid;

    public ScpEffect Effect { get; } = effect;

    public IReadOnlyList<Wildcard> Actions { get; } = actions;

    public bool NotAction { get; } = notAction;

    public IReadOnlyList<Wildcard> Resources { get; } = resources;

    public bool NotResource { get; } = notResource;

    public IReadOnlyList<Condition> Conditions { get; } = conditions;

    /// <summary>Whether the statement covers the action: one of Action matches, or none of NotAction does. Actions compare without case.</summary>
    public bool AppliesToAction(string action) => AnyMatch(actions, action) != NotAction;

    /// <summary>The rest of the match once the action applies: the resource, then every condition.</summary>
    public bool AppliesTo(ScpRequest request)
    {
        if (AnyMatch(resources, request.Resource) == NotResource)
        {
            return false;
        }
        foreach (var condition in conditions)
        {
            if (!condition.IsSatisfied(request))
            {
                return false;
            }
        }
        return true;
    }

    private static bool AnyMatch(Wildcard[] patterns, string value)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.IsMatch(value))
            {
                return true;
            }
        }
        return false;
    }
}
