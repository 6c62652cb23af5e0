using Microsoft.AspNetCore.Http.HttpResults;

namespace ControlTower.Operations.Apis;

/// <summary>The problems the triage APIs answer with, each naming the fault (RFC 9457).</summary>
public static class TriageProblems
{
    public const string TriageScope = "signals:triage";
    public const string SuppressScope = "signals:suppress";
    public const string AuditScope = "audit:read";

    public static ProblemHttpResult MissingScope(string scope) => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden,
        title: "Missing scope", detail: $"This action needs the scope '{scope}', which the caller was not granted.",
        extensions: new Dictionary<string, object?> { ["scope"] = scope });

    public static ProblemHttpResult NotFound(string what, long id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: $"No such {what}", detail: $"There is no {what} {id}.");

    public static ProblemHttpResult IfMatchRequired(string what) => TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired,
        title: "If-Match required", detail: $"Changing a {what} needs an If-Match header with the ETag from its last GET.");

    public static ProblemHttpResult Stale(string what, long id, string current) => TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed,
        title: "ETag does not match", detail: $"The {what} {id} changed since it was read (its ETag is now {current}); read it again and retry.",
        extensions: new Dictionary<string, object?> { ["etag"] = current });

    public static ProblemHttpResult Forbidden(string what, long id, string status, string action, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Cannot {action} a {status} {what}", detail: detail,
            extensions: new Dictionary<string, object?> { ["currentStatus"] = status, ["action"] = action, [what + "Id"] = id });

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>JsonBody's problems (content type, size, JSON path) as the typed result the handlers declare.</summary>
    public static ProblemHttpResult FromBody(IResult problem) => problem as ProblemHttpResult
        ?? TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request body");

    public static string ETag(int version) => $"\"{version}\"";

    /// <summary>The version If-Match names, null when the header is absent, -1 when it names none of ours.</summary>
    public static int? IfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        var value = header.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }
        value = value.Trim('"');
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : -1;
    }

    /// <summary>Query values are read as text and parsed here, so that a bad one is a 400 naming it, not a binding failure.</summary>
    public static long? Number(string? value, string field, Dictionary<string, string[]> errors, long min = 1, long max = long.MaxValue)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && number >= min && number <= max)
        {
            return number;
        }
        errors[field] = [max == long.MaxValue ? $"{field} must be a whole number of at least {min}." : $"{field} must be between {min} and {max}."];
        return null;
    }

    public static bool? Flag(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (bool.TryParse(value, out var flag))
        {
            return flag;
        }
        errors[field] = [$"{field} is true or false."];
        return null;
    }

    public static DateTimeOffset? Time(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUniversalTime();
        }
        errors[field] = [$"{field} is an ISO 8601 time, e.g. 2026-11-28T12:00:00Z."];
        return null;
    }
}
