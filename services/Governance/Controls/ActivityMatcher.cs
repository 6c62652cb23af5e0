using System.Text.Json;
using ControlTower.Contracts.Activity;
using ControlTower.Governance.Scp;

namespace ControlTower.Governance.Controls;

/// <summary>
/// A control's declarative test of one activity: every condition must hold, and one of <c>any</c> when there are
/// some. Conditions read an attribute of the normalised activity or a field of the raw record by path; no code per
/// control, so a new control is a catalog entry. Attribute conditions run first, whatever the catalog's order:
/// they cost a comparison, and an activity they rule out never has its raw record parsed.
/// </summary>
public sealed class ActivityMatcher(IReadOnlyList<ActivityCondition> conditions, IReadOnlyList<ActivityMatcher> any)
{
    private readonly ActivityCondition[] conditions = [.. conditions.OrderBy(c => c.Source.Path is null ? 0 : 1)];

    public IReadOnlyList<ActivityCondition> Conditions => conditions;

    public IReadOnlyList<ActivityMatcher> Any => any;

    public bool Matches(ActivityFields activity)
    {
        foreach (var condition in conditions)
        {
            if (!condition.Test.Test(activity.Read(condition.Source)))
            {
                return false;
            }
        }
        if (any.Count == 0)
        {
            return true;
        }
        foreach (var alternative in any)
        {
            if (alternative.Matches(activity))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>A test of what <see cref="Source"/> reads: an attribute name (e.g. <c>operation</c>) or a raw field path.</summary>
public sealed record ActivityCondition(FieldSource Source, ValueTest Test);

/// <summary>Where a condition reads: a named attribute of <see cref="CloudActivity"/>, or a path into the raw record.</summary>
public sealed record FieldSource(string Name, string[]? Path)
{
    /// <summary>The attributes of the normalised activity a matcher can test, by their catalog names.</summary>
    public static readonly IReadOnlyList<string> Attributes =
        ["provider", "service", "operation", "outcome", "actor", "actorType", "account", "region", "resource", "eventType", "errorCode", "accountRole"];

    public static FieldSource Attribute(string name) => new(name, null);

    public static FieldSource Field(string path) => new(path, path.Split('.'));
}

/// <summary>
/// A test over the values a source yields: none (missing or null), one, or several (a path through arrays yields
/// every element's value). Positive tests hold when any value passes.
/// </summary>
public abstract class ValueTest
{
    public abstract bool Test(IReadOnlyList<string> values);

    public sealed class OneOf(IReadOnlyList<string> allowed, bool ignoreCase) : ValueTest
    {
        private readonly HashSet<string> set = new(allowed, ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

        public IReadOnlyList<string> Allowed => allowed;

        public override bool Test(IReadOnlyList<string> values) => values.Any(set.Contains);
    }

    public sealed class Like(IReadOnlyList<string> patterns, bool ignoreCase) : ValueTest
    {
        private readonly Wildcard[] wildcards = [.. patterns.Select(p => new Wildcard(p, ignoreCase))];

        public override bool Test(IReadOnlyList<string> values) => values.Any(v => wildcards.Any(w => w.IsMatch(v)));
    }

    public sealed class Contains(IReadOnlyList<string> parts, bool ignoreCase) : ValueTest
    {
        private readonly StringComparison comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        public override bool Test(IReadOnlyList<string> values) => values.Any(v => parts.Any(p => v.Contains(p, comparison)));
    }

    public sealed class Exists(bool expected) : ValueTest
    {
        public override bool Test(IReadOnlyList<string> values) => values.Count > 0 == expected;
    }

    /// <summary>Holds when the inner test does not: <c>not: AwsServiceEvent</c> also holds when there is no value.</summary>
    public sealed class Not(ValueTest inner) : ValueTest
    {
        public override bool Test(IReadOnlyList<string> values) => !inner.Test(values);
    }

    public sealed class All(IReadOnlyList<ValueTest> tests) : ValueTest
    {
        public override bool Test(IReadOnlyList<string> values) => tests.All(t => t.Test(values));
    }
}

/// <summary>
/// One activity as matchers read it, with where its account sits. The raw record is parsed once, on the first
/// field a matcher asks for, so activities that no control's attributes select are never parsed.
/// </summary>
public sealed class ActivityFields(CloudActivity activity, string? accountRole = null) : IDisposable
{
    private JsonDocument? raw;
    private bool rawRead;
    private List<JsonDocument>? embedded;

    public CloudActivity Activity => activity;

    /// <summary>Azure names and values are case-insensitive at the source, so they compare so here; AWS ones exactly.</summary>
    public bool IgnoreCase { get; } = activity.Provider == "azure";

    public IReadOnlyList<string> Read(FieldSource source) => source.Path is null ? One(Attribute(source.Name)) : Field(source.Path);

    /// <summary>The first value of an attribute or field, for naming a subject.</summary>
    public string? First(string nameOrPath)
    {
        var values = FieldSource.Attributes.Contains(nameOrPath, StringComparer.Ordinal)
            ? One(Attribute(nameOrPath))
            : Field(nameOrPath.Split('.'));
        return values.Count > 0 ? values[0] : null;
    }

    private string? Attribute(string name) => name switch
    {
        "provider" => activity.Provider,
        "service" => activity.Service,
        "operation" => activity.Operation,
        "outcome" => activity.Outcome.ToString(),
        "actor" => activity.Actor,
        "actorType" => activity.ActorType,
        "account" => activity.Account,
        "region" => activity.Region,
        "resource" => activity.ResourceId ?? activity.Resources.FirstOrDefault()?.Arn ?? activity.Resources.FirstOrDefault()?.Id,
        "eventType" => activity.EventType,
        "errorCode" => activity.ErrorCode,
        "accountRole" => accountRole,
        _ => null,
    };

    private static IReadOnlyList<string> One(string? value) => value is null ? [] : [value];

    public IReadOnlyList<string> Field(string[] path)
    {
        if (!rawRead)
        {
            rawRead = true;
            try
            {
                raw = activity.Raw.TryGetUtf8(out var utf8) ? JsonDocument.Parse(utf8.ToArray()) : JsonDocument.Parse(activity.Raw.ToString());
            }
            catch (JsonException)
            {
                // A raw record that is not JSON has no fields: field tests see no value, as for a missing field.
                raw = null;
            }
        }
        if (raw is null)
        {
            return [];
        }
        var values = new List<string>();
        Walk(raw.RootElement, path, 0, values);
        return values;
    }

    private void Walk(JsonElement node, string[] path, int index, List<string> values)
    {
        if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray())
            {
                Walk(item, path, index, values);
            }
            return;
        }
        if (index == path.Length)
        {
            switch (node.ValueKind)
            {
                case JsonValueKind.String:
                    values.Add(node.GetString()!);
                    break;
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Object:
                    values.Add(node.GetRawText());
                    break;
            }
            return;
        }
        if (node.ValueKind == JsonValueKind.String && node.GetString() is { Length: > 1 } text && text[0] is '{' or '[')
        {
            // Azure carries request and response bodies as JSON inside a string (properties.requestbody).
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                return;
            }
            (embedded ??= []).Add(document);
            Walk(document.RootElement, path, index, values);
            return;
        }
        if (node.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        if (node.TryGetProperty(path[index], out var child))
        {
            Walk(child, path, index + 1, values);
            return;
        }
        if (IgnoreCase)
        {
            foreach (var property in node.EnumerateObject())
            {
                if (string.Equals(property.Name, path[index], StringComparison.OrdinalIgnoreCase))
                {
                    Walk(property.Value, path, index + 1, values);
                    return;
                }
            }
        }
    }

    public void Dispose()
    {
        raw?.Dispose();
        foreach (var document in embedded ?? [])
        {
            document.Dispose();
        }
    }
}
