using Bunit;
using ControlTower.Web.Components.Shared;
using ControlTower.Web.Gateway;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Web.Tests;

public sealed class SharedComponentTests : PortalTestContext
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ChartShowsEveryValueAsATableOnRequest()
    {
        var chart = Render<TimeSeriesChart>(p => p
            .Add(c => c.Title, "Activity by hour")
            .Add(c => c.Buckets, [Start, Start.AddHours(1), Start.AddHours(2)])
            .Add(c => c.Series, [new ChartSeries("aws", [3, 0, 7]), new ChartSeries("azure", [1, 2, 0], "info")]));

        // As a chart: one bar per non-zero value, and a summary for screen readers.
        Assert.Equal(4, chart.FindAll("rect.bar").Count);
        Assert.Contains("aws 10", chart.Find("svg").GetAttribute("aria-label"));

        chart.Find("figcaption button").Click();

        var rows = chart.FindAll("tbody tr");
        Assert.Equal(3, rows.Count);
        Assert.Equal(["2026-11-29 10:00", "3", "1"], rows[0].Children.Select(c => c.TextContent.Trim()).ToArray());
        Assert.Equal(["2026-11-29 12:00", "7", "0"], rows[2].Children.Select(c => c.TextContent.Trim()).ToArray());
        Assert.Equal("true", chart.Find("figcaption button").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void ChartMarksAReleaseInsideItsRangeAndIgnoresOneOutside()
    {
        var chart = Render<TimeSeriesChart>(p => p
            .Add(c => c.Title, "Findings")
            .Add(c => c.Buckets, [Start, Start.AddHours(1)])
            .Add(c => c.Series, [new ChartSeries("open", [1, 1])])
            .Add(c => c.Markers, [new ChartMarker(Start.AddMinutes(30), "payments-api 1.2.3"), new ChartMarker(Start.AddDays(-1), "old")]));

        var marker = Assert.Single(chart.FindAll("line.marker"));
        Assert.Equal("payments-api 1.2.3", marker.TextContent);

        // The table view lists every marker, one per item, with its time.
        chart.Find("figcaption button").Click();
        var items = chart.FindAll("ul.chart-markers li");
        Assert.Equal(2, items.Count);
        Assert.Equal("2026-11-29 10:30: payments-api 1.2.3", items[0].TextContent.Trim());
    }

    [Fact]
    public void TimesFollowTheChosenZone()
    {
        var preferences = Services.GetRequiredService<DisplayPreferences>();
        var time = Render<Time>(p => p.Add(t => t.Value, Start));
        Assert.Equal("2026-11-29 10:00:00", time.Find("time").TextContent);

        preferences.Set(localTime: true, "Europe/Berlin");

        time.WaitForAssertion(() => Assert.Equal("2026-11-29 11:00:00 +01:00", time.Find("time").TextContent));
        Assert.Equal(Start.ToString("O"), time.Find("time").GetAttribute("datetime"));
    }

    [Fact]
    public void ActionsShowOnlyForTheScopeThatAllowsThem()
    {
        RenderFragment button = b => b.AddMarkupContent(0, "<button>Acknowledge</button>");

        Scopes = ["signals:read"];
        var viewer = Render<Can>(p => p.Add(c => c.Scope, "signals:triage").Add(c => c.ChildContent, button));
        Assert.Empty(viewer.FindAll("button"));

        Scopes = ["signals:read", "signals:triage"];
        var operatorView = Render<Can>(p => p.Add(c => c.Scope, "signals:triage").Add(c => c.ChildContent, button));
        Assert.Single(operatorView.FindAll("button"));
    }

    [Fact]
    public void ProblemBarNamesAConflictAndAMissingScope()
    {
        var conflict = Render<ProblemBar>(p => p.Add(b => b.Problem, new GatewayProblem(412, "Precondition failed", "The signal changed.", null)));
        Assert.Contains("Someone else changed this first", conflict.Markup);

        var forbidden = Render<ProblemBar>(p => p
            .Add(b => b.Problem, new GatewayProblem(403, "Missing scope signals:triage", null, null))
            .Add(b => b.Context, "Acknowledging"));
        Assert.Contains("Acknowledging is not allowed for your role: Missing scope signals:triage.", forbidden.Markup);
    }
}
