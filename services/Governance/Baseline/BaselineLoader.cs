using System.Text.RegularExpressions;
using ControlTower.Governance.Controls;
using ControlTower.Governance.Scp;
using ControlTower.Governance.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ControlTower.Governance.Baseline;

/// <summary>
/// Reads and validates a landing-zone baseline. Every fault is reported with its line and field, unknown
/// fields included (a misspelt key is a fault, not a silently ignored setting). Pure apart from
/// <c>readFile</c>, which resolves a policy's <c>file:</c>. Controls named on OUs and management groups are checked
/// against the control catalog (the embedded one unless another is given).
/// </summary>
public static partial class BaselineLoader
{
    public const int MaxOuDepth = 5;
    private static readonly string[] Roles = ["management", "log-archive", "audit", "shared-services", "workload", "sandbox", "suspended"];
    private static readonly string[] Effects = ["deny", "denyAction", "audit", "auditIfNotExists", "deployIfNotExists", "modify", "append", "disabled", "manual"];

    public static (LandingZoneBaseline? Baseline, IReadOnlyList<BaselineError> Errors) Load(
        string yaml, Func<string, string?> readFile, ControlCatalog? catalog = null)
    {
        var errors = new List<BaselineError>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            return (null, [new BaselineError((int)ex.Start.Line, "$", $"not YAML: {ex.Message}")]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's parser throws these, not a YamlException, on some malformed streams (found by FuzzTests).
            return (null, [new BaselineError(1, "$", $"not YAML: {ex.Message}")]);
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return (null, [new BaselineError(1, "$", "the baseline is one YAML document holding a mapping")]);
        }

        var reader = new Reader(errors, catalog ?? ControlCatalog.Default);
        reader.Known(root, "$", "version", "aws", "azure");
        var version = reader.Text(root, "version", "$", required: true);
        if (version is not null && version != "1")
        {
            errors.Add(new BaselineError(Line(root["version"]), "version", $"version {version} is not one this release reads (1)"));
        }
        var aws = reader.Map(root, "aws", "$") is { } awsNode ? Aws(awsNode, reader, readFile) : null;
        var azure = reader.Map(root, "azure", "$") is { } azureNode ? Azure(azureNode, reader) : null;
        if (aws is null && azure is null && errors.Count == 0)
        {
            errors.Add(new BaselineError(Line(root), "$", "a baseline describes aws, azure or both"));
        }
        return errors.Count > 0 ? (null, errors) : (new LandingZoneBaseline(1, aws, azure), errors);
    }

