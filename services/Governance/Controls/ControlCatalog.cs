using System.Text.Json.Serialization;
using ControlTower.Governance.Scp;
using ControlTower.Governance.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ControlTower.Governance.Controls;

/// <summary>
/// A control: what it forbids, how it is enforced and how much it matters, and the <see cref="Match"/> that picks
/// the activity breaking it. <see cref="Subject"/> names the parts (attributes or raw field paths) of the activity
/// that say what one finding is about, e.g. the account and the trail.
/// </summary>
public sealed record Control(
    string Id,
    string Title,
    string Nature,
    string Guidance,
    string Severity,
    string Provider,
    IReadOnlyList<string> Subject,
    string Repair,
    [property: JsonIgnore] ActivityMatcher Match)
{
    public const string Preventive = "preventive";
    public const string Detective = "detective";
    public const string Mandatory = "mandatory";

    public bool IsMandatory => Guidance == Mandatory;

    public bool IsPreventive => Nature == Preventive;
}

/// <summary>A fault in the control catalog: the line it is on (from 1), the field's path, and what is wrong.</summary>
public sealed record CatalogError(int Line, string Field, string Message)
{
    public override string ToString() => $"line {Line}, {Field}: {Message}";
}

/// <summary>
/// The controls this service knows (<c>Controls/catalog.yaml</c>, embedded in the assembly), with the roles no
/// control judges and the error codes that mean an access policy refused a call.
/// </summary>
public sealed class ControlCatalog
{
    public static readonly string[] Natures = [Control.Preventive, Control.Detective];
    public static readonly string[] Guidances = [Control.Mandatory, "strongly-recommended", "elective"];
    public static readonly string[] Severities = ["critical", "high", "medium", "low"];
    public static readonly string[] Providers = ["aws", "azure"];

    private static readonly Lazy<ControlCatalog> Embedded = new(() =>
    {
        using var stream = typeof(ControlCatalog).Assembly.GetManifestResourceStream("ControlTower.Governance.Controls.catalog.yaml")
            ?? throw new InvalidOperationException("The control catalog is not embedded in the assembly");
        using var reader = new StreamReader(stream);
        var (catalog, errors) = Load(reader.ReadToEnd());
        return catalog ?? throw new InvalidOperationException($"The embedded control catalog has {errors.Count} fault(s):{Environment.NewLine}"
            + string.Join(Environment.NewLine, errors.Select(e => $"  {e}")));
    });

    private readonly Dictionary<string, Control> byId;
    private readonly HashSet<string> denied;

    private ControlCatalog(IReadOnlyList<Control> controls, IReadOnlyList<string> exemptRoles, IReadOnlyList<string> deniedErrorCodes)
    {
        Controls = controls;
        ExemptRoles = exemptRoles;
        DeniedErrorCodes = deniedErrorCodes;
        ExemptRolePatterns = [.. exemptRoles.Select(r => new Wildcard(r, ignoreCase: false))];
        denied = new HashSet<string>(deniedErrorCodes, StringComparer.OrdinalIgnoreCase);
        byId = controls.ToDictionary(c => c.Id, StringComparer.Ordinal);
    }

    /// <summary>The catalog shipped in this assembly.</summary>
    public static ControlCatalog Default => Embedded.Value;

    public IReadOnlyList<Control> Controls { get; }

    /// <summary>Role names (IAM wildcards) whose calls no control judges: AWS Control Tower's own roles.</summary>
    public IReadOnlyList<string> ExemptRoles { get; }

    public IReadOnlyList<string> DeniedErrorCodes { get; }

    [JsonIgnore]
    public IReadOnlyList<Wildcard> ExemptRolePatterns { get; }

    /// <summary>Whether an error code says an access policy refused the call (compared without case: Azure's vary).</summary>
    public bool IsDenied(string? errorCode) => errorCode is not null && denied.Contains(errorCode);

    public Control? Find(string id) => byId.GetValueOrDefault(id);

