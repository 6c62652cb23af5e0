using System.Globalization;
using System.Text;
using ControlTower.Contracts.Activity;
using Npgsql;
using NpgsqlTypes;

namespace ControlTower.Operations.Activity;

/// <summary>The filters of the activity list, counts and export, as the query string gives them.</summary>
public sealed record ActivityQuery(
    string? From = null, string? To = null, string? Provider = null, string? Account = null, string? Service = null,
    string? Operation = null, string? Actor = null, string? Outcome = null, string? Q = null);

/// <summary>
/// A validated activity filter and the SQL it stands for, shared by the list (composed further in LINQ) and the
/// counts (plain SQL). Free text <c>q</c> is a case-sensitive prefix of the operation, actor, resource id or error
/// code: each has a btree that answers it (collation "C"); a substring search needed a trigram index that cost
/// the ingest path a third to a half of its rate.
/// </summary>
public sealed class ActivityFilter
{
    public const int MinSearchLength = 3;
    public const int MaxSearchLength = 256;

    private static readonly string[] Providers = ["aws", "azure"];

    public DateTimeOffset? From { get; private init; }
    public DateTimeOffset? To { get; private init; }
    public string? Provider { get; private init; }
    public string? Account { get; private init; }
    public string? Service { get; private init; }
    public string? Operation { get; private init; }
    public string? Actor { get; private init; }
    public string? Outcome { get; private init; }
    public string? Search { get; private init; }

    public static ActivityFilter Parse(ActivityQuery query, Dictionary<string, string[]> errors)
    {
        var from = Time(query.From, "from", errors);
        var to = Time(query.To, "to", errors);
        if (from is not null && to is not null && from >= to)
        {
            errors["to"] = ["to must be later than from."];
        }

        string? provider = null;
        if (query.Provider is not null)
        {
            provider = Providers.FirstOrDefault(p => string.Equals(p, query.Provider, StringComparison.OrdinalIgnoreCase));
            if (provider is null)
            {
                errors["provider"] = [$"provider must be one of {string.Join(", ", Providers)}."];
            }
        }

        string? outcome = null;
        if (query.Outcome is not null)
        {
            if (Enum.TryParse<ActivityOutcome>(query.Outcome, ignoreCase: true, out var parsed)
                && Enum.IsDefined(parsed) && !query.Outcome.Any(char.IsDigit))
            {
                outcome = parsed.ToString();
            }
            else
            {
                errors["outcome"] = [$"outcome must be one of {string.Join(", ", Enum.GetNames<ActivityOutcome>())}."];
            }
        }

        string? search = null;
        if (query.Q is not null)
        {
            search = query.Q.Trim();
            if (search.Length is < MinSearchLength or > MaxSearchLength)
            {
                errors["q"] = [$"q must be {MinSearchLength} to {MaxSearchLength} characters: the start of an operation, actor, resource id or error code."];
            }
        }

        return new ActivityFilter
        {
            From = from,
            To = to,
            Provider = provider,
            Account = Text(query.Account, "account", 128, errors),
            Service = Text(query.Service, "service", 256, errors),
            Operation = Text(query.Operation, "operation", 256, errors),
            Actor = Text(query.Actor, "actor", 2048, errors),
            Outcome = outcome,
            Search = search,
        };
    }

    /// <summary>The WHERE condition over <c>activities</c>; its parameters are added to <paramref name="parameters"/>.</summary>
    public string ToSql(List<NpgsqlParameter> parameters)
    {
        var sql = new StringBuilder("TRUE");
        if (From is { } from)
        {
            Add("time >= @f_from", new NpgsqlParameter<DateTimeOffset>("f_from", NpgsqlDbType.TimestampTz) { TypedValue = from });
        }
        if (To is { } to)
        {
            Add("time < @f_to", new NpgsqlParameter<DateTimeOffset>("f_to", NpgsqlDbType.TimestampTz) { TypedValue = to });
        }
        AddText("provider", Provider);
        AddText("account", Account);
        AddText("service", Service);
        AddText("operation", Operation);
        AddText("actor", Actor);
        AddText("outcome", Outcome);
        if (Search is not null)
        {
            Add("(operation LIKE @f_q OR actor LIKE @f_q OR resource_id LIKE @f_q OR error_code LIKE @f_q)",
                new NpgsqlParameter<string>("f_q", NpgsqlDbType.Text) { TypedValue = EscapeLike(Search) + "%" });
        }
        return sql.ToString();

        void AddText(string column, string? value)
        {
            if (value is not null)
            {
                Add($"{column} = @f_{column}", new NpgsqlParameter<string>("f_" + column, NpgsqlDbType.Text) { TypedValue = value });
            }
        }

        void Add(string condition, NpgsqlParameter parameter)
        {
            sql.Append(" AND ").Append(condition);
            parameters.Add(parameter);
        }
    }

    /// <summary>Whether activity_hourly_counts can answer counts under this filter: it keeps provider, outcome and service only.</summary>
    public bool FitsHourlyCounts => Account is null && Operation is null && Actor is null && Search is null;

    /// <summary>The condition over activity_hourly_counts; uses the parameters <see cref="ToSql"/> added.</summary>
    public string ToHourlySql()
    {
        var sql = new StringBuilder("TRUE");
        foreach (var (column, value) in new[] { ("provider", Provider), ("outcome", Outcome), ("service", Service) })
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(column).Append(" = @f_").Append(column);
            }
        }
        return sql.ToString();
    }

    private static string EscapeLike(string value) =>
        value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    private static DateTimeOffset? Time(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }
        // ISO 8601 only (a date, or a date and time; UTC unless an offset is given), not whatever the culture would parse.
        if (value.Length >= 10 && char.IsAsciiDigit(value[0]) && value[4] == '-' && value[7] == '-'
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }
        errors[name] = [$"{name} must be an ISO 8601 time such as 2026-11-28T10:00:00Z (an offset's '+' must be sent as %2B)."];
        return null;
    }

    private static string? Text(string? value, string name, int maxLength, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }
        if (value.Length == 0 || value.Length > maxLength)
        {
            errors[name] = [$"{name} must be 1 to {maxLength} characters."];
            return null;
        }
        return value;
    }
}
