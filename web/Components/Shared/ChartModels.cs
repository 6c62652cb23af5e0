namespace ControlTower.Web.Components.Shared;

/// <summary>One named series of a time chart; <see cref="Tone"/> picks its colour (a CSS class suffix: critical, high, medium, low, info, accent, neutral, success, danger).</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> Values, string Tone = "accent");

/// <summary>A moment marked on a time chart (a release, a baseline change), optionally a link.</summary>
public sealed record ChartMarker(DateTimeOffset Time, string Label, string? Href = null);

/// <summary>One bar of a <see cref="BarList"/>: a label, a count, and the list behind it.</summary>
public sealed record BarItem(string Label, double Value, string? Href = null, string Tone = "accent");