    private static AwsBaseline? Aws(YamlMappingNode node, Reader reader, Func<string, string?> readFile)
    {
        reader.Known(node, "aws", "organization", "organizationalUnits", "accounts", "policies");
        var org = reader.Map(node, "organization", "aws", required: true);
        if (org is null)
        {
            return null;
        }
        reader.Known(org, "aws.organization", "id", "root", "managementAccount", "trustedAccess");
        var orgId = reader.Text(org, "id", "aws.organization", required: true, pattern: OrgId());
        var rootId = reader.Text(org, "root", "aws.organization", required: true, pattern: RootId());
        var management = reader.Text(org, "managementAccount", "aws.organization", required: true, pattern: AccountId());
        var trusted = reader.Strings(org, "trustedAccess", "aws.organization");

        var ous = new List<BaselineOu>();
        var ouIds = new HashSet<string>(StringComparer.Ordinal);
        void AddOus(YamlSequenceNode? list, string parent, int depth, string path)
        {
            var index = 0;
            foreach (var item in list?.Children ?? [])
            {
                var itemPath = $"{path}[{index++}]";
                if (item is not YamlMappingNode ou)
                {
                    reader.Fault(item, itemPath, "an OU is a mapping with id and name");
                    continue;
                }
                reader.Known(ou, itemPath, "id", "name", "foundational", "controls", "children", "owner", "team", "environment");
                var id = reader.Text(ou, "id", itemPath, required: true, pattern: OuId());
                var name = reader.Text(ou, "name", itemPath, required: true);
                var controls = reader.Controls(ou, itemPath, "aws");
                if (depth > MaxOuDepth)
                {
                    reader.Fault(ou, itemPath, $"OUs nest at most {MaxOuDepth} levels below the root");
                }
                if (id is not null && !ouIds.Add(id))
                {
                    reader.Fault(ou["id"], $"{itemPath}.id", $"{id} is listed twice");
                }
                if (id is not null && name is not null)
                {
                    ous.Add(new BaselineOu(id, name, parent, depth, reader.Bool(ou, "foundational", itemPath), controls, reader.Ownership(ou, itemPath)));
                }
                AddOus(reader.Sequence(ou, "children", itemPath), id ?? "?", depth + 1, $"{itemPath}.children");
            }
        }
        AddOus(reader.Sequence(node, "organizationalUnits", "aws"), rootId ?? "?", 1, "aws.organizationalUnits");

        var parents = new HashSet<string>(ouIds, StringComparer.Ordinal);
        if (rootId is not null)
        {
            parents.Add(rootId);
        }
        var accounts = new List<BaselineAccount>();
        var accountIds = new HashSet<string>(StringComparer.Ordinal);
        var accountIndex = 0;
        foreach (var item in reader.Sequence(node, "accounts", "aws")?.Children ?? [])
        {
            var path = $"aws.accounts[{accountIndex++}]";
            if (item is not YamlMappingNode account)
            {
                reader.Fault(item, path, "an account is a mapping with id, name, role and ou");
                continue;
            }
            reader.Known(account, path, "id", "name", "role", "ou", "owner", "team", "environment");
            var id = reader.Text(account, "id", path, required: true, pattern: AccountId());
            var name = reader.Text(account, "name", path, required: true);
            var role = reader.Text(account, "role", path, required: true, allowed: Roles);
            var parent = reader.Text(account, "ou", path, required: true);
            if (parent is not null && !parents.Contains(parent))
            {
                reader.Fault(account["ou"], $"{path}.ou", $"{parent} is neither the root nor an OU of this baseline");
            }
            if (id is not null && !accountIds.Add(id))
            {
                reader.Fault(account["id"], $"{path}.id", $"{id} is listed twice");
            }
            if (id is not null && name is not null && role is not null && parent is not null)
            {
                accounts.Add(new BaselineAccount(id, name, role, parent, reader.Ownership(account, path)));
            }
        }

        var targets = new HashSet<string>(parents, StringComparer.Ordinal);
        targets.UnionWith(accountIds);
        var policies = new List<BaselinePolicy>();
        var perTarget = new Dictionary<string, int>(StringComparer.Ordinal);
        var policyIndex = 0;
        foreach (var item in reader.Sequence(node, "policies", "aws")?.Children ?? [])
        {
            var path = $"aws.policies[{policyIndex++}]";
            if (item is not YamlMappingNode policy)
            {
                reader.Fault(item, path, "a policy is a mapping with id, name, file or document, and attach");
                continue;
            }
            reader.Known(policy, path, "id", "name", "file", "document", "attach");
            var id = reader.Text(policy, "id", path, required: true, pattern: PolicyId());
            var name = reader.Text(policy, "name", path, required: true);
            var file = reader.Text(policy, "file", path);
            var inline = reader.Text(policy, "document", path);
            string? document = null;
            if ((file is null) == (inline is null))
            {
                reader.Fault(policy, path, "a policy has either file or document");
            }
            else if (file is not null)
            {
                document = readFile(file);
                if (document is null)
                {
                    reader.Fault(policy["file"], $"{path}.file", $"{file} cannot be read");
                }
            }
            else
            {
                document = inline;
            }
            ScpPolicy? compiled = null;
            if (document is not null && id is not null && name is not null)
            {
                var parsed = ScpParser.Parse(id, name, document);
                foreach (var error in parsed.Errors)
                {
                    reader.Fault(file is null ? policy["document"] : policy["file"], $"{path}.{(file is null ? "document" : "file")}{error.Path[1..]}", error.Message);
                }
                compiled = parsed.Policy;
            }
            var attach = reader.Strings(policy, "attach", path);
            foreach (var target in attach)
            {
                if (!targets.Contains(target))
                {
                    reader.Fault(policy["attach"], $"{path}.attach", $"{target} is not the root, an OU or an account of this baseline");
                }
                perTarget[target] = perTarget.GetValueOrDefault(target) + 1;
                if (perTarget[target] == ScpPolicy.MaxAttachedPerTarget + 1)
                {
                    reader.Fault(policy["attach"], $"{path}.attach", $"{target} would have more than {ScpPolicy.MaxAttachedPerTarget} SCPs attached");
                }
            }
            if (compiled is not null)
            {
                policies.Add(new BaselinePolicy(id!, name!, document!, compiled, attach));
            }
        }
        return orgId is null || rootId is null || management is null
            ? null
            : new AwsBaseline(orgId, rootId, management, trusted, ous, accounts, policies);
    }

