using System.Text.Json;
using ControlTower.Web.Components.Pages.LandingZone;
using ControlTower.Web.Gateway;

namespace ControlTower.Web.Components.Pages.PolicySimulator;

/// <summary>One statement of a policy as the chain shows it (Index from 0, as the engine counts).</summary>
public sealed record ChainStatement(int Index, string? Sid, string Effect, string Applies, bool Conditional);

public sealed record ChainPolicy(string Id, string Name, string Document, IReadOnlyList<ChainStatement> Statements, bool Assumed = false);

/// <summary>A level of the path from the root to the account: the target and the SCPs attached to it.</summary>
public sealed record ChainLevel(string TargetId, string Kind, string Name, IReadOnlyList<ChainPolicy> Policies);

/// <summary>
/// The SCPs that decide for an account, level by level from the root, as the baseline attaches them. Every level also
/// has FullAWSAccess, as AWS Control Tower sets organisations up (the deny-list strategy); the impact preview assumes
/// the same, so the two agree.
/// </summary>
public static class SimulatorChain
{
    public const string FullAwsAccessId = "p-FullAWSAccess";
    private const string FullAwsAccessDocument = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";

    public static IReadOnlyList<ChainLevel> For(AwsLandingZone baseline, string accountId)
    {
        if (baseline.Accounts.FirstOrDefault(a => a.Id == accountId) is not { } account)
        {
            return [];
        }
        return [.. LandingZoneTree.AwsPath(baseline, account).Select(target =>
        {
            var (kind, name) = target == baseline.RootId ? ("Root", "Root")
                : target == account.Id ? ("Account", account.Name)
                : ("OU", baseline.OrganizationalUnits.FirstOrDefault(o => o.Id == target)?.Name ?? target);
            var policies = new List<ChainPolicy> { new(FullAwsAccessId, "FullAWSAccess", FullAwsAccessDocument, Statements(FullAwsAccessDocument), Assumed: true) };
            policies.AddRange(baseline.Policies.Where(p => p.Targets.Contains(target, StringComparer.Ordinal))
                .Select(p => new ChainPolicy(p.Id, p.Name, p.Document, Statements(p.Document))));
            return new ChainLevel(target, kind, name, policies);
        })];
    }

    public static ScpEvaluationRequest Request(AwsLandingZone baseline, string accountId, string action, string resource, Dictionary<string, string[]>? context) =>
        new(action, string.IsNullOrWhiteSpace(resource) ? "*" : resource, context,
            [.. For(baseline, accountId).Select(l => new ScpLevelInput(l.TargetId, [.. l.Policies.Select(p => new ScpPolicyInput(p.Id, p.Name, p.Document))]))],
            ManagementAccount: accountId == baseline.ManagementAccount);

    /// <summary>The statements of a policy document, read for display only (the engine does the deciding); empty if it does not parse.</summary>
    public static IReadOnlyList<ChainStatement> Statements(string document)
    {
        try
        {
            using var json = JsonDocument.Parse(document);
            if (!json.RootElement.TryGetProperty("Statement", out var statement))
            {
                return [];
            }
            var items = statement.ValueKind == JsonValueKind.Array ? statement.EnumerateArray().ToList() : [statement];
            return [.. items.Select((s, i) => new ChainStatement(i,
                s.TryGetProperty("Sid", out var sid) ? sid.GetString() : null,
                s.TryGetProperty("Effect", out var effect) ? effect.GetString() ?? "?" : "?",
                s.TryGetProperty("Action", out var action) ? Join(action)
                    : s.TryGetProperty("NotAction", out var notAction) ? "every action except " + Join(notAction) : "",
                s.TryGetProperty("Condition", out _)))];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string Join(JsonElement value) => value.ValueKind == JsonValueKind.Array
        ? string.Join(", ", value.EnumerateArray().Select(v => v.GetString()))
        : value.GetString() ?? "";
}

/// <summary>The simulator's inputs as they sit in the URL, so a decision is a link: <c>?account=…&amp;action=…&amp;resource=…&amp;ctx=key=value</c>.</summary>
public sealed record SimulatorInputs(string? Account, string? Action, string? Resource, IReadOnlyList<(string Key, string Value)> Context)
{
    public bool Complete => !string.IsNullOrWhiteSpace(Account) && !string.IsNullOrWhiteSpace(Action);

    /// <summary>Context rows from <c>ctx</c> values, each <c>key=value</c> (split at the first <c>=</c>).</summary>
    public static IReadOnlyList<(string Key, string Value)> ParseContext(IEnumerable<string>? values) =>
        [.. (values ?? []).Select(v => v.Split('=', 2)).Where(p => p[0].Trim().Length > 0).Select(p => (p[0].Trim(), p.Length > 1 ? p[1] : ""))];

    /// <summary>The context as the engine takes it: each key with all its values.</summary>
    public Dictionary<string, string[]>? ContextMap() => Context.Count == 0 ? null
        : Context.GroupBy(c => c.Key, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Select(c => c.Value).ToArray());

    public IReadOnlyDictionary<string, object?> Query() => new Dictionary<string, object?>
    {
        ["account"] = Blank(Account),
        ["action"] = Blank(Action?.Trim()),
        ["resource"] = Blank(Resource?.Trim()) is "*" ? null : Blank(Resource?.Trim()),
        ["ctx"] = Context.Where(c => c.Key.Trim().Length > 0).Select(c => $"{c.Key.Trim()}={c.Value}").ToArray(),
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
