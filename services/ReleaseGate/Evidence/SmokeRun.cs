namespace ControlTower.ReleaseGate.Evidence;

public enum SmokeFormat
{
    JUnit,
    Ctrf,
    Tap,
}

public enum SmokeCaseStatus
{
    Passed,
    Failed,
    Errored,
    Skipped,
}

/// <summary>Counts of one suite or a whole run. <see cref="PassRate"/> leaves skipped cases out; null when nothing ran.</summary>
public sealed record SmokeCounts(int Total, int Passed, int Failed, int Errored, int Skipped)
{
    public static readonly SmokeCounts Zero = new(0, 0, 0, 0, 0);

    public decimal? PassRate => Total - Skipped is var ran and > 0 ? (decimal)Passed / ran : null;

    public static SmokeCounts Of(IEnumerable<SmokeCase> cases)
    {
        int total = 0, passed = 0, failed = 0, errored = 0, skipped = 0;
        foreach (var c in cases)
        {
            total++;
            switch (c.Status)
            {
                case SmokeCaseStatus.Passed: passed++; break;
                case SmokeCaseStatus.Failed: failed++; break;
                case SmokeCaseStatus.Errored: errored++; break;
                default: skipped++; break;
            }
        }
        return new SmokeCounts(total, passed, failed, errored, skipped);
    }

    public SmokeCounts Add(SmokeCounts other) =>
        new(Total + other.Total, Passed + other.Passed, Failed + other.Failed, Errored + other.Errored, Skipped + other.Skipped);
}

public sealed record SmokeCase(string Suite, string Name, SmokeCaseStatus Status, string? Message = null);

public sealed record SmokeSuite(string Name, SmokeCounts Counts);

/// <summary>
/// One smoke run, whatever format it was posted in: its suites with counts, its cases, what the report itself says
/// about the revision tested (when it says), and the original bytes with their SHA-256.
/// </summary>
public sealed record SmokeRun
{
    public required SmokeFormat Format { get; init; }
    public required IReadOnlyList<SmokeSuite> Suites { get; init; }
    public required IReadOnlyList<SmokeCase> Cases { get; init; }
    public required SmokeCounts Counts { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? ReportedCommit { get; init; }
    public string? ReportedVersion { get; init; }
    public required ReadOnlyMemory<byte> Original { get; init; }
    public required string OriginalSha256 { get; init; }
}

/// <summary>A fault in a posted report: the format, what is wrong, and where (line, or JSON path).</summary>
public sealed record SmokeParseError(SmokeFormat Format, string Message, int? Line = null, string? Path = null)
{
    public override string ToString() =>
        $"{Format}: {Message}{(Line is { } l ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (line {l})") : "")}{(Path is { } p ? $" (at {p})" : "")}";
}

public sealed record SmokeParseResult(SmokeRun? Run, SmokeParseError? Error)
{
    public bool Succeeded => Run is not null;
    public static SmokeParseResult Ok(SmokeRun run) => new(run, null);
    public static SmokeParseResult Fail(SmokeParseError error) => new(null, error);
}

/// <summary>Limits a posted report must stay within; the defaults suit smoke suites, not whole regression runs.</summary>
public sealed record SmokeLimits
{
    public static readonly SmokeLimits Default = new();
    public int MaxBytes { get; init; } = 5 * 1024 * 1024;
    public int MaxCases { get; init; } = 20_000;
    public int MaxDepth { get; init; } = 64;
}
