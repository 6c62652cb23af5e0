using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using ControlTower.Web.Session;

namespace ControlTower.Web.Gateway;

/// <summary>
/// The portal reads and writes everything through the gateway, as the signed-in person: every request carries their
/// credential (an OIDC access token, or in Development the gateway session of the Development sign-in), so the gateway's
/// scopes, rate limits and audit apply to what they do here exactly as to any other client. Failures arrive as
/// <see cref="GatewayProblemException"/> with the gateway's RFC 9457 problem, for the page to show.
/// </summary>
public sealed class GatewayClient(HttpClient http, PortalUser user)
{
    public static readonly Uri BaseAddress = new("http://gateway");

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        (await GetVersionedAsync<T>(path, cancellationToken)).Value;

    /// <summary>A GET whose answer carries an ETag, for a later write with <c>If-Match</c>.</summary>
    public async Task<Versioned<T>> GetVersionedAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await SendCheckedAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return new Versioned<T>(await ReadAsync<T>(response, cancellationToken), response.Headers.ETag?.Tag);
    }

    /// <summary>A write with a JSON body (or none); <paramref name="ifMatch"/> guards it against someone else's change.</summary>
    public async Task<Versioned<T>> SendAsync<T>(HttpMethod method, string path, object? body, string? ifMatch, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }
        using var response = await SendCheckedAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var value = response.Content.Headers.ContentLength == 0 ? default! : await ReadAsync<T>(response, cancellationToken);
        return new Versioned<T>(value, response.Headers.ETag?.Tag);
    }

    /// <summary>A write whose answer the page does not need.</summary>
    public async Task SendAsync(HttpMethod method, string path, object? body, string? ifMatch, CancellationToken cancellationToken) =>
        await SendAsync<JsonElement?>(method, path, body, ifMatch, cancellationToken);

    /// <summary>
    /// Sends a request and returns the answer unread, for streaming (exports, raw content). The caller disposes it.
    /// A failure is thrown as <see cref="GatewayProblemException"/> before any of it is read.
    /// </summary>
    public Task<HttpResponseMessage> OpenAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendCheckedAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        await AuthenticateAsync(request);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new GatewayProblemException(new GatewayProblem(503, "The gateway did not answer", ex.Message, null));
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GatewayProblemException(new GatewayProblem(504, "The gateway took too long", ex.Message, null));
        }
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw new GatewayProblemException(await GatewayProblem.ReadAsync(response, cancellationToken));
        }
    }

    private async Task AuthenticateAsync(HttpRequestMessage request)
    {
        var principal = await user.PrincipalAsync();
        var credential = principal.FindFirstValue(PortalClaims.Credential);
        switch (principal.FindFirstValue(PortalClaims.CredentialKind))
        {
            case CredentialKinds.Bearer when credential is not null:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
                break;
            case CredentialKinds.Session when credential is not null:
                request.Headers.Add("Cookie", credential);
                break;
            default:
                throw new GatewayProblemException(new GatewayProblem(401, "Not signed in", "Sign in to use the portal.", null));
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
        ?? throw new GatewayProblemException(new GatewayProblem(502, "Empty answer", $"The gateway answered {response.RequestMessage?.RequestUri?.PathAndQuery} with no body.", null));
}

/// <summary>A value with the ETag it was read or written at.</summary>
public sealed record Versioned<T>(T Value, string? ETag);

/// <summary>An RFC 9457 problem from the gateway (or made up here when it could not be reached).</summary>
public sealed record GatewayProblem(int Status, string Title, string? Detail, IReadOnlyDictionary<string, string[]>? Errors)
{
    public string Describe()
    {
        var text = Detail is { Length: > 0 } ? $"{Title}: {Detail}" : Title;
        if (Errors is { Count: > 0 })
        {
            text += " (" + string.Join("; ", Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) + ")";
        }
        return text;
    }

    /// <summary>The problem passed on to the portal's own caller as it came (a validation problem keeps its field errors).</summary>
    public IResult ToResult() => Errors is { Count: > 0 } errors
        ? TypedResults.ValidationProblem(errors, Detail, title: Title)
        : TypedResults.Problem(statusCode: Status, title: Title, detail: Detail);

    public static async Task<GatewayProblem> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        try
        {
            if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
            {
                var body = await response.Content.ReadFromJsonAsync<ProblemBody>(GatewayClient.Json, cancellationToken);
                if (body is not null)
                {
                    return new GatewayProblem(status, body.Title ?? response.ReasonPhrase ?? "Error", body.Detail, body.Errors);
                }
            }
        }
        catch (JsonException)
        {
            // Not a problem body after all: fall through to the status line.
        }
        return new GatewayProblem(status, response.ReasonPhrase ?? $"HTTP {status}", null, null);
    }

    private sealed record ProblemBody(string? Title, string? Detail, Dictionary<string, string[]>? Errors);
}

public sealed class GatewayProblemException(GatewayProblem problem) : Exception(problem.Describe())
{
    public GatewayProblem Problem { get; } = problem;

    public int Status => Problem.Status;
}
