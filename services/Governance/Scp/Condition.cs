using System.Globalization;
using System.Net;

namespace ControlTower.Governance.Scp;

/// <summary>The IAM condition operators, without their <c>IfExists</c> suffix or set prefix.</summary>
public enum ConditionOperator
{
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// <summary>How a condition treats a key with several values in the request.</summary>
public enum SetQualifier
{
    /// <summary>No prefix: true when any of the request's values satisfies the operator.</summary>
    None,

    /// <summary><c>ForAnyValue:</c> true when at least one request value satisfies the operator; false when the key is absent or empty.</summary>
    ForAnyValue,

    /// <summary><c>ForAllValues:</c> true when every request value satisfies the operator; true when the key is absent or empty.</summary>
    ForAllValues,
}

/// <summary>
/// One key of one operator block: <c>"StringNotLike": {"aws:PrincipalArn": ["arn:…:role/Admin*"]}</c>. The
/// statement's clauses are ANDed; the values of one clause are ORed (for a negated operator: the request
/// value must match none of them).
/// </summary>
public sealed class Condition
{
    private readonly string[] values;
    private readonly Wildcard[]? patterns;
    private readonly double[]? numbers;
    private readonly DateTimeOffset[]? dates;
    private readonly (IPAddress Network, int Bits)[]? networks;
    private readonly Wildcard[][]? arns;

    public Condition(string text, ConditionOperator op, SetQualifier set, bool ifExists, string key, string[] values)
    {
        Text = text;
        Operator = op;
        Set = set;
        IfExists = ifExists;
        Key = key;
        this.values = values;
        Negated = op is ConditionOperator.StringNotEquals or ConditionOperator.StringNotEqualsIgnoreCase or ConditionOperator.StringNotLike
            or ConditionOperator.NumericNotEquals or ConditionOperator.DateNotEquals or ConditionOperator.NotIpAddress
            or ConditionOperator.ArnNotEquals or ConditionOperator.ArnNotLike;
        switch (op)
        {
            case ConditionOperator.StringLike or ConditionOperator.StringNotLike:
                patterns = [.. values.Select(v => new Wildcard(v, ignoreCase: false))];
                break;
            case >= ConditionOperator.NumericEquals and <= ConditionOperator.NumericGreaterThanEquals:
                numbers = [.. values.Select(v => TryNumber(v, out var n) ? n : throw new FormatException($"'{v}' is not a number"))];
                break;
            case >= ConditionOperator.DateEquals and <= ConditionOperator.DateGreaterThanEquals:
                dates = [.. values.Select(v => TryDate(v, out var d) ? d : throw new FormatException($"'{v}' is not a date (ISO 8601 or epoch seconds)"))];
                break;
            case ConditionOperator.IpAddress or ConditionOperator.NotIpAddress:
                networks = [.. values.Select(v => TryNetwork(v, out var n) ? n : throw new FormatException($"'{v}' is not an IP address or CIDR range"))];
                break;
            case >= ConditionOperator.ArnEquals and <= ConditionOperator.ArnNotLike:
                arns = [.. values.Select(v => ArnParts(v).Select(p => new Wildcard(p, ignoreCase: false)).ToArray())];
                break;
            case ConditionOperator.Bool or ConditionOperator.Null:
                if (values.Any(v => !bool.TryParse(v, out _)))
                {
                    throw new FormatException($"{op} takes \"true\" or \"false\"");
                }
                break;
        }
    }

    /// <summary>The operator as written, e.g. <c>ForAnyValue:StringLikeIfExists</c>.</summary>
    public string Text { get; }

    public ConditionOperator Operator { get; }

    public SetQualifier Set { get; }

    public bool IfExists { get; }

    public string Key { get; }

    public IReadOnlyList<string> Values => values;

    /// <summary>A "Not" operator: true when the key is absent, and when the request value matches none of the values.</summary>
    public bool Negated { get; }

    public bool IsSatisfied(ScpRequest request)
    {
        var present = request.TryGetContext(Key, out var requestValues) && requestValues.Count > 0;
        if (Operator == ConditionOperator.Null)
        {
            // "Null": {"key": "true"} asks that the key be absent; "false" that it be present.
            return values.Any(v => bool.Parse(v) == !present);
        }
        if (!present)
        {
            return Set switch
            {
                SetQualifier.ForAllValues => true,
                SetQualifier.ForAnyValue => IfExists,
                _ => IfExists || Negated,
            };
        }
        return Set == SetQualifier.ForAllValues
            ? requestValues.All(SatisfiedBy)
            : Negated && Set == SetQualifier.None
                // A negated operator without a set prefix: no request value may match any of the values.
                ? requestValues.All(SatisfiedBy)
                : requestValues.Any(SatisfiedBy);
    }

