using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using ControlTower.Gateway.Keys;
using Microsoft.Extensions.Options;

namespace ControlTower.Gateway.Authentication;

/// <summary>
/// Authenticates machines by API key, sent as <c>X-Api-Key</c> (the header EventBridge connections and
/// Azure webhooks can set), as <c>Authorization: Bearer</c>, or in the query string as <c>apiKey</c> (all that
/// some webhook senders can do, e.g. an Event Grid subscription's endpoint URL). A key in the query string is
/// taken out of the request's URL before anything else sees it, so it is neither forwarded nor logged.
/// Challenges and refusals answer with problem details that say what went wrong.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    WebhookSignatures signatures,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string QueryName = "apiKey";
    private const string FailureItem = "ControlTower.AuthenticationFailure";
    private const string QueryKeyItem = "ControlTower.QueryApiKey";
    private const string UnavailableItem = "ControlTower.KeyStoreUnavailable";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        TakeQueryKey();
        var presented = PresentedKey();
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }
        ApiKeyIdentity? identity;
        try
        {
            identity = await keys.FindAsync(presented, Context.RequestAborted);
        }
        catch (KeyStoreUnavailableException ex)
        {
            Context.Items[UnavailableItem] = true;
            return AuthenticateResult.Fail(ex.Message);
        }
        if (identity is null)
        {
            return AuthenticateResult.Fail("The API key is not recognised.");
        }
        if (identity.SigningSecret is not null && await SignatureFault(identity.SigningSecret) is { } fault)
        {
            Context.Items[FailureItem] = fault;
            return AuthenticateResult.Fail(fault);
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, identity.Name), new(Scopes.CallerKindClaimType, CallerKinds.Key) };
        claims.AddRange(identity.Scopes.Select(s => new Claim(Scopes.ClaimType, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(UnavailableItem))
        {
            Response.Headers.RetryAfter = "5";
            return Problem(StatusCodes.Status503ServiceUnavailable, "Authentication unavailable",
                "The key store cannot be reached just now, so the API key could not be checked; nothing was done. Retry the same request in 5 s.");
        }
        var detail = PresentedKey() is null
            ? $"No API key was sent; send it in the {HeaderName} header (or, where a sender cannot set headers, as the query parameter {QueryName}). "
                + "People sign in at /signin, or send a bearer token from the identity provider."
            : Context.Items[FailureItem] as string ?? "The API key is not recognised; it may have been mistyped, rotated or revoked.";
        return Problem(StatusCodes.Status401Unauthorized, "Authentication required", detail);
    }

    /// <summary>Reads the body (kept rewindable for the proxy) and checks its signature; null when it is good.</summary>
    private async Task<string?> SignatureFault(string secret)
    {
        Request.EnableBuffering();
        using var buffer = new MemoryStream();
        await Request.Body.CopyToAsync(buffer, Context.RequestAborted);
        Request.Body.Position = 0;
        return signatures.Verify(secret,
            Request.Headers[WebhookSignatures.IdHeader].FirstOrDefault(),
            Request.Headers[WebhookSignatures.TimestampHeader].FirstOrDefault(),
            Request.Headers[WebhookSignatures.SignatureHeader].FirstOrDefault(),
            buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue(HeaderName, out var header) && !string.IsNullOrWhiteSpace(header))
        {
            return header.ToString().Trim();
        }
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }
        return Context.Items[QueryKeyItem] as string;
    }

    /// <summary>
    /// Moves a key sent as the <see cref="QueryName"/> query parameter out of the request's URL into the request's
    /// items: the proxy then forwards the URL without it, and no later log, trace or error page can show it.
    /// </summary>
    private void TakeQueryKey()
    {
        if (!Request.Query.TryGetValue(QueryName, out var value))
        {
            return;
        }
        Request.QueryString = QueryString.Create(Request.Query.Where(q => !string.Equals(q.Key, QueryName, StringComparison.OrdinalIgnoreCase)));
        if (!string.IsNullOrWhiteSpace(value))
        {
            Context.Items[QueryKeyItem] = value.ToString().Trim();
        }
    }

    private async Task Problem(int status, string title, string detail)
    {
        Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        }
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