    public static (ControlCatalog? Catalog, IReadOnlyList<CatalogError> Errors) Load(string yaml)
    {
        var errors = new List<CatalogError>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            return (null, [new CatalogError((int)ex.Start.Line, "$", $"not YAML: {ex.Message}")]);
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return (null, [new CatalogError(1, "$", "the catalog is one YAML document holding a mapping")]);
        }
        var reader = new CatalogReader(errors);
        reader.Known(root, "$", "exemptRoles", "deniedErrorCodes", "controls");
        var exempt = reader.Strings(root, "exemptRoles", "$");
        var denied = reader.Strings(root, "deniedErrorCodes", "$");
        var controls = new List<Control>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in reader.Sequence(root, "controls", "$")?.Children ?? [])
        {
            var path = $"controls[{index++}]";
            if (item is not YamlMappingNode node)
            {
                reader.Fault(item, path, "a control is a mapping");
                continue;
            }
            reader.Known(node, path, "id", "title", "nature", "guidance", "severity", "provider", "subject", "repair", "match");
            var id = reader.Text(node, "id", path, required: true);
            var title = reader.Text(node, "title", path, required: true);
            var nature = reader.Text(node, "nature", path, required: true, allowed: Natures);
            var guidance = reader.Text(node, "guidance", path, required: true, allowed: Guidances);
            var severity = reader.Text(node, "severity", path, required: true, allowed: Severities);
            var provider = reader.Text(node, "provider", path, required: true, allowed: Providers);
            var subject = reader.Strings(node, "subject", path);
            var repair = reader.Text(node, "repair", path, required: true);
            if (subject.Count == 0)
            {
                reader.Fault(node, $"{path}.subject", "'subject' lists at least one attribute or field");
            }
            if (id is not null && !ids.Add(id))
            {
                reader.Fault(node["id"], $"{path}.id", $"{id} is listed twice");
            }
            var match = reader.Map(node, "match", path, required: true) is { } matchNode
                ? reader.Matcher(matchNode, $"{path}.match", ignoreCase: provider == "azure")
                : null;
            if (id is not null && title is not null && nature is not null && guidance is not null && severity is not null
                && provider is not null && repair is not null && match is not null)
            {
                controls.Add(new Control(id, title, nature, guidance, severity, provider, subject, repair, match));
            }
        }
        return errors.Count > 0 ? (null, errors) : (new ControlCatalog(controls, exempt, denied), errors);
    }

    /// <summary>Reads the catalog's fields, noting each fault with its line and path (the baseline loader's way), and its matchers.</summary>
    private sealed class CatalogReader(List<CatalogError> errors)
        : YamlFieldReader((line, path, message) => errors.Add(new CatalogError(line, path, message)))
    {
        private static readonly string[] TestKeys = ["equals", "in", "like", "contains", "exists", "not"];

        /// <summary>Attribute keys and <c>fields</c> are all required to hold; <c>any</c> lists alternatives.</summary>
        public ActivityMatcher? Matcher(YamlMappingNode node, string path, bool ignoreCase)
        {
            var conditions = new List<ActivityCondition>();
            var any = new List<ActivityMatcher>();
            var faults = errors.Count;
            foreach (var (keyNode, value) in node.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value ?? "";
                if (key == "fields")
                {
                    if (value is not YamlMappingNode fields)
                    {
                        Fault(value, $"{path}.fields", "'fields' maps field paths (e.g. requestParameters.bucketName) to tests");
                        continue;
                    }
                    foreach (var (fieldNode, test) in fields.Children)
                    {
                        var field = ((YamlScalarNode)fieldNode).Value ?? "";
                        if (field.Length == 0 || field.Split('.').Any(part => part.Length == 0))
                        {
                            Fault(fieldNode, $"{path}.fields", $"'{field}' is not a field path (names joined by dots)");
                            continue;
                        }
                        if (Test(test, $"{path}.fields.{field}", ignoreCase) is { } parsed)
                        {
                            conditions.Add(new ActivityCondition(FieldSource.Field(field), parsed));
                        }
                    }
                }
                else if (key == "any")
                {
                    if (value is not YamlSequenceNode alternatives || alternatives.Children.Count == 0)
                    {
                        Fault(value, $"{path}.any", "'any' lists one or more matchers");
                        continue;
                    }
                    var i = 0;
                    foreach (var alternative in alternatives.Children)
                    {
                        var itemPath = $"{path}.any[{i++}]";
                        if (alternative is YamlMappingNode map)
                        {
                            if (Matcher(map, itemPath, ignoreCase) is { } parsed)
                            {
                                any.Add(parsed);
                            }
                        }
                        else
                        {
                            Fault(alternative, itemPath, "a matcher is a mapping");
                        }
                    }
                }
                else if (FieldSource.Attributes.Contains(key, StringComparer.Ordinal))
                {
                    if (Test(value, $"{path}.{key}", ignoreCase) is { } parsed)
                    {
                        conditions.Add(new ActivityCondition(FieldSource.Attribute(key), parsed));
                    }
                }
                else
                {
                    Fault(keyNode, $"{path}.{key}", $"'{key}' is not a field here; expected fields, any, {string.Join(", ", FieldSource.Attributes)}");
                }
            }
            if (conditions.Count == 0 && any.Count == 0 && errors.Count == faults)
            {
                Fault(node, path, "a matcher tests something: an empty one would match every event");
            }
            return errors.Count > faults ? null : new ActivityMatcher(conditions, any);
        }

        /// <summary>A value (equals), a list (in), or a mapping of equals, in, like, contains, exists and not, all of which must hold.</summary>
        private ValueTest? Test(YamlNode node, string path, bool ignoreCase)
        {
            switch (node)
            {
                case YamlScalarNode { Value: { } text }:
                    return new ValueTest.OneOf([text], ignoreCase);
                case YamlSequenceNode list:
                    return new ValueTest.OneOf(Scalars(list, path), ignoreCase);
                case YamlMappingNode map:
                    var tests = new List<ValueTest>();
                    Known(map, path, TestKeys);
                    foreach (var (keyNode, value) in map.Children)
                    {
                        var key = ((YamlScalarNode)keyNode).Value;
                        var values = value switch
                        {
                            YamlScalarNode { Value: { } one } => [one],
                            YamlSequenceNode many => Scalars(many, $"{path}.{key}"),
                            _ => null,
                        };
                        ValueTest? test = key switch
                        {
                            "equals" or "in" when values is not null => new ValueTest.OneOf(values, ignoreCase),
                            "like" when values is not null => new ValueTest.Like(values, ignoreCase),
                            "contains" when values is not null => new ValueTest.Contains(values, ignoreCase),
                            "exists" when values is ["true" or "false"] => new ValueTest.Exists(values[0] == "true"),
                            "not" => Test(value, $"{path}.not", ignoreCase) is { } inner ? new ValueTest.Not(inner) : null,
                            _ => null,
                        };
                        if (test is not null)
                        {
                            tests.Add(test);
                        }
                        else if (TestKeys.Contains(key, StringComparer.Ordinal) && key != "not")
                        {
                            Fault(value, $"{path}.{key}", key == "exists" ? "'exists' is true or false" : $"'{key}' takes a value or a list of values");
                        }
                    }
                    if (tests.Count == 0)
                    {
                        Fault(map, path, $"a test has one or more of {string.Join(", ", TestKeys)}");
                        return null;
                    }
                    return tests.Count == 1 ? tests[0] : new ValueTest.All(tests);
                default:
                    Fault(node, path, "a test is a value, a list of values or a mapping");
                    return null;
            }
        }
    }
}
