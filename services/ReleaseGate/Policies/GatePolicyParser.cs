using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ControlTower.ReleaseGate.Policies;

/// <summary>A fault in a policy file, with the line (1-based) and the field path it is about.</summary>
public sealed record PolicyError(int Line, string Field, string Message)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"line {Line}, {Field}: {Message}");
}

/// <summary>Either a snapshot ready to evaluate, or every fault found in the file.</summary>
public sealed record PolicyParseResult(GatePolicySnapshot? Snapshot, IReadOnlyList<PolicyError> Errors)
{
    public bool Succeeded => Snapshot is not null;
}

/// <summary>
/// Reads a gate policy from YAML (format in README, example in <c>deploy/release-gates/default.yaml</c>).
/// Unknown fields are errors, so a typo cannot silently drop a rule's parameter.
/// </summary>
public static partial class GatePolicyParser
{
    public const int MaxPolicyChars = 256 * 1024;

    private static readonly string[] RootFields = ["policy", "version", "scope", "calendars", "rules"];
    private static readonly string[] CommonRuleFields = ["id", "kind", "severity", "noData"];
    private static readonly string[] CalendarFields = ["name", "timeZone", "windows"];
    private static readonly string[] WindowFields = ["cron", "duration", "from", "to", "reason"];

    private static readonly Dictionary<string, string[]> KindFields = new(StringComparer.Ordinal)
    {
        [SmokePassRateRule.KindName] = ["minPassRate", "maxAge"],
        [RequiredSuitesRule.KindName] = ["suites", "maxAge"],
        [DeploymentTruthRule.KindName] = ["check", "minReplicas", "maxAge"],
        [OpenFindingsRule.KindName] = ["maxSeverity", "maxAge"],
        [FreezeWindowRule.KindName] = ["calendars"],
        [ApprovalRule.KindName] = ["count"],
        [MetricThresholdRule.KindName] = ["metric", "operator", "value", "maxAge"],
    };

    public static PolicyParseResult Parse(string yaml)
    {
        var errors = new List<PolicyError>();
        if (yaml.Length > MaxPolicyChars)
        {
            return Failed(new PolicyError(1, "(document)", $"the policy is {yaml.Length} characters; the limit is {MaxPolicyChars}"));
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            return Failed(new PolicyError(Line(e.Start), "(document)", $"not valid YAML: {e.InnerException?.Message ?? e.Message}"));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's parser throws these, not a YamlException, on some malformed streams (found by FuzzTests).
            return Failed(new PolicyError(1, "(document)", $"not valid YAML: {e.Message}"));
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return Failed(new PolicyError(1, "(document)", "expected one YAML document whose root is a mapping"));
        }

        var reader = new Reader(errors);
        reader.OnlyFields(root, "", RootFields);
        var id = reader.RequiredString(root, "", "policy");
        if (id is not null && !IdPattern().IsMatch(id))
        {
            reader.Error(root, "policy", "must be letters, digits, '.', '_' or '-'");
        }
        var version = reader.RequiredInt(root, "", "version", min: 1);

        var service = "*";
        var environment = "*";
        if (reader.Mapping(root, "", "scope") is { } scope)
        {
            reader.OnlyFields(scope, "scope", ["service", "environment"]);
            service = reader.OptionalString(scope, "scope", "service") ?? "*";
            environment = reader.OptionalString(scope, "scope", "environment") ?? "*";
        }

        var calendars = new List<FreezeCalendar>();
        foreach (var (node, path) in reader.Sequence(root, "", "calendars"))
        {
            if (ReadCalendar(reader, node, path) is { } calendar)
            {
                if (calendars.Any(c => c.Name == calendar.Name))
                {
                    reader.Error(node, path + ".name", $"calendar '{calendar.Name}' is defined twice");
                }
                calendars.Add(calendar);
            }
        }

        var rules = new List<GateRule>();
        if (!root.Children.ContainsKey(new YamlScalarNode("rules")))
        {
            reader.Error(root, "rules", "is required (a list of rules; an empty list makes every verdict inconclusive)");
        }
        foreach (var (node, path) in reader.Sequence(root, "", "rules"))
        {
            if (ReadRule(reader, node, path, calendars) is { } rule)
            {
                if (rules.Any(r => r.Id == rule.Id))
                {
                    reader.Error(node, path + ".id", $"rule id '{rule.Id}' is used twice");
                }
                rules.Add(rule);
            }
        }

        if (errors.Count > 0)
        {
            return new PolicyParseResult(null, [.. errors.OrderBy(e => e.Line).ThenBy(e => e.Field, StringComparer.Ordinal)]);
        }
        var policy = new GatePolicy
        {
            Id = id!,
            Version = version!.Value,
            Service = service,
            Environment = environment,
            Calendars = calendars,
            Rules = rules,
        };
        return new PolicyParseResult(GatePolicySnapshot.Create(policy), []);
    }

