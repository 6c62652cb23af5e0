using System.Security.Cryptography;

namespace ControlTower.ReleaseGate.Evidence;

/// <summary>The one door for posted smoke reports: checks the size, then hands the bytes to the format's parser.</summary>
public static class SmokeReportParser
{
    /// <param name="tapSuite">The suite name for a TAP stream, which carries none of its own.</param>
    public static SmokeParseResult Parse(SmokeFormat format, ReadOnlyMemory<byte> bytes, SmokeLimits? limits = null, string? tapSuite = null)
    {
        limits ??= SmokeLimits.Default;
        if (bytes.Length == 0)
        {
            return SmokeParseResult.Fail(new SmokeParseError(format, "the report is empty"));
        }
        if (bytes.Length > limits.MaxBytes)
        {
            return SmokeParseResult.Fail(new SmokeParseError(format,
                FormattableString.Invariant($"the report is {bytes.Length} bytes; the limit is {limits.MaxBytes}")));
        }
        try
        {
            return format switch
            {
                SmokeFormat.JUnit => JUnitParser.Parse(bytes, limits),
                SmokeFormat.Ctrf => CtrfParser.Parse(bytes, limits),
                SmokeFormat.Tap => TapParser.Parse(bytes, limits, tapSuite),
                _ => SmokeParseResult.Fail(new SmokeParseError(format, "unknown format")),
            };
        }
        catch (InvalidOperationException ex)
        {
            // Valid JSON whose strings are not text (invalid UTF-8, a lone surrogate escape): reading one throws (found by FuzzTests).
            return SmokeParseResult.Fail(new SmokeParseError(format, $"the report cannot be read: {ex.Message}"));
        }
    }

    /// <summary>Reads a format name as pipelines send it (<c>junit</c>, <c>ctrf</c>, <c>tap</c>).</summary>
    public static SmokeFormat? FormatNamed(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "junit" or "junit-xml" or "xml" => SmokeFormat.JUnit,
        "ctrf" or "ctrf-json" or "json" => SmokeFormat.Ctrf,
        "tap" => SmokeFormat.Tap,
        _ => null,
    };

    internal static string Sha256(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes.Span));

    internal static SmokeRun Run(SmokeFormat format, IReadOnlyList<SmokeCase> cases, IReadOnlyList<string> suiteOrder, ReadOnlyMemory<byte> bytes,
        DateTimeOffset? started = null, DateTimeOffset? finished = null, string? commit = null, string? version = null)
    {
        var suites = suiteOrder
            .Select(name => new SmokeSuite(name, SmokeCounts.Of(cases.Where(c => c.Suite == name))))
            .ToList();
        return new SmokeRun
        {
            Format = format,
            Suites = suites,
            Cases = cases,
            Counts = SmokeCounts.Of(cases),
            StartedAt = started,
            FinishedAt = finished,
            ReportedCommit = commit,
            ReportedVersion = version,
            Original = bytes.ToArray(),
            OriginalSha256 = Sha256(bytes),
        };
    }
}