    private static AzureBaseline? Azure(YamlMappingNode node, Reader reader)
    {
        reader.Known(node, "azure", "tenant", "managementGroups", "subscriptions", "policyAssignments");
        var tenant = reader.Text(node, "tenant", "azure", required: true, pattern: Guid());
        var groups = new List<BaselineManagementGroup>();
        void AddGroups(YamlSequenceNode? list, string? parent, string path)
        {
            var index = 0;
            foreach (var item in list?.Children ?? [])
            {
                var itemPath = $"{path}[{index++}]";
                if (item is not YamlMappingNode group)
                {
                    reader.Fault(item, itemPath, "a management group is a mapping with id and name");
                    continue;
                }
                reader.Known(group, itemPath, "id", "name", "controls", "children", "owner", "team", "environment");
                var id = reader.Text(group, "id", itemPath, required: true);
                var name = reader.Text(group, "name", itemPath, required: true);
                var controls = reader.Controls(group, itemPath, "azure");
                if (id is not null && groups.Any(g => g.Id == id))
                {
                    reader.Fault(group["id"], $"{itemPath}.id", $"{id} is listed twice");
                }
                if (id is not null && name is not null)
                {
                    groups.Add(new BaselineManagementGroup(id, name, parent, controls, reader.Ownership(group, itemPath)));
                }
                AddGroups(reader.Sequence(group, "children", itemPath), id, $"{itemPath}.children");
            }
        }
        AddGroups(reader.Sequence(node, "managementGroups", "azure"), null, "azure.managementGroups");

        var subscriptions = new List<BaselineSubscription>();
        var index = 0;
        foreach (var item in reader.Sequence(node, "subscriptions", "azure")?.Children ?? [])
        {
            var path = $"azure.subscriptions[{index++}]";
            if (item is not YamlMappingNode subscription)
            {
                reader.Fault(item, path, "a subscription is a mapping with id, name and managementGroup");
                continue;
            }
            reader.Known(subscription, path, "id", "name", "managementGroup", "owner", "team", "environment");
            var id = reader.Text(subscription, "id", path, required: true, pattern: Guid());
            var name = reader.Text(subscription, "name", path, required: true);
            var group = reader.Text(subscription, "managementGroup", path, required: true);
            if (group is not null && groups.All(g => g.Id != group))
            {
                reader.Fault(subscription["managementGroup"], $"{path}.managementGroup", $"{group} is not a management group of this baseline");
            }
            if (id is not null && name is not null && group is not null)
            {
                subscriptions.Add(new BaselineSubscription(id, name, group, reader.Ownership(subscription, path)));
            }
        }

        var assignments = new List<BaselinePolicyAssignment>();
        index = 0;
        foreach (var item in reader.Sequence(node, "policyAssignments", "azure")?.Children ?? [])
        {
            var path = $"azure.policyAssignments[{index++}]";
            if (item is not YamlMappingNode assignment)
            {
                reader.Fault(item, path, "a policy assignment is a mapping with name, scope, definition and effect");
                continue;
            }
            reader.Known(assignment, path, "name", "scope", "definition", "effect");
            var name = reader.Text(assignment, "name", path, required: true);
            var scope = reader.Text(assignment, "scope", path, required: true);
            var definition = reader.Text(assignment, "definition", path, required: true);
            var effect = reader.Text(assignment, "effect", path, required: true, allowed: Effects);
            if (name is not null && scope is not null && definition is not null && effect is not null)
            {
                assignments.Add(new BaselinePolicyAssignment(name, scope, definition, effect));
            }
        }
        return tenant is null ? null : new AzureBaseline(tenant, groups, subscriptions, assignments);
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;

    [GeneratedRegex("^o-[a-z0-9]{10,32}$")]
    private static partial Regex OrgId();

    [GeneratedRegex("^r-[0-9a-z]{4,32}$")]
    private static partial Regex RootId();

    [GeneratedRegex("^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")]
    private static partial Regex OuId();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();

    /// <summary>A team or environment name: short, lower case, as it appears in filters and URLs.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex Label();

    [GeneratedRegex("^p-[0-9a-zA-Z_]{8,128}$")]
    private static partial Regex PolicyId();

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex Guid();

    /// <summary>Reads fields of mappings, noting each fault with its line and path; and the control ids of OUs and management groups.</summary>
    private sealed class Reader(List<BaselineError> errors, ControlCatalog catalog)
        : YamlFieldReader((line, path, message) => errors.Add(new BaselineError(line, path, message)))
    {
        /// <summary>The optional <c>owner</c>, <c>team</c> and <c>environment</c> of an OU, account, management group or subscription.</summary>
        public Ownership? Ownership(YamlMappingNode node, string path) =>
            Baseline.Ownership.Of(Text(node, "owner", path), Text(node, "team", path, pattern: Label()), Text(node, "environment", path, pattern: Label()));

        /// <summary>The control ids of a <c>controls:</c> list, each one the catalog knows for this provider.</summary>
        public IReadOnlyList<string> Controls(YamlMappingNode node, string path, string provider)
        {
            var result = new List<string>();
            foreach (var item in Sequence(node, "controls", path)?.Children ?? [])
            {
                if (item is not YamlScalarNode { Value: { Length: > 0 } id })
                {
                    Fault(item, $"{path}.controls", "items must be control ids");
                    continue;
                }
                var control = catalog.Find(id);
                if (control is null)
                {
                    Fault(item, $"{path}.controls", $"'{id}' is not a control of the catalog (GET /api/governance/controls lists them)");
                }
                else if (control.Provider != provider)
                {
                    Fault(item, $"{path}.controls", $"'{id}' is an {control.Provider} control, not an {provider} one");
                }
                else if (result.Contains(id, StringComparer.Ordinal))
                {
                    Fault(item, $"{path}.controls", $"'{id}' is listed twice");
                }
                else
                {
                    result.Add(id);
                }
            }
            return result;
        }
    }
}
