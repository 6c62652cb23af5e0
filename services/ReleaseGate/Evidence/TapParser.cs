using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ControlTower.ReleaseGate.Evidence;

/// <summary>
/// TAP 14 (and 13): optional version line, one plan <c>1..N</c> before or after the test points, <c>ok</c> /
/// <c>not ok</c> points with <c># SKIP</c> / <c># TODO</c>, comments, <c>Bail out!</c>. Indented lines (YAML
/// diagnostics, subtests) are skipped: the parent test point already carries a subtest's result. A failing TODO
/// is not a failure (it counts as skipped). Planned tests that never reported, and a bail out, count as errored.
/// Lines that are none of these are refused, naming the line.
/// </summary>
public static partial class TapParser
{
    public const string DefaultSuite = "tap";

    public static SmokeParseResult Parse(ReadOnlyMemory<byte> bytes, SmokeLimits limits, string? suite = null)
    {
        suite = string.IsNullOrWhiteSpace(suite) ? DefaultSuite : suite;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.Span);
        }
        catch (DecoderFallbackException)
        {
            return Fail(null, "the report is not UTF-8 text");
        }

        var lines = text.Split('\n');
        var cases = new List<SmokeCase>();
        int? plan = null;
        int? planLine = null;
        var planAtEnd = false;
        var bailedOut = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var number = i + 1;
            if (line.Length == 0 || line[0] is ' ' or '\t' || line.StartsWith('#') || line.StartsWith("pragma ", StringComparison.Ordinal))
            {
                continue;
            }
            if (VersionPattern().Match(line) is { Success: true } version)
            {
                if (i != 0)
                {
                    return Fail(number, "the version line must be the first line");
                }
                if (version.Groups[1].Value is not ("13" or "14"))
                {
                    return Fail(number, $"TAP version {version.Groups[1].Value} is not supported (13 or 14)");
                }
                continue;
            }
            if (PlanPattern().Match(line) is { Success: true } planMatch)
            {
                if (plan is not null)
                {
                    return Fail(number, string.Create(CultureInfo.InvariantCulture, $"a second plan; the first is on line {planLine}"));
                }
                if (!int.TryParse(planMatch.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var planned) || planned > limits.MaxCases)
                {
                    return Fail(number, $"plan '{line}' is out of range (at most {limits.MaxCases} tests)");
                }
                plan = planned;
                planLine = number;
                planAtEnd = cases.Count > 0;
                continue;
            }
            if (line.StartsWith("Bail out!", StringComparison.Ordinal))
            {
                cases.Add(new SmokeCase(suite, "Bail out!", SmokeCaseStatus.Errored, line["Bail out!".Length..].Trim()));
                bailedOut = true;
                break;
            }
            if (TestPattern().Match(line) is { Success: true } test)
            {
                if (planAtEnd)
                {
                    return Fail(number, string.Create(CultureInfo.InvariantCulture, $"a test point after the plan at the end (line {planLine})"));
                }
                if (cases.Count == limits.MaxCases)
                {
                    return Fail(number, string.Create(CultureInfo.InvariantCulture, $"more than {limits.MaxCases} test points"));
                }
                var expected = cases.Count + 1;
                if (test.Groups["number"].Success
                    && (!int.TryParse(test.Groups["number"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var given) || given != expected))
                {
                    return Fail(number, string.Create(CultureInfo.InvariantCulture, $"test number {test.Groups["number"].Value} is out of sequence; expected {expected}"));
                }
                var ok = !test.Groups["not"].Success;
                var (description, directive, reason) = SplitDirective(test.Groups["rest"].Value);
                var status = directive switch
                {
                    "skip" => SmokeCaseStatus.Skipped,
                    "todo" => ok ? SmokeCaseStatus.Passed : SmokeCaseStatus.Skipped,
                    _ => ok ? SmokeCaseStatus.Passed : SmokeCaseStatus.Failed,
                };
                var name = description.Length > 0 ? description : string.Create(CultureInfo.InvariantCulture, $"test {expected}");
                cases.Add(new SmokeCase(suite, name, status, reason));
                continue;
            }
            return Fail(number, $"'{Shorten(line)}' is not a TAP line (version, plan, ok / not ok, comment, Bail out!)");
        }

        if (plan is null && !bailedOut)
        {
            return Fail(null, "no plan line (1..N)");
        }
        var ran = cases.Count - (bailedOut ? 1 : 0);
        for (var missing = ran + 1; plan is { } planned && missing <= planned; missing++)
        {
            cases.Add(new SmokeCase(suite, string.Create(CultureInfo.InvariantCulture, $"test {missing}"), SmokeCaseStatus.Errored, "planned but did not report"));
        }
        if (plan is { } p && ran > p)
        {
            cases.Add(new SmokeCase(suite, "plan", SmokeCaseStatus.Errored, string.Create(CultureInfo.InvariantCulture, $"{ran} tests ran but the plan said {p}")));
        }
        return SmokeParseResult.Ok(SmokeReportParser.Run(SmokeFormat.Tap, cases, [suite], bytes));
    }

    private static (string Description, string? Directive, string? Reason) SplitDirective(string rest)
    {
        // The first '#' not escaped as '\#' starts the directive.
        var hash = -1;
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] == '\\')
            {
                i++;
                continue;
            }
            if (rest[i] == '#')
            {
                hash = i;
                break;
            }
        }
        var description = (hash < 0 ? rest : rest[..hash]).Trim();
        description = description.StartsWith("- ", StringComparison.Ordinal) ? description[2..].Trim() : description == "-" ? "" : description;
        description = description.Replace("\\#", "#", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
        if (hash < 0)
        {
            return (description, null, null);
        }
        var comment = rest[(hash + 1)..].Trim();
        var directive = DirectivePattern().Match(comment);
        if (!directive.Success)
        {
            return (description, null, null);
        }
        var kind = directive.Groups[1].Value.StartsWith("s", StringComparison.OrdinalIgnoreCase) ? "skip" : "todo";
        var reason = comment[directive.Length..].Trim();
        return (description, kind, reason.Length > 0 ? reason : null);
    }

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..60] + "…";

    private static SmokeParseResult Fail(int? line, string message) => SmokeParseResult.Fail(new SmokeParseError(SmokeFormat.Tap, message, line));

    [GeneratedRegex(@"^TAP version (\d+)\s*$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^1\.\.(\d+)\s*(?:#.*)?$")]
    private static partial Regex PlanPattern();

    [GeneratedRegex(@"^(?<not>not )?ok\b(?:\s+(?<number>\d+))?(?<rest>.*)$")]
    private static partial Regex TestPattern();

    [GeneratedRegex(@"^(skip\S*|todo\S*)", RegexOptions.IgnoreCase)]
    private static partial Regex DirectivePattern();
}
