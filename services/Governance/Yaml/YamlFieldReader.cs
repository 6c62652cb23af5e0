using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace ControlTower.Governance.Yaml;

/// <summary>
/// Reads the fields of YAML mappings for the loaders that name every fault by its line (from 1) and field path
/// (the baseline, the control catalog): a missing, misspelt or mistyped field is reported, never ignored.
/// </summary>
public class YamlFieldReader(Action<int, string, string> fault)
{
    public void Fault(YamlNode node, string path, string message) => fault((int)node.Start.Line, path, message);

    public void Known(YamlMappingNode node, string path, params string[] keys)
    {
        foreach (var key in node.Children.Keys)
        {
            if (key is YamlScalarNode { Value: { } name } && !keys.Contains(name, StringComparer.Ordinal))
            {
                Fault(key, $"{path}.{name}", $"'{name}' is not a field here; expected {string.Join(", ", keys)}");
            }
        }
    }

    public string? Text(YamlMappingNode node, string key, string path, bool required = false, Regex? pattern = null, string[]? allowed = null)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            if (required)
            {
                Fault(node, $"{path}.{key}", $"'{key}' is required");
            }
            return null;
        }
        if (value is not YamlScalarNode { Value: { Length: > 0 } text })
        {
            Fault(value, $"{path}.{key}", $"'{key}' must be a non-empty text");
            return null;
        }
        if (pattern is not null && !pattern.IsMatch(text))
        {
            Fault(value, $"{path}.{key}", $"'{text}' is not a valid {key} (expected {pattern})");
            return null;
        }
        if (allowed is not null && !allowed.Contains(text, StringComparer.Ordinal))
        {
            Fault(value, $"{path}.{key}", $"'{text}' is not one of {string.Join(", ", allowed)}");
            return null;
        }
        return text;
    }

    public bool Bool(YamlMappingNode node, string key, string path)
    {
        var text = Text(node, key, path);
        if (text is null)
        {
            return false;
        }
        if (bool.TryParse(text, out var value))
        {
            return value;
        }
        Fault(node[key], $"{path}.{key}", $"'{key}' is true or false");
        return false;
    }

    public YamlMappingNode? Map(YamlMappingNode node, string key, string path, bool required = false)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            if (required)
            {
                Fault(node, $"{path}.{key}", $"'{key}' is required");
            }
            return null;
        }
        if (value is YamlMappingNode map)
        {
            return map;
        }
        Fault(value, $"{path}.{key}", $"'{key}' must be a mapping");
        return null;
    }

    public YamlSequenceNode? Sequence(YamlMappingNode node, string key, string path)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return null;
        }
        if (value is YamlSequenceNode list)
        {
            return list;
        }
        Fault(value, $"{path}.{key}", $"'{key}' must be a list");
        return null;
    }

    public IReadOnlyList<string> Strings(YamlMappingNode node, string key, string path) =>
        Sequence(node, key, path) is { } list ? Scalars(list, $"{path}.{key}") : [];

    /// <summary>The texts of a list, each item that is not one named as a fault at <paramref name="path"/>.</summary>
    public List<string> Scalars(YamlSequenceNode list, string path)
    {
        var result = new List<string>();
        foreach (var item in list.Children)
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } text })
            {
                result.Add(text);
            }
            else
            {
                Fault(item, path, "items must be non-empty texts");
            }
        }
        return result;
    }
}
