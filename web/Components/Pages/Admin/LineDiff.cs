namespace ControlTower.Web.Components.Pages.Admin;

public enum DiffKind
{
    Same,
    Removed,
    Added,
}

/// <summary>One line of a diff, with its number on each side it is on (from 1).</summary>
public sealed record DiffLine(DiffKind Kind, int? OldNumber, int? NewNumber, string Text);

/// <summary>A run of changed lines with a little unchanged context around it.</summary>
public sealed record DiffHunk(IReadOnlyList<DiffLine> Lines)
{
    public string Header
    {
        get
        {
            var first = Lines[0];
            return $"@@ -{first.OldNumber ?? Lines.FirstOrDefault(l => l.OldNumber is not null)?.OldNumber ?? 0} "
                + $"+{first.NewNumber ?? Lines.FirstOrDefault(l => l.NewNumber is not null)?.NewNumber ?? 0} @@";
        }
    }
}

/// <summary>
/// A line diff of two texts (longest common subsequence), for showing what changed between two baseline versions. Pure.
/// The common start and end are set aside first, so the usual edit (a few lines of a long file) costs little.
/// </summary>
public static class LineDiff
{
    /// <summary>Above this many cells the middle is shown as all removed, then all added, rather than matched.</summary>
    private const long MaxCells = 4_000_000;

    public static IReadOnlyList<DiffLine> Compare(string? before, string? after)
    {
        var a = Lines(before);
        var b = Lines(after);
        var start = 0;
        while (start < a.Length && start < b.Length && a[start] == b[start])
        {
            start++;
        }
        var endA = a.Length;
        var endB = b.Length;
        while (endA > start && endB > start && a[endA - 1] == b[endB - 1])
        {
            endA--;
            endB--;
        }

        var result = new List<DiffLine>(Math.Max(a.Length, b.Length) + 8);
        for (var i = 0; i < start; i++)
        {
            result.Add(new DiffLine(DiffKind.Same, i + 1, i + 1, a[i]));
        }
        Middle(a, start, endA, b, start, endB, result);
        for (int i = endA, j = endB; i < a.Length; i++, j++)
        {
            result.Add(new DiffLine(DiffKind.Same, i + 1, j + 1, a[i]));
        }
        return result;
    }

    /// <summary>The changed lines with <paramref name="context"/> unchanged lines either side; none when the texts are equal.</summary>
    public static IReadOnlyList<DiffHunk> Hunks(IReadOnlyList<DiffLine> lines, int context = 3)
    {
        var hunks = new List<DiffHunk>();
        var i = 0;
        while (i < lines.Count)
        {
            if (lines[i].Kind == DiffKind.Same)
            {
                i++;
                continue;
            }
            var from = Math.Max(0, i - context);
            var to = i;
            // Extend while the next change is within 2 × context unchanged lines.
            while (true)
            {
                while (to < lines.Count && lines[to].Kind != DiffKind.Same)
                {
                    to++;
                }
                var next = to;
                while (next < lines.Count && lines[next].Kind == DiffKind.Same && next - to < 2 * context)
                {
                    next++;
                }
                if (next < lines.Count && lines[next].Kind != DiffKind.Same)
                {
                    to = next;
                    continue;
                }
                break;
            }
            var end = Math.Min(lines.Count, to + context);
            hunks.Add(new DiffHunk(lines.Skip(from).Take(end - from).ToList()));
            i = end;
        }
        return hunks;
    }

    private static void Middle(string[] a, int startA, int endA, string[] b, int startB, int endB, List<DiffLine> result)
    {
        var n = endA - startA;
        var m = endB - startB;
        if ((long)n * m > MaxCells)
        {
            for (var i = startA; i < endA; i++)
            {
                result.Add(new DiffLine(DiffKind.Removed, i + 1, null, a[i]));
            }
            for (var j = startB; j < endB; j++)
            {
                result.Add(new DiffLine(DiffKind.Added, null, j + 1, b[j]));
            }
            return;
        }
        // lcs[i, j]: the longest common subsequence of a[startA + i ..] and b[startB + j ..].
        var lcs = new int[n + 1, m + 1];
        for (var i = n - 1; i >= 0; i--)
        {
            for (var j = m - 1; j >= 0; j--)
            {
                lcs[i, j] = a[startA + i] == b[startB + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        int x = 0, y = 0;
        while (x < n || y < m)
        {
            if (x < n && y < m && a[startA + x] == b[startB + y])
            {
                result.Add(new DiffLine(DiffKind.Same, startA + x + 1, startB + y + 1, a[startA + x]));
                x++;
                y++;
            }
            else if (y < m && (x == n || lcs[x, y + 1] > lcs[x + 1, y]))
            {
                result.Add(new DiffLine(DiffKind.Added, null, startB + y + 1, b[startB + y]));
                y++;
            }
            else
            {
                result.Add(new DiffLine(DiffKind.Removed, startA + x + 1, null, a[startA + x]));
                x++;
            }
        }
    }

    private static string[] Lines(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
}
