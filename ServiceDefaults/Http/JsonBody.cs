using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Reads a JSON request body into <typeparamref name="T"/> and, when it cannot, answers with a problem that
/// names the fault (content type, size, or the JSON path and reason), where model binding would give a bare 400.
/// </summary>
public static class JsonBody
{
    public const long DefaultMaxBytes = 1024 * 1024;

    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, long maxBytes = DefaultMaxBytes) where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
                detail: $"Content-Type '{request.ContentType ?? "(none)"}' is not accepted; send application/json."));
        }
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        var body = await request.Body.ReadAtMostAsync(maxBytes, request.HttpContext.RequestAborted);
        if (body is null)
        {
            return (null, TooLarge(maxBytes));
        }

        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            var value = JsonSerializer.Deserialize<T>(body, options);
            return value is null
                ? (null, Invalid("$", "The body is JSON null; send an object."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Invalid(string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path, ex.Message));
        }
    }

    private static IResult TooLarge(long maxBytes) => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Payload too large", detail: $"The request body exceeds the limit of {maxBytes} bytes.");

    private static IResult Invalid(string path, string reason) => Results.ValidationProblem(
        new Dictionary<string, string[]> { [path] = [reason] },
        title: "Invalid JSON body");
}
