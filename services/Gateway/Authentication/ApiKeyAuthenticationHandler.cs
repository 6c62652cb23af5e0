using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using ControlTower.Gateway.Keys;
using Microsoft.Extensions.Options;

namespace ControlTower.Gateway.Authentication;

/// <summary>
/// Authenticates machines by API key, sent as <c>X-Api-Key</c> (the header EventBridge connections and
/// Azure webhooks can set) or as <c>Authorization: Bearer</c>. Challenges and refusals answer with
/// problem details that say which of the two went wrong.
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
    private const string FailureItem = "ControlTower.AuthenticationFailure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey();
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }
        var identity = await keys.FindAsync(presented, Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("The API key is not recognised.");
        }
        if (identity.SigningSecret is not null && await SignatureFault(identity.SigningSecret) is { } fault)
        {
            Context.Items[FailureItem] = fault;
            return AuthenticateResult.Fail(fault);
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, identity.Name) };
        claims.AddRange(identity.Scopes.Select(s => new Claim(Scopes.ClaimType, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var detail = PresentedKey() is null
            ? $"No API key was sent; send it in the {HeaderName} header."
            : Context.Items[FailureItem] as string ?? "The API key is not recognised; it may have been mistyped, rotated or revoked.";
        return Problem(StatusCodes.Status401Unauthorized, "Authentication required", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var endpoint = Context.GetEndpoint();
        var required = endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()?.Policy ?? "(unknown)";
        return Problem(StatusCodes.Status403Forbidden, "Not allowed",
            $"API key '{Context.User.Identity?.Name}' lacks the scope '{required}' this route requires.");
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
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
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
