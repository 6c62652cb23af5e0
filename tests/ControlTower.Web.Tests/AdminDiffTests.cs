using Bunit;
using ControlTower.Web.Components.Pages.Admin;

namespace ControlTower.Web.Tests;

/// <summary>The line diff between two baseline versions, and how the page draws it.</summary>
public sealed class AdminDiffTests : PortalTestContext
{
    private static string Baseline(string owner, string team = "payments") => string.Join('\n',
        Enumerable.Range(1, 20).Select(i => $"    - id: ou-{i:00}")
            .Concat(["  accounts:", "    - id: \"555566667777\"", "      name: payments-prod", $"      owner: {owner}", $"      team: {team}"])
            .Concat(Enumerable.Range(1, 20).Select(i => $"    - id: sub-{i:00}"))) + "\n";

    [Fact]
    public void AChangedOwnerIsOneLineRemovedAndOneAddedWithThreeLinesOfContext()
    {
        var lines = LineDiff.Compare(Baseline("payments-lead@example.com"), Baseline("new-owner@example.com"));

        var removed = Assert.Single(lines, l => l.Kind == DiffKind.Removed);
        var added = Assert.Single(lines, l => l.Kind == DiffKind.Added);
        Assert.Equal(("      owner: payments-lead@example.com", 24, (int?)null), (removed.Text, removed.OldNumber!.Value, removed.NewNumber));
        Assert.Equal(("      owner: new-owner@example.com", (int?)null, 24), (added.Text, added.OldNumber, added.NewNumber!.Value));
        // 44 unchanged lines, the old owner and the new one.
        Assert.Equal(46, lines.Count);

        var hunk = Assert.Single(LineDiff.Hunks(lines));
        Assert.Equal(8, hunk.Lines.Count);
        Assert.Equal("@@ -21 +21 @@", hunk.Header);
    }

    [Fact]
    public void ChangesFarApartAreSeparateHunksAndInsertionsShiftTheNewNumbers()
    {
        var before = Baseline("a@example.com");
        var after = "# a comment on top\n" + Baseline("a@example.com", "cards");

        var lines = LineDiff.Compare(before, after);
        var hunks = LineDiff.Hunks(lines);

        Assert.Equal(2, hunks.Count);
        Assert.Equal("# a comment on top", Assert.Single(hunks[0].Lines, l => l.Kind == DiffKind.Added).Text);
        var team = hunks[1].Lines.Where(l => l.Kind != DiffKind.Same).ToList();
        Assert.Equal([(DiffKind.Removed, (int?)25, (int?)null), (DiffKind.Added, null, 26)], team.Select(l => (l.Kind, l.OldNumber, l.NewNumber)));
    }

    [Fact]
    public void TheDiffViewShowsTheOldOwnerStruckAndTheNewOneAddedAndNothingFarAway()
    {
        var view = Render<BaselineDiffView>(p => p
            .Add(d => d.Name, "baseline.yaml")
            .Add(d => d.Before, Baseline("payments-lead@example.com"))
            .Add(d => d.After, Baseline("new-owner@example.com")));

        Assert.Contains("1 line(s) removed, 1 added", view.Find("h3").TextContent);
        Assert.Contains("owner: payments-lead@example.com", view.Find("tr.removed").TextContent);
        Assert.Contains("removed", view.Find("tr.removed td.sign").TextContent);
        Assert.Contains("owner: new-owner@example.com", view.Find("tr.added").TextContent);
        var rows = view.FindAll("tbody tr:not(.hunk)");
        Assert.Equal(8, rows.Count);
        Assert.DoesNotContain(rows, r => r.TextContent.Contains("ou-01", StringComparison.Ordinal));
    }

    [Fact]
    public void IdenticalVersionsSayNoChange()
    {
        var view = Render<BaselineDiffView>(p => p
            .Add(d => d.Name, "policies/guardrails.json")
            .Add(d => d.Before, "{}\n")
            .Add(d => d.After, "{}\n"));

        Assert.Equal("No change.", view.Find("p.empty").TextContent);
        Assert.Empty(view.FindAll("table"));
    }
}
