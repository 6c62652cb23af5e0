namespace ControlTower.Contracts.Operations;

/// <summary>
/// A person resolved a signal in Operations. The service the signal came from may act on it: Governance closes a
/// guardrail finding (a broken control has no source condition that clears by itself), unless it was broken again
/// after the occurrence the person saw.
/// </summary>
public record SignalResolved
{
    /// <summary>The signal's id in Operations (<c>GET /api/signals/{id}</c>).</summary>
    public required long SignalId { get; init; }

    /// <summary>What the signal is about, e.g. <c>guardrail</c>, <c>drift</c>, <c>alert</c>, <c>release</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The service or feed the signal came from, e.g. <c>governance</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The source's own id of the thing (for Governance: the finding id).</summary>
    public string? SourceId { get; init; }

    /// <summary>The source's occurrence the person saw when resolving: a newer occurrence keeps the source open.</summary>
    public int? SourceOccurrence { get; init; }

    /// <summary><c>TruePositive</c>, <c>BenignPositive</c>, <c>FalsePositive</c> or <c>Undetermined</c>.</summary>
    public required string Classification { get; init; }

    public required string ResolvedBy { get; init; }

    public required DateTimeOffset ResolvedAt { get; init; }
}
