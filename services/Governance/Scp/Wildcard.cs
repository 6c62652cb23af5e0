namespace ControlTower.Governance.Scp;

/// <summary>
/// An IAM wildcard pattern: <c>*</c> matches any run of characters (also none), <c>?</c> exactly one, anywhere in
/// the pattern. Patterns without wildcards, and those that are a prefix followed by one <c>*</c>, take a fast path.
/// </summary>
public sealed class Wildcard
{
    private readonly string pattern;
    private readonly StringComparison comparison;
    private readonly Kind kind;

    public Wildcard(string pattern, bool ignoreCase)
    {
        this.pattern = pattern;
        comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        var hasQuestion = pattern.Contains('?', StringComparison.Ordinal);
        kind = pattern == "*" ? Kind.Any
            : star < 0 && !hasQuestion ? Kind.Exact
            : star == pattern.Length - 1 && !hasQuestion ? Kind.Prefix
            : Kind.General;
    }

    public string Pattern => pattern;

    public bool IsMatch(string value) => kind switch
    {
        Kind.Any => true,
        Kind.Exact => string.Equals(pattern, value, comparison),
        Kind.Prefix => value.StartsWith(pattern.AsSpan(0, pattern.Length - 1), comparison),
        _ => General(pattern, value, comparison == StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>Glob matching with one backtrack point: linear for patterns like these, never exponential.</summary>
    private static bool General(ReadOnlySpan<char> p, ReadOnlySpan<char> v, bool ignoreCase)
    {
        int pi = 0, vi = 0, starPi = -1, starVi = 0;
        while (vi < v.Length)
        {
            if (pi < p.Length && (p[pi] == '?' || Same(p[pi], v[vi], ignoreCase)))
            {
                pi++;
                vi++;
            }
            else if (pi < p.Length && p[pi] == '*')
            {
                starPi = pi++;
                starVi = vi;
            }
            else if (starPi >= 0)
            {
                pi = starPi + 1;
                vi = ++starVi;
            }
            else
            {
                return false;
            }
        }
        while (pi < p.Length && p[pi] == '*')
        {
            pi++;
        }
        return pi == p.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));

    public override string ToString() => pattern;

    private enum Kind
    {
        Any,
        Exact,
        Prefix,
        General,
    }
}