    /// <summary>Whether one request value satisfies the operator against the clause's values.</summary>
    private bool SatisfiedBy(string value)
    {
        var matched = false;
        for (var i = 0; i < values.Length && !matched; i++)
        {
            matched = Matches(value, i);
        }
        return Negated ? !matched : matched;
    }

    /// <summary>The positive comparison of a request value with the clause's i-th value (for negated operators, their positive twin).</summary>
    private bool Matches(string value, int i) => Operator switch
    {
        ConditionOperator.StringEquals or ConditionOperator.StringNotEquals => string.Equals(value, values[i], StringComparison.Ordinal),
        ConditionOperator.StringEqualsIgnoreCase or ConditionOperator.StringNotEqualsIgnoreCase => string.Equals(value, values[i], StringComparison.OrdinalIgnoreCase),
        ConditionOperator.StringLike or ConditionOperator.StringNotLike => patterns![i].IsMatch(value),
        ConditionOperator.NumericEquals or ConditionOperator.NumericNotEquals => TryNumber(value, out var n) && n == numbers![i],
        ConditionOperator.NumericLessThan => TryNumber(value, out var n) && n < numbers![i],
        ConditionOperator.NumericLessThanEquals => TryNumber(value, out var n) && n <= numbers![i],
        ConditionOperator.NumericGreaterThan => TryNumber(value, out var n) && n > numbers![i],
        ConditionOperator.NumericGreaterThanEquals => TryNumber(value, out var n) && n >= numbers![i],
        ConditionOperator.DateEquals or ConditionOperator.DateNotEquals => TryDate(value, out var d) && d == dates![i],
        ConditionOperator.DateLessThan => TryDate(value, out var d) && d < dates![i],
        ConditionOperator.DateLessThanEquals => TryDate(value, out var d) && d <= dates![i],
        ConditionOperator.DateGreaterThan => TryDate(value, out var d) && d > dates![i],
        ConditionOperator.DateGreaterThanEquals => TryDate(value, out var d) && d >= dates![i],
        ConditionOperator.Bool => bool.TryParse(value, out var b) && b == bool.Parse(values[i]),
        ConditionOperator.BinaryEquals => string.Equals(value, values[i], StringComparison.Ordinal),
        ConditionOperator.IpAddress or ConditionOperator.NotIpAddress => IPAddress.TryParse(value, out var ip) && InNetwork(ip, networks![i]),
        _ => ArnMatches(value, arns![i]),
    };

    private static bool ArnMatches(string value, Wildcard[] parts)
    {
        var valueParts = ArnParts(value);
        if (valueParts.Length != parts.Length)
        {
            // A pattern of "*" (one part) matches any ARN.
            return parts.Length == 1 && parts[0].IsMatch(value);
        }
        for (var i = 0; i < parts.Length; i++)
        {
            if (!parts[i].IsMatch(valueParts[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The six colon-separated components of an ARN (the last may hold colons), checked one by one.</summary>
    private static string[] ArnParts(string arn) => arn.Split(':', 6);

    private static bool TryNumber(string text, out double number) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);

    private static bool TryDate(string text, out DateTimeOffset date)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
        {
            date = DateTimeOffset.FromUnixTimeSeconds(epoch);
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);
    }

    private static bool TryNetwork(string text, out (IPAddress Network, int Bits) network)
    {
        network = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address))
        {
            return false;
        }
        var max = address.GetAddressBytes().Length * 8;
        var bits = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out bits) || bits > max))
        {
            return false;
        }
        network = (address, bits);
        return true;
    }

    private static bool InNetwork(IPAddress ip, (IPAddress Network, int Bits) network)
    {
        if (ip.IsIPv4MappedToIPv6 && network.Network.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            ip = ip.MapToIPv4();
        }
        if (ip.AddressFamily != network.Network.AddressFamily)
        {
            return false;
        }
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        ip.TryWriteBytes(a, out var length);
        network.Network.TryWriteBytes(b, out _);
        var bits = network.Bits;
        for (var i = 0; i < length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (b[i] & mask))
            {
                return false;
            }
        }
        return true;
    }
}
