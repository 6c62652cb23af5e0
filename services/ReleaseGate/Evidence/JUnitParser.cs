using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace ControlTower.ReleaseGate.Evidence;

/// <summary>
/// JUnit XML (<c>testsuites</c> → <c>testsuite</c> → <c>testcase</c> with <c>failure</c>, <c>error</c> or <c>skipped</c>).
/// Counts come from the test cases, not from the suites' own attributes, which tools fill in inconsistently;
/// a suite that declares tests but lists none therefore counts nothing, and nothing never passes.
/// DTDs are refused outright and nothing is resolved, so no entity expansion or external fetch can happen.
/// </summary>
public static class JUnitParser
{
    public static SmokeParseResult Parse(ReadOnlyMemory<byte> bytes, SmokeLimits limits)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = 1024,
            MaxCharactersInDocument = limits.MaxBytes,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        XDocument document;
        try
        {
            using var stream = new MemoryStream(bytes.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, settings);
            document = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            if (e.Message.Contains("DTD", StringComparison.Ordinal))
            {
                // The reader refuses the DTD without a position; find the DOCTYPE's line ourselves.
                return Fail(LineOf(bytes, "<!DOCTYPE"), "DTDs are not accepted in JUnit reports (no DOCTYPE, no entities)");
            }
            return Fail(e.LineNumber > 0 ? e.LineNumber : null, $"not well-formed XML: {e.Message}");
        }

        var root = document.Root!;
        if (root.Name.LocalName is not ("testsuites" or "testsuite"))
        {
            return Fail(LineOf(root), $"the root element is <{root.Name.LocalName}>; expected <testsuites> or <testsuite>");
        }

        var cases = new List<SmokeCase>();
        var suiteOrder = new List<string>();
        DateTimeOffset? started = null;
        DateTimeOffset? finished = null;
        string? commit = null;
        string? version = null;
        foreach (var suite in root.DescendantsAndSelf().Where(e => e.Name.LocalName == "testsuite"))
        {
            var suiteName = (string?)suite.Attribute("name") is { Length: > 0 } n ? n : "(unnamed)";
            if (!suiteOrder.Contains(suiteName))
            {
                suiteOrder.Add(suiteName);
            }
            if ((string?)suite.Attribute("timestamp") is { } stamp)
            {
                if (!DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
                {
                    return Fail(LineOf(suite), $"testsuite '{suiteName}' has timestamp '{stamp}', which is not an ISO 8601 time");
                }
                started = started is null || at < started ? at : started;
                var seconds = Seconds(suite);
                var end = at + TimeSpan.FromSeconds((double)(seconds ?? 0m));
                finished = finished is null || end > finished ? end : finished;
            }
            foreach (var property in suite.Elements().Where(e => e.Name.LocalName == "properties").Elements().Where(e => e.Name.LocalName == "property"))
            {
                switch ((string?)property.Attribute("name"))
                {
                    case "commit" or "git.commit" or "revision":
                        commit ??= (string?)property.Attribute("value");
                        break;
                    case "version" or "app.version":
                        version ??= (string?)property.Attribute("value");
                        break;
                }
            }
            foreach (var testcase in suite.Elements().Where(e => e.Name.LocalName == "testcase"))
            {
                if ((string?)testcase.Attribute("name") is not { Length: > 0 } caseName)
                {
                    return Fail(LineOf(testcase), $"a testcase in suite '{suiteName}' has no name attribute");
                }
                if (cases.Count == limits.MaxCases)
                {
                    return Fail(LineOf(testcase), FormattableString.Invariant($"more than {limits.MaxCases} test cases"));
                }
                var outcome = testcase.Elements().Select(e => e.Name.LocalName).FirstOrDefault(n => n is "failure" or "error" or "skipped");
                var status = outcome switch
                {
                    "failure" => SmokeCaseStatus.Failed,
                    "error" => SmokeCaseStatus.Errored,
                    "skipped" => SmokeCaseStatus.Skipped,
                    _ => SmokeCaseStatus.Passed,
                };
                var message = outcome is null ? null : (string?)testcase.Elements().First(e => e.Name.LocalName == outcome).Attribute("message");
                cases.Add(new SmokeCase(suiteName, caseName, status, message));
            }
        }
        if (suiteOrder.Count == 0)
        {
            return Fail(LineOf(root), "no <testsuite> element");
        }
        return SmokeParseResult.Ok(SmokeReportParser.Run(SmokeFormat.JUnit, cases, suiteOrder, bytes, started, finished, commit, version));
    }

    private static decimal? Seconds(XElement suite) =>
        (string?)suite.Attribute("time") is { } text && decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var s) ? s : null;

    private static int? LineOf(ReadOnlyMemory<byte> bytes, string marker)
    {
        var text = System.Text.Encoding.UTF8.GetString(bytes.Span);
        var index = text.IndexOf(marker, StringComparison.Ordinal);
        return index < 0 ? null : text.AsSpan(0, index).Count('\n') + 1;
    }

    private static int? LineOf(XElement element) => ((IXmlLineInfo)element).HasLineInfo() ? ((IXmlLineInfo)element).LineNumber : null;

    private static SmokeParseResult Fail(int? line, string message) => SmokeParseResult.Fail(new SmokeParseError(SmokeFormat.JUnit, message, line));
}