    private static PolicyParseResult Failed(PolicyError error) => new(null, [error]);

    private static FreezeCalendar? ReadCalendar(Reader reader, YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            reader.Error(node, path, "must be a mapping with name, timeZone and windows");
            return null;
        }
        reader.OnlyFields(map, path, CalendarFields);
        var name = reader.RequiredString(map, path, "name");
        var zone = reader.RequiredString(map, path, "timeZone");
        TimeZoneInfo? timeZone = null;
        if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out timeZone))
        {
            reader.Error(reader.At(map, "timeZone"), path + ".timeZone", $"'{zone}' is not a known IANA time zone");
        }
        var windows = new List<FreezeWindow>();
        foreach (var (windowNode, windowPath) in reader.Sequence(map, path, "windows"))
        {
            if (windowNode is not YamlMappingNode window)
            {
                reader.Error(windowNode, windowPath, "must be a mapping with cron and duration, or from and to");
                continue;
            }
            reader.OnlyFields(window, windowPath, WindowFields);
            var cron = reader.OptionalString(window, windowPath, "cron");
            var duration = reader.OptionalDuration(window, windowPath, "duration");
            var from = reader.OptionalLocalTime(window, windowPath, "from");
            var to = reader.OptionalLocalTime(window, windowPath, "to");
            var reason = reader.OptionalString(window, windowPath, "reason");
            if (cron is not null)
            {
                if (from is not null || to is not null)
                {
                    reader.Error(window, windowPath, "has both cron and from/to; a window is one or the other");
                }
                if (!CronExpression.TryParse(cron, CronFormat.Standard, out _))
                {
                    reader.Error(window, windowPath + ".cron", $"'{cron}' is not a 5-field cron expression (minute hour day-of-month month day-of-week)");
                }
                if (duration is null)
                {
                    reader.Error(window, windowPath + ".duration", "is required with cron (how long the calendar stays closed from each start)");
                }
            }
            else if (from is null || to is null)
            {
                reader.Error(window, windowPath, "needs cron and duration, or from and to");
            }
            else if (to <= from)
            {
                reader.Error(reader.At(window, "to"), windowPath + ".to", "must be after from");
            }
            windows.Add(new FreezeWindow { Cron = cron, Duration = duration, From = from, To = to, Reason = reason });
        }
        if (windows.Count == 0)
        {
            reader.Error(map, path + ".windows", "is required: at least one closed window");
        }
        return name is null || timeZone is null ? null : new FreezeCalendar { Name = name, TimeZone = zone!, Windows = windows };
    }

    private static GateRule? ReadRule(Reader reader, YamlNode node, string path, List<FreezeCalendar> calendars)
    {
        if (node is not YamlMappingNode map)
        {
            reader.Error(node, path, "must be a mapping with id and kind");
            return null;
        }
        var id = reader.RequiredString(map, path, "id");
        if (id is not null && !IdPattern().IsMatch(id))
        {
            reader.Error(map, path + ".id", "must be letters, digits, '.', '_' or '-'");
        }
        var kind = reader.RequiredString(map, path, "kind");
        if (kind is null)
        {
            return null;
        }
        if (!KindFields.TryGetValue(kind, out var fields))
        {
            reader.Error(reader.At(map, "kind"), path + ".kind", $"'{kind}' is not a rule kind; known kinds: {string.Join(", ", KindFields.Keys.Order(StringComparer.Ordinal))}");
            return null;
        }
        reader.OnlyFields(map, path, [.. CommonRuleFields, .. fields]);
        var severity = reader.OptionalEnum(map, path, "severity", SeverityNames) ?? RuleSeverity.Blocking;
        var noData = reader.OptionalEnum(map, path, "noData", NoDataNames) ?? NoDataPolicy.Inconclusive;
        if (id is null)
        {
            return null;
        }

        GateRule? rule = kind switch
        {
            SmokePassRateRule.KindName => reader.RequiredDecimal(map, path, "minPassRate", 0m, 1m) is { } rate && reader.RequiredDuration(map, path, "maxAge") is { } age
                ? new SmokePassRateRule { Id = id, Severity = severity, NoData = noData, MinPassRate = rate, MaxAge = age }
                : null,
            RequiredSuitesRule.KindName => ReadSuites(reader, map, path) is { } suites && reader.RequiredDuration(map, path, "maxAge") is { } suiteAge
                ? new RequiredSuitesRule { Id = id, Severity = severity, NoData = noData, Suites = suites, MaxAge = suiteAge }
                : null,
            DeploymentTruthRule.KindName => ReadTruth(reader, map, path, id, severity, noData),
            OpenFindingsRule.KindName => reader.RequiredEnum(map, path, "maxSeverity", FindingSeverityNames) is { } max && reader.RequiredDuration(map, path, "maxAge") is { } findingsAge
                ? new OpenFindingsRule { Id = id, Severity = severity, NoData = noData, MaxAllowed = max, MaxAge = findingsAge }
                : null,
            FreezeWindowRule.KindName => ReadFreeze(reader, map, path, id, severity, noData, calendars),
            ApprovalRule.KindName => reader.RequiredInt(map, path, "count", min: 1) is { } count
                ? new ApprovalRule { Id = id, Severity = severity, NoData = noData, Count = count }
                : null,
            MetricThresholdRule.KindName => ReadMetric(reader, map, path, id, severity, noData),
            _ => null,
        };
        return rule;
    }

    private static IReadOnlyList<string>? ReadSuites(Reader reader, YamlMappingNode map, string path)
    {
        var suites = reader.StringList(map, path, "suites");
        if (suites is null || suites.Count == 0)
        {
            reader.Error(map, path + ".suites", "is required: the names of the suites that must pass");
            return null;
        }
        return [.. suites.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static DeploymentTruthRule? ReadTruth(Reader reader, YamlMappingNode map, string path, string id, RuleSeverity severity, NoDataPolicy noData)
    {
        var checks = reader.StringList(map, path, "check") ?? ["version", "commit", "digest"];
        foreach (var check in checks.Where(c => c is not ("version" or "commit" or "digest")))
        {
            reader.Error(map, path + ".check", $"'{check}' is not one of version, commit, digest");
        }
        if (checks.Count == 0)
        {
            reader.Error(map, path + ".check", "must name at least one of version, commit, digest");
        }
        var replicas = reader.OptionalInt(map, path, "minReplicas", min: 1) ?? 1;
        var age = reader.RequiredDuration(map, path, "maxAge");
        return age is null ? null : new DeploymentTruthRule
        {
            Id = id, Severity = severity, NoData = noData,
            CheckVersion = checks.Contains("version"), CheckCommit = checks.Contains("commit"), CheckDigest = checks.Contains("digest"),
            MinReplicas = replicas, MaxAge = age.Value,
        };
    }

    private static FreezeWindowRule? ReadFreeze(Reader reader, YamlMappingNode map, string path, string id, RuleSeverity severity, NoDataPolicy noData, List<FreezeCalendar> calendars)
    {
        var names = reader.StringList(map, path, "calendars") ?? [];
        foreach (var missing in names.Where(n => calendars.All(c => c.Name != n)))
        {
            reader.Error(map, path + ".calendars", $"calendar '{missing}' is not defined under calendars");
        }
        if (names.Count == 0 && calendars.Count == 0)
        {
            reader.Error(map, path, "the policy defines no calendars to check");
        }
        return new FreezeWindowRule { Id = id, Severity = severity, NoData = noData, Calendars = [.. names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] };
    }

    private static MetricThresholdRule? ReadMetric(Reader reader, YamlMappingNode map, string path, string id, RuleSeverity severity, NoDataPolicy noData)
    {
        var metric = reader.RequiredString(map, path, "metric");
        var comparison = reader.RequiredEnum(map, path, "operator", ComparisonNames);
        var value = reader.RequiredDecimal(map, path, "value", decimal.MinValue, decimal.MaxValue);
        var age = reader.RequiredDuration(map, path, "maxAge");
        return metric is null || comparison is null || value is null || age is null ? null : new MetricThresholdRule
        {
            Id = id, Severity = severity, NoData = noData, Metric = metric, Comparison = comparison.Value, Threshold = value.Value, MaxAge = age.Value,
        };
    }

    internal static readonly Dictionary<string, RuleSeverity> SeverityNames = new(StringComparer.Ordinal)
    {
        ["blocking"] = RuleSeverity.Blocking, ["warning"] = RuleSeverity.Warning, ["dryRun"] = RuleSeverity.DryRun, ["dry-run"] = RuleSeverity.DryRun,
    };

    internal static readonly Dictionary<string, NoDataPolicy> NoDataNames = new(StringComparer.Ordinal)
    {
        ["inconclusive"] = NoDataPolicy.Inconclusive, ["warn"] = NoDataPolicy.Warn, ["fail"] = NoDataPolicy.Fail,
    };

    internal static readonly Dictionary<string, FindingSeverity> FindingSeverityNames = new(StringComparer.Ordinal)
    {
        ["info"] = FindingSeverity.Info, ["low"] = FindingSeverity.Low, ["medium"] = FindingSeverity.Medium,
        ["high"] = FindingSeverity.High, ["critical"] = FindingSeverity.Critical,
    };

    internal static readonly Dictionary<string, MetricComparison> ComparisonNames = new(StringComparer.Ordinal)
    {
        ["<"] = MetricComparison.LessThan, ["<="] = MetricComparison.LessThanOrEqual, [">"] = MetricComparison.GreaterThan,
        [">="] = MetricComparison.GreaterThanOrEqual, ["=="] = MetricComparison.Equal,
    };

    private static int Line(Mark mark) => (int)Math.Max(1, mark.Line);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")]
    private static partial Regex DurationPattern();

    /// <summary>Typed reads of mapping fields that record an error (line and path) instead of throwing.</summary>
    private sealed class Reader(List<PolicyError> errors)
    {
        public void Error(YamlNode node, string field, string message) => errors.Add(new PolicyError(Line(node.Start), field, message));

        private static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

        /// <summary>The field's value node when present (so errors point at its line), else the mapping.</summary>
        public YamlNode At(YamlMappingNode map, string field) => Field(map, field) ?? map;

        private static YamlNode? Field(YamlMappingNode map, string field) =>
            map.Children.TryGetValue(new YamlScalarNode(field), out var node) ? node : null;

        public void OnlyFields(YamlMappingNode map, string path, string[] allowed)
        {
            foreach (var key in map.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? "?";
                if (!allowed.Contains(name, StringComparer.Ordinal))
                {
                    Error(key, Join(path, name), $"unknown field; expected one of {string.Join(", ", allowed)}");
                }
            }
        }

        public YamlMappingNode? Mapping(YamlMappingNode map, string path, string field)
        {
            var node = Field(map, field);
            if (node is null or YamlMappingNode)
            {
                return node as YamlMappingNode;
            }
            Error(node, Join(path, field), "must be a mapping");
            return null;
        }

        public IEnumerable<(YamlNode Node, string Path)> Sequence(YamlMappingNode map, string path, string field)
        {
            var node = Field(map, field);
            if (node is null)
            {
                return [];
            }
            if (node is not YamlSequenceNode sequence)
            {
                Error(node, Join(path, field), "must be a list");
                return [];
            }
            return sequence.Children.Select((child, i) => (child, string.Create(CultureInfo.InvariantCulture, $"{Join(path, field)}[{i}]")));
        }

        public string? OptionalString(YamlMappingNode map, string path, string field)
        {
            var node = Field(map, field);
            if (node is null)
            {
                return null;
            }
            if (node is YamlScalarNode { Value: { Length: > 0 } value })
            {
                return value;
            }
            Error(node, Join(path, field), "must be a non-empty text value");
            return null;
        }

        public string? RequiredString(YamlMappingNode map, string path, string field)
        {
            if (Field(map, field) is null)
            {
                Error(map, Join(path, field), "is required");
                return null;
            }
            return OptionalString(map, path, field);
        }

        public List<string>? StringList(YamlMappingNode map, string path, string field)
        {
            var node = Field(map, field);
            if (node is null)
            {
                return null;
            }
            if (node is not YamlSequenceNode sequence || sequence.Children.Any(c => c is not YamlScalarNode { Value.Length: > 0 }))
            {
                Error(node, Join(path, field), "must be a list of text values");
                return null;
            }
            return [.. sequence.Children.Select(c => ((YamlScalarNode)c).Value!)];
        }

        public int? OptionalInt(YamlMappingNode map, string path, string field, int min)
        {
            var text = OptionalString(map, path, field);
            if (text is null)
            {
                return null;
            }
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min)
            {
                Error(Field(map, field)!, Join(path, field), string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a whole number of at least {min}"));
                return null;
            }
            return value;
        }

        public int? RequiredInt(YamlMappingNode map, string path, string field, int min)
        {
            if (Field(map, field) is null)
            {
                Error(map, Join(path, field), "is required");
                return null;
            }
            return OptionalInt(map, path, field, min);
        }

        public decimal? RequiredDecimal(YamlMappingNode map, string path, string field, decimal min, decimal max)
        {
            var text = RequiredString(map, path, field);
            if (text is null)
            {
                return null;
            }
            if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
                || value < min || value > max)
            {
                Error(Field(map, field)!, Join(path, field), min == decimal.MinValue
                    ? $"'{text}' is not a number"
                    : string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a number between {min} and {max}"));
                return null;
            }
            return value;
        }

        public TimeSpan? OptionalDuration(YamlMappingNode map, string path, string field)
        {
            var text = OptionalString(map, path, field);
            if (text is null)
            {
                return null;
            }
            var match = DurationPattern().Match(text);
            if (!match.Success || text.Length == 0)
            {
                Error(Field(map, field)!, Join(path, field), $"'{text}' is not a duration such as 90s, 15m, 2h, 7d or 1h30m");
                return null;
            }
            // A part too long to be a number of seconds within the limit reads as over it, never as an overflow (found by FuzzTests).
            long Part(int group, long seconds) => !match.Groups[group].Success ? 0
                : long.TryParse(match.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 366L * 86400
                    ? count * seconds : long.MaxValue / 8;
            var total = Part(1, 86400) + Part(2, 3600) + Part(3, 60) + Part(4, 1);
            if (total <= 0 || total > 366L * 86400)
            {
                Error(Field(map, field)!, Join(path, field), $"'{text}' must be more than zero and at most 366d");
                return null;
            }
            return TimeSpan.FromSeconds(total);
        }

        public TimeSpan? RequiredDuration(YamlMappingNode map, string path, string field)
        {
            if (Field(map, field) is null)
            {
                Error(map, Join(path, field), "is required (a duration such as 2h)");
                return null;
            }
            return OptionalDuration(map, path, field);
        }

        public DateTime? OptionalLocalTime(YamlMappingNode map, string path, string field)
        {
            var text = OptionalString(map, path, field);
            if (text is null)
            {
                return null;
            }
            if (DateTime.TryParseExact(text, ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
            {
                return DateTime.SpecifyKind(value, DateTimeKind.Unspecified);
            }
            Error(Field(map, field)!, Join(path, field), $"'{text}' is not a local date or date-time such as 2026-12-24 or 2026-12-24T18:00 (no offset: the calendar's time zone applies)");
            return null;
        }

        public T? OptionalEnum<T>(YamlMappingNode map, string path, string field, Dictionary<string, T> names) where T : struct, Enum
        {
            var text = OptionalString(map, path, field);
            if (text is null)
            {
                return null;
            }
            if (names.TryGetValue(text, out var value))
            {
                return value;
            }
            var hint = typeof(T) == typeof(NoDataPolicy) && text == "pass" ? " (a missing check never passes)" : "";
            Error(Field(map, field)!, Join(path, field), $"'{text}' is not one of {string.Join(", ", names.Keys)}{hint}");
            return null;
        }

        public T? RequiredEnum<T>(YamlMappingNode map, string path, string field, Dictionary<string, T> names) where T : struct, Enum
        {
            if (Field(map, field) is null)
            {
                Error(map, Join(path, field), $"is required: one of {string.Join(", ", names.Keys)}");
                return null;
            }
            return OptionalEnum(map, path, field, names);
        }
    }
}
