using System.Text.Json;

namespace ControlTower.ReleaseGate.Evidence;

/// <summary>
/// CTRF JSON (ctrf-io/ctrf schema): <c>results.tool</c>, <c>results.tests[]</c> with name and status, optional summary
/// times and environment. Files from before <c>reportFormat</c>/<c>specVersion</c> existed are accepted. A case's
/// suite is its <c>suite</c> (joined with " > " when a path) or else the tool's name. Status <c>pending</c> counts as
/// skipped and <c>other</c> as errored: an unknown result is not a pass.
/// </summary>
public static class CtrfParser
{
    public static SmokeParseResult Parse(ReadOnlyMemory<byte> bytes, SmokeLimits limits)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = limits.MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            // The reader's own message ends with its 0-based position; the error carries the 1-based line instead.
            var cut = e.Message.IndexOf(" Path:", StringComparison.Ordinal) is var p and >= 0 ? p
                : e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal) is var q and >= 0 ? q : e.Message.Length;
            var column = e.BytePositionInLine is { } b ? FormattableString.Invariant($" (column {b + 1})") : "";
            return Fail($"not valid JSON: {e.Message[..cut].Trim()}{column}", e.LineNumber is { } line ? (int)line + 1 : null);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail("the document must be a JSON object", path: "$");
            }
            if (root.TryGetProperty("reportFormat", out var format) && !(format.ValueKind == JsonValueKind.String && format.GetString() == "CTRF"))
            {
                return Fail("reportFormat must be \"CTRF\"", path: "$.reportFormat");
            }
            if (!root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Object)
            {
                return Fail("results is required and must be an object", path: "$.results");
            }
            if (!results.TryGetProperty("tool", out var tool) || tool.ValueKind != JsonValueKind.Object
                || !tool.TryGetProperty("name", out var toolName) || toolName.ValueKind != JsonValueKind.String || toolName.GetString() is not { Length: > 0 })
            {
                return Fail("results.tool.name is required and must be a non-empty string", path: "$.results.tool.name");
            }
            if (!results.TryGetProperty("tests", out var tests) || tests.ValueKind != JsonValueKind.Array)
            {
                return Fail("results.tests is required and must be an array", path: "$.results.tests");
            }
            if (tests.GetArrayLength() > limits.MaxCases)
            {
                return Fail(FormattableString.Invariant($"more than {limits.MaxCases} tests"), path: "$.results.tests");
            }

            var cases = new List<SmokeCase>();
            var suiteOrder = new List<string>();
            var index = 0;
            foreach (var test in tests.EnumerateArray())
            {
                var at = FormattableString.Invariant($"$.results.tests[{index++}]");
                if (test.ValueKind != JsonValueKind.Object)
                {
                    return Fail("each test must be an object", path: at);
                }
                if (!test.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 })
                {
                    return Fail("name is required and must be a non-empty string", path: at + ".name");
                }
                if (!test.TryGetProperty("status", out var statusElement) || statusElement.ValueKind != JsonValueKind.String)
                {
                    return Fail("status is required: passed, failed, skipped, pending or other", path: at + ".status");
                }
                SmokeCaseStatus? status = statusElement.GetString() switch
                {
                    "passed" => SmokeCaseStatus.Passed,
                    "failed" => SmokeCaseStatus.Failed,
                    "skipped" or "pending" => SmokeCaseStatus.Skipped,
                    "other" => SmokeCaseStatus.Errored,
                    _ => null,
                };
                if (status is null)
                {
                    return Fail($"status '{statusElement.GetString()}' is not one of passed, failed, skipped, pending, other", path: at + ".status");
                }
                if (test.TryGetProperty("duration", out var duration) && duration.ValueKind != JsonValueKind.Number)
                {
                    return Fail("duration must be a number of milliseconds", path: at + ".duration");
                }
                string suite;
                if (!test.TryGetProperty("suite", out var suiteElement) || suiteElement.ValueKind == JsonValueKind.Null)
                {
                    suite = toolName.GetString()!;
                }
                else if (suiteElement.ValueKind == JsonValueKind.String)
                {
                    suite = suiteElement.GetString()!;
                }
                else if (suiteElement.ValueKind == JsonValueKind.Array && suiteElement.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String))
                {
                    suite = string.Join(" > ", suiteElement.EnumerateArray().Select(s => s.GetString()));
                }
                else
                {
                    return Fail("suite must be a string or an array of strings", path: at + ".suite");
                }
                suite = suite.Length == 0 ? toolName.GetString()! : suite;
                if (!suiteOrder.Contains(suite))
                {
                    suiteOrder.Add(suite);
                }
                var message = test.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                cases.Add(new SmokeCase(suite, name.GetString()!, status.Value, message));
            }

            DateTimeOffset? started = null;
            DateTimeOffset? finished = null;
            if (results.TryGetProperty("summary", out var summary))
            {
                if (summary.ValueKind != JsonValueKind.Object)
                {
                    return Fail("summary must be an object", path: "$.results.summary");
                }
                if (!TryTime(summary, "start", out started) || !TryTime(summary, "stop", out finished))
                {
                    return Fail("summary.start and summary.stop must be milliseconds since the Unix epoch", path: "$.results.summary");
                }
            }
            string? commit = null;
            string? version = null;
            if (results.TryGetProperty("environment", out var environment) && environment.ValueKind == JsonValueKind.Object)
            {
                commit = environment.TryGetProperty("commit", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                version = environment.TryGetProperty("appVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            }
            if (suiteOrder.Count == 0)
            {
                suiteOrder.Add(toolName.GetString()!);
            }
            return SmokeParseResult.Ok(SmokeReportParser.Run(SmokeFormat.Ctrf, cases, suiteOrder, bytes, started, finished, commit, version));
        }
    }

    private static bool TryTime(JsonElement summary, string field, out DateTimeOffset? time)
    {
        time = null;
        if (!summary.TryGetProperty(field, out var element))
        {
            return true;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var ms) || ms < 0 || ms > 253402300799999)
        {
            return false;
        }
        time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }

    private static SmokeParseResult Fail(string message, int? line = null, string? path = null) =>
        SmokeParseResult.Fail(new SmokeParseError(SmokeFormat.Ctrf, message, line, path));
}
