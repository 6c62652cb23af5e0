using ControlTower.ReleaseGate.Evidence;
using static ControlTower.ReleaseGate.Tests.Gates.Gate;

namespace ControlTower.ReleaseGate.Tests.Gates;

/// <summary>JUnit XML, CTRF JSON and TAP 14 into one smoke-run model; malformed or unsafe input is refused naming the fault.</summary>
public sealed class SmokeReportParserTests
{
    internal const string JUnit = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="smoke" tests="5">
          <testsuite name="api-smoke" tests="3" timestamp="2026-11-20T11:50:00" time="12.5">
            <properties><property name="commit" value="a1b2c3d"/></properties>
            <testcase classname="health" name="ready" time="0.1"/>
            <testcase classname="health" name="version" time="0.2"><failure message="expected 2.4.1, got 2.4.0" type="AssertionError"/></testcase>
            <testcase classname="gateway" name="round trip" time="3"><error message="connection reset"/></testcase>
          </testsuite>
          <testsuite name="ingestion">
            <testcase name="cloudtrail"/>
            <testcase name="eventgrid"><skipped message="not enabled here"/></testcase>
          </testsuite>
        </testsuites>
        """;

    [Fact]
    public void JUnitSuitesCasesAndOutcomesAreNormalised()
    {
        var result = SmokeReportParser.Parse(SmokeFormat.JUnit, Utf8(JUnit));

        var run = Assert.IsType<SmokeRun>(result.Run);
        Assert.Equal(new SmokeCounts(5, 2, 1, 1, 1), run.Counts);
        Assert.Equal(["api-smoke", "ingestion"], run.Suites.Select(s => s.Name));
        Assert.Equal(new SmokeCounts(3, 1, 1, 1, 0), run.Suites[0].Counts);
        Assert.Equal("expected 2.4.1, got 2.4.0", run.Cases.Single(c => c.Name == "version").Message);
        Assert.Equal("a1b2c3d", run.ReportedCommit);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 11, 50, 0, TimeSpan.Zero), run.StartedAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 11, 50, 12, 500, TimeSpan.Zero), run.FinishedAt);
        Assert.Equal(Utf8(JUnit), run.Original.ToArray());
        Assert.Matches("^[0-9a-f]{64}$", run.OriginalSha256);
    }

    [Fact]
    public void ASingleTestsuiteRootIsAccepted()
    {
        var run = SmokeReportParser.Parse(SmokeFormat.JUnit, Utf8("<testsuite name='only'><testcase name='a'/></testsuite>")).Run!;

        Assert.Equal("only", Assert.Single(run.Suites).Name);
        Assert.Equal(1, run.Counts.Passed);
    }

    public static TheoryData<string, string, int?, string> BadJUnit() => new()
    {
        { "external entity (XXE)", "<?xml version=\"1.0\"?>\n<!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<testsuite name=\"&x;\"/>", 2, "DTDs are not accepted" },
        { "entity expansion (billion laughs)", "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<testsuite name=\"&b;\"/>", 1, "DTDs are not accepted" },
        { "unclosed element", "<testsuites>\n  <testsuite name=\"x\">\n    <testcase name=\"a\">\n</testsuites>", 4, "not well-formed XML" },
        { "wrong root", "<results>\n</results>", 1, "the root element is <results>" },
        { "testcase without a name", "<testsuite name=\"s\">\n  <testcase classname=\"c\"/>\n</testsuite>", 2, "has no name attribute" },
        { "bad timestamp", "<testsuite name=\"s\" timestamp=\"yesterday\">\n</testsuite>", 1, "is not an ISO 8601 time" },
    };

    [Theory]
    [MemberData(nameof(BadJUnit))]
    public void MalformedOrUnsafeJUnitIsRefusedWithTheLine(string name, string xml, int? line, string message)
    {
        var result = SmokeReportParser.Parse(SmokeFormat.JUnit, Utf8(xml));

        Assert.False(result.Succeeded, name);
        Assert.Equal(line, result.Error!.Line);
        Assert.Contains(message, result.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", result.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AReportOverTheSizeLimitIsRefusedBeforeParsing()
    {
        var result = SmokeReportParser.Parse(SmokeFormat.JUnit, Utf8("<testsuite name='s'>" + new string(' ', 2000) + "</testsuite>"), new SmokeLimits { MaxBytes = 1000 });

        Assert.Equal("the report is 2032 bytes; the limit is 1000", result.Error!.Message);
    }

    [Fact]
    public void TooManyCasesAreRefused()
    {
        var xml = "<testsuite name='s'>" + string.Concat(Enumerable.Range(0, 11).Select(i => $"<testcase name='t{i}'/>")) + "</testsuite>";

        var result = SmokeReportParser.Parse(SmokeFormat.JUnit, Utf8(xml), new SmokeLimits { MaxCases = 10 });

        Assert.Contains("more than 10 test cases", result.Error!.Message, StringComparison.Ordinal);
    }

    internal const string Ctrf = """
        {
          "reportFormat": "CTRF",
          "specVersion": "0.0.0",
          "results": {
            "tool": { "name": "playwright" },
            "summary": { "tests": 4, "passed": 1, "failed": 1, "skipped": 1, "pending": 0, "other": 1, "start": 1795175400000, "stop": 1795175412500 },
            "tests": [
              { "name": "login", "status": "passed", "duration": 120, "suite": ["portal", "auth"] },
              { "name": "dashboard", "status": "failed", "duration": 300, "message": "timeout", "suite": ["portal", "auth"] },
              { "name": "export", "status": "skipped", "duration": 0 },
              { "name": "flaky", "status": "other", "duration": 10 }
            ],
            "environment": { "appVersion": "2.4.1", "commit": "a1b2c3d" }
          }
        }
        """;

    [Fact]
    public void CtrfIsNormalisedAndOtherIsNotAPass()
    {
        var run = SmokeReportParser.Parse(SmokeFormat.Ctrf, Utf8(Ctrf)).Run!;

        Assert.Equal(new SmokeCounts(4, 1, 1, 1, 1), run.Counts);
        Assert.Equal(["portal > auth", "playwright"], run.Suites.Select(s => s.Name));
        Assert.Equal(("a1b2c3d", "2.4.1"), (run.ReportedCommit, run.ReportedVersion));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1795175412500), run.FinishedAt);
    }

    [Fact]
    public void CtrfWithoutReportFormatFromOlderToolsIsAccepted()
    {
        var run = SmokeReportParser.Parse(SmokeFormat.Ctrf, Utf8("""{"results":{"tool":{"name":"jest"},"tests":[{"name":"a","status":"passed","duration":1}]}}""")).Run!;

        Assert.Equal("jest", Assert.Single(run.Suites).Name);
    }

    public static TheoryData<string, string, string?, int?, string> BadCtrf() => new()
    {
        { "not JSON", "{\n  \"results\": {\n    \"tool\": ,\n  }\n}", null, 3, "not valid JSON" },
        { "array root", "[]", "$", null, "must be a JSON object" },
        { "wrong reportFormat", """{"reportFormat":"JUNIT","results":{}}""", "$.reportFormat", null, "reportFormat must be" },
        { "no results", """{"reportFormat":"CTRF"}""", "$.results", null, "results is required" },
        { "no tool name", """{"results":{"tool":{},"tests":[]}}""", "$.results.tool.name", null, "results.tool.name is required" },
        { "tests not an array", """{"results":{"tool":{"name":"t"},"tests":{}}}""", "$.results.tests", null, "must be an array" },
        { "unknown status", """{"results":{"tool":{"name":"t"},"tests":[{"name":"a","status":"passed"},{"name":"b","status":"green"}]}}""", "$.results.tests[1].status", null, "'green' is not one of" },
        { "test without name", """{"results":{"tool":{"name":"t"},"tests":[{"status":"passed"}]}}""", "$.results.tests[0].name", null, "name is required" },
        { "duration as text", """{"results":{"tool":{"name":"t"},"tests":[{"name":"a","status":"passed","duration":"1s"}]}}""", "$.results.tests[0].duration", null, "duration must be a number" },
        { "bad summary time", """{"results":{"tool":{"name":"t"},"tests":[],"summary":{"start":"noon"}}}""", "$.results.summary", null, "milliseconds since the Unix epoch" },
    };

    [Theory]
    [MemberData(nameof(BadCtrf))]
    public void MalformedCtrfIsRefusedWithThePathOrLine(string name, string json, string? path, int? line, string message)
    {
        var result = SmokeReportParser.Parse(SmokeFormat.Ctrf, Utf8(json));

        Assert.False(result.Succeeded, name);
        Assert.Equal(path, result.Error!.Path);
        Assert.Equal(line, result.Error.Line);
        Assert.Contains(message, result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeeplyNestedCtrfIsRefused()
    {
        var json = "{\"results\":{\"tool\":{\"name\":\"t\"},\"tests\":[],\"extra\":" + new string('[', 100) + new string(']', 100) + "}}";

        var result = SmokeReportParser.Parse(SmokeFormat.Ctrf, Utf8(json));

        Assert.Contains("not valid JSON", result.Error!.Message, StringComparison.Ordinal);
    }

    internal const string Tap = """
        TAP version 14
        1..6
        # api smoke
        ok 1 - health is ready
        not ok 2 - version matches
          ---
          message: expected 2.4.1
          severity: fail
          ...
        ok 3 - export # SKIP not enabled here
        not ok 4 - new dashboard # TODO not built yet
        # Subtest: ingestion
            1..2
            ok 1 - cloudtrail
            not ok 2 - eventgrid
        not ok 5 - ingestion
        ok 6 - hash \# in a name
        """;

    [Fact]
    public void TapPointsDirectivesAndSubtestsAreNormalised()
    {
        var run = SmokeReportParser.Parse(SmokeFormat.Tap, Utf8(Tap), tapSuite: "api-smoke").Run!;

        Assert.Equal(new SmokeCounts(6, 2, 2, 0, 2), run.Counts);
        Assert.Equal("api-smoke", Assert.Single(run.Suites).Name);
        Assert.Equal(["health is ready", "version matches", "export", "new dashboard", "ingestion", "hash # in a name"], run.Cases.Select(c => c.Name));
        Assert.Equal("not enabled here", run.Cases[2].Message);
        Assert.Equal(SmokeCaseStatus.Skipped, run.Cases[3].Status);
    }

    [Fact]
    public void ATapPlanAtTheEndAndAShortRunCountMissingTestsAsErrored()
    {
        var run = SmokeReportParser.Parse(SmokeFormat.Tap, Utf8("ok 1 - a\nok 2 - b\n1..4\n")).Run!;

        Assert.Equal(new SmokeCounts(4, 2, 0, 2, 0), run.Counts);
        Assert.Equal(TapParser.DefaultSuite, run.Suites[0].Name);
    }

    [Fact]
    public void ATapBailOutIsAnError()
    {
        var run = SmokeReportParser.Parse(SmokeFormat.Tap, Utf8("TAP version 14\n1..3\nok 1 - a\nBail out! database down\n")).Run!;

        Assert.Equal(new SmokeCounts(4, 1, 0, 3, 0), run.Counts);
        Assert.Equal("database down", run.Cases.Single(c => c.Name == "Bail out!").Message);
    }

    public static TheoryData<string, string, int?, string> BadTap() => new()
    {
        { "no plan", "TAP version 14\nok 1 - a\n", null, "no plan line" },
        { "two plans", "1..2\nok 1\nok 2\n1..2\n", 4, "a second plan; the first is on line 1" },
        { "out of sequence", "1..3\nok 1\nok 3\nok 2\n", 3, "test number 3 is out of sequence; expected 2" },
        { "test after a trailing plan", "ok 1\n1..1\nok 2\n", 3, "a test point after the plan at the end" },
        { "late version line", "1..1\nTAP version 14\nok 1\n", 2, "the version line must be the first line" },
        { "unsupported version", "TAP version 12\n1..1\nok 1\n", 1, "TAP version 12 is not supported" },
        { "not a TAP line", "1..1\nok 1\nPASSED: everything\n", 3, "'PASSED: everything' is not a TAP line" },
    };

    [Theory]
    [MemberData(nameof(BadTap))]
    public void MalformedTapIsRefusedWithTheLine(string name, string tap, int? line, string message)
    {
        var result = SmokeReportParser.Parse(SmokeFormat.Tap, Utf8(tap));

        Assert.False(result.Succeeded, name);
        Assert.Equal(line, result.Error!.Line);
        Assert.Contains(message, result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TapThatIsNotUtf8IsRefused()
    {
        var result = SmokeReportParser.Parse(SmokeFormat.Tap, new byte[] { 0x31, 0x2e, 0x2e, 0x31, 0x0a, 0xff, 0xfe });

        Assert.Equal("the report is not UTF-8 text", result.Error!.Message);
    }

    [Theory]
    [InlineData(SmokeFormat.JUnit)]
    [InlineData(SmokeFormat.Ctrf)]
    [InlineData(SmokeFormat.Tap)]
    public void AnEmptyReportIsRefused(SmokeFormat format) =>
        Assert.Equal("the report is empty", SmokeReportParser.Parse(format, Array.Empty<byte>()).Error!.Message);
}
