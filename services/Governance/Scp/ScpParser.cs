using System.Text.Json;

namespace ControlTower.Governance.Scp;

/// <summary>A fault in a policy document: where (a JSON path) and what.</summary>
public sealed record ScpError(string Path, string Message);

public sealed record ScpParseResult(ScpPolicy? Policy, IReadOnlyList<ScpError> Errors)
{
    public bool Succeeded => Policy is not null;
}

/// <summary>
/// Reads SCP documents with the rules AWS applies since the September 2025 update: Action/NotAction,
/// Resource/NotResource and Condition with either effect, wildcards anywhere, no Principal, at most
/// <see cref="ScpPolicy.MaxCharacters"/> characters. Every fault is reported, each with its path.
/// </summary>
public static class ScpParser
{
    private static readonly Dictionary<string, ConditionOperator> Operators =
        Enum.GetValues<ConditionOperator>().ToDictionary(o => o.ToString(), o => o, StringComparer.Ordinal);

    private static readonly HashSet<string> StatementElements =
        new(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"], StringComparer.Ordinal);

    public static ScpParseResult Parse(string id, string name, string json)
    {
        try
        {
            return ParseChecked(id, name, json);
        }
        catch (InvalidOperationException ex)
        {
            // A string that is not text (a lone surrogate escape) throws when read (found by FuzzTests).
            return new ScpParseResult(null, [new ScpError("$", $"the policy cannot be read: {ex.Message}")]);
        }
    }

    private static ScpParseResult ParseChecked(string id, string name, string json)
    {
        var errors = new List<ScpError>();
        if (json.Length > ScpPolicy.MaxCharacters)
        {
            errors.Add(new ScpError("$", $"the policy has {json.Length:N0} characters; AWS allows at most {ScpPolicy.MaxCharacters:N0}"));
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            errors.Add(new ScpError("$", $"not JSON: {ex.Message}"));
            return new ScpParseResult(null, errors);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new ScpError("$", "a policy is a JSON object"));
                return new ScpParseResult(null, errors);
            }
            if (root.TryGetProperty("Version", out var version) && (version.ValueKind != JsonValueKind.String || version.GetString() is not ("2012-10-17" or "2008-10-17")))
            {
                errors.Add(new ScpError("$.Version", "Version must be \"2012-10-17\""));
            }
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("Version" or "Statement" or "Id"))
                {
                    errors.Add(new ScpError($"$.{property.Name}", $"'{property.Name}' is not a policy element"));
                }
            }
            var statements = new List<ScpStatement>();
            if (!root.TryGetProperty("Statement", out var statementElement))
            {
                errors.Add(new ScpError("$.Statement", "Statement is missing"));
            }
            else if (statementElement.ValueKind == JsonValueKind.Object)
            {
                AddStatement(statementElement, 0, "$.Statement", statements, errors);
            }
            else if (statementElement.ValueKind == JsonValueKind.Array && statementElement.GetArrayLength() > 0)
            {
                var index = 0;
                foreach (var item in statementElement.EnumerateArray())
                {
                    AddStatement(item, index, $"$.Statement[{index}]", statements, errors);
                    index++;
                }
            }
            else
            {
                errors.Add(new ScpError("$.Statement", "Statement must be a statement object or a non-empty array of them"));
            }
            return errors.Count > 0 ? new ScpParseResult(null, errors) : new ScpParseResult(new ScpPolicy(id, name, statements), errors);
        }
    }

    private static void AddStatement(JsonElement element, int index, string path, List<ScpStatement> statements, List<ScpError> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ScpError(path, "a statement is a JSON object"));
            return;
        }
        var before = errors.Count;
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name is "Principal" or "NotPrincipal")
            {
                errors.Add(new ScpError($"{path}.{property.Name}", $"{property.Name} is not supported in service control policies"));
            }
            else if (!StatementElements.Contains(property.Name))
            {
                errors.Add(new ScpError($"{path}.{property.Name}", $"'{property.Name}' is not a statement element"));
            }
        }

        string? sid = null;
        if (element.TryGetProperty("Sid", out var sidElement))
        {
            sid = sidElement.ValueKind == JsonValueKind.String ? sidElement.GetString() : null;
            if (sid is null)
            {
                errors.Add(new ScpError($"{path}.Sid", "Sid must be a string"));
            }
        }
        var effect = ScpEffect.Deny;
        if (!element.TryGetProperty("Effect", out var effectElement) || effectElement.ValueKind != JsonValueKind.String)
        {
            errors.Add(new ScpError($"{path}.Effect", "Effect must be \"Allow\" or \"Deny\""));
        }
        else if (!Enum.TryParse(effectElement.GetString(), ignoreCase: false, out effect) || !Enum.IsDefined(effect))
        {
            errors.Add(new ScpError($"{path}.Effect", $"Effect '{effectElement.GetString()}' must be \"Allow\" or \"Deny\""));
        }

        var (actions, notAction) = Patterns(element, "Action", "NotAction", path, ignoreCase: true, required: true, errors);
        foreach (var action in actions)
        {
            if (action.Pattern != "*" && !action.Pattern.Contains(':', StringComparison.Ordinal))
            {
                errors.Add(new ScpError($"{path}.{(notAction ? "NotAction" : "Action")}", $"'{action.Pattern}' is not an action: write service:action, or *"));
            }
        }
        // Resource may be left out of an SCP statement; it then means every resource.
        var (resources, notResource) = Patterns(element, "Resource", "NotResource", path, ignoreCase: false, required: false, errors);
        if (resources.Length == 0 && !notResource)
        {
            resources = [new Wildcard("*", ignoreCase: false)];
        }
        var conditions = Conditions(element, path, errors);

        if (errors.Count == before)
        {
            statements.Add(new ScpStatement(index, sid, effect, actions, notAction, resources, notResource, conditions));
        }
    }

    private static (Wildcard[] Patterns, bool Negated) Patterns(
        JsonElement statement, string name, string notName, string path, bool ignoreCase, bool required, List<ScpError> errors)
    {
        var has = statement.TryGetProperty(name, out var positive);
        var hasNot = statement.TryGetProperty(notName, out var negative);
        if (has && hasNot)
        {
            errors.Add(new ScpError(path, $"a statement has {name} or {notName}, not both"));
            return ([], false);
        }
        if (!has && !hasNot)
        {
            if (required)
            {
                errors.Add(new ScpError($"{path}.{name}", $"a statement needs {name} or {notName}"));
            }
            return ([], false);
        }
        var element = has ? positive : negative;
        var elementPath = $"{path}.{(has ? name : notName)}";
        var texts = Strings(element, elementPath, errors);
        if (texts is { Length: 0 })
        {
            errors.Add(new ScpError(elementPath, $"{(has ? name : notName)} must not be empty"));
        }
        return ((texts ?? []).Select(t => new Wildcard(t, ignoreCase)).ToArray(), hasNot);
    }

    private static Condition[] Conditions(JsonElement statement, string path, List<ScpError> errors)
    {
        if (!statement.TryGetProperty("Condition", out var block))
        {
            return [];
        }
        if (block.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ScpError($"{path}.Condition", "Condition must be an object of operators"));
            return [];
        }
        var conditions = new List<Condition>();
        foreach (var operatorProperty in block.EnumerateObject())
        {
            var operatorPath = $"{path}.Condition.{operatorProperty.Name}";
            if (!TryReadOperator(operatorProperty.Name, out var op, out var set, out var ifExists, out var fault))
            {
                errors.Add(new ScpError(operatorPath, fault));
                continue;
            }
            if (operatorProperty.Value.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new ScpError(operatorPath, "an operator maps condition keys to values"));
                continue;
            }
            foreach (var keyProperty in operatorProperty.Value.EnumerateObject())
            {
                var keyPath = $"{operatorPath}.{keyProperty.Name}";
                if (Strings(keyProperty.Value, keyPath, errors) is not { } values)
                {
                    continue;
                }
                if (values.Length == 0)
                {
                    errors.Add(new ScpError(keyPath, "a condition key needs at least one value"));
                    continue;
                }
                try
                {
                    conditions.Add(new Condition(operatorProperty.Name, op, set, ifExists, keyProperty.Name, values));
                }
                catch (FormatException ex)
                {
                    errors.Add(new ScpError(keyPath, ex.Message));
                }
            }
        }
        return [.. conditions];
    }

    /// <summary>Splits <c>ForAllValues:StringLikeIfExists</c> into its set prefix, operator and IfExists suffix.</summary>
    public static bool TryReadOperator(string text, out ConditionOperator op, out SetQualifier set, out bool ifExists, out string fault)
    {
        op = default;
        fault = "";
        set = SetQualifier.None;
        var name = text;
        if (name.StartsWith("ForAnyValue:", StringComparison.Ordinal))
        {
            set = SetQualifier.ForAnyValue;
            name = name["ForAnyValue:".Length..];
        }
        else if (name.StartsWith("ForAllValues:", StringComparison.Ordinal))
        {
            set = SetQualifier.ForAllValues;
            name = name["ForAllValues:".Length..];
        }
        ifExists = name.EndsWith("IfExists", StringComparison.Ordinal);
        if (ifExists)
        {
            name = name[..^"IfExists".Length];
        }
        if (!Operators.TryGetValue(name, out op))
        {
            fault = $"'{text}' is not an IAM condition operator";
            return false;
        }
        if (op == ConditionOperator.Null && (ifExists || set != SetQualifier.None))
        {
            fault = "Null takes neither IfExists nor a set prefix";
            return false;
        }
        return true;
    }

    /// <summary>A string, or an array of strings; booleans and numbers are read as their text, as IAM does.</summary>
    private static string[]? Strings(JsonElement element, string path, List<ScpError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return [element.GetString()!];
            case JsonValueKind.True or JsonValueKind.False:
                return [element.ValueKind == JsonValueKind.True ? "true" : "false"];
            case JsonValueKind.Number:
                return [element.GetRawText()];
            case JsonValueKind.Array:
                var list = new List<string>();
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                    {
                        list.AddRange(Strings(item, path, errors)!);
                    }
                    else
                    {
                        errors.Add(new ScpError(path, "values must be strings"));
                        return null;
                    }
                }
                return [.. list];
            default:
                errors.Add(new ScpError(path, "must be a string or an array of strings"));
                return null;
        }
    }
}
