using System.Text.Json.Nodes;
using ControlTower.Gateway.Authentication;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace ControlTower.Gateway.OpenApi;

public sealed class OpenApiSourceOptions
{
    public const string SectionName = "Gateway:OpenApi";

    /// <summary>The services whose documents make up the public surface, each fetched through service discovery.</summary>
    public List<OpenApiSource> Sources { get; set; } = [];

    /// <summary>How long one service may take to give its document.</summary>
    public int TimeoutSeconds { get; set; } = 5;

    /// <summary>How long a merged document is served before the services are asked again.</summary>
    public int CacheSeconds { get; set; } = 60;
}

public sealed class OpenApiSource
{
    public string Name { get; set; } = "";

    /// <summary>The service's address, e.g. <c>http://governance</c> (resolved by service discovery).</summary>
    public string Address { get; set; } = "";

    /// <summary>Where the service serves its document, e.g. <c>/api/governance/openapi/v1.json</c>.</summary>
    public string Path { get; set; } = "";
}

/// <summary>The merged document: the gateway's own (in process) and each service's (over HTTP, as the gateway, with a timeout), cached briefly.</summary>
public sealed class OpenApiSources(
    IServiceProvider services, IHttpClientFactory http, IMemoryCache cache, IOptions<OpenApiSourceOptions> options,
    IOptions<OidcOptions> oidc, IConfiguration configuration, ILogger<OpenApiSources> logger)
{
    public const string HttpClientName = "openapi-sources";
    private const string CacheKey = "openapi:merged";

    public async Task<JsonObject> MergedAsync(CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(CacheKey, out JsonObject? cached))
        {
            return cached!;
        }
        var own = services.GetRequiredKeyedService<IOpenApiDocumentProvider>("v1");
        var gatewayJson = await (await own.GetOpenApiDocumentAsync(cancellationToken)).SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken);
        var gateway = JsonNode.Parse(gatewayJson)!.AsObject();
        var sources = await Task.WhenAll(options.Value.Sources.Select(s => FetchAsync(s, cancellationToken)));
        var merged = OpenApiMerge.Merge(gateway, sources, SecuritySchemes());
        cache.Set(CacheKey, merged, TimeSpan.FromSeconds(sources.Any(s => s.Document is null) ? Math.Min(10, options.Value.CacheSeconds) : options.Value.CacheSeconds));
        return merged;
    }

    private async Task<SourceDocument> FetchAsync(OpenApiSource source, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
        try
        {
            using var client = http.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(source.Address), source.Path));
            // The services answer only the gateway.
            request.Headers.TryAddWithoutValidation(GatewayTrust.TokenHeader, configuration[GatewayTrust.TokenConfigKey]);
            request.Headers.TryAddWithoutValidation(GatewayTrust.SourceHeader, "gateway");
            using var response = await client.SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return new SourceDocument(source.Name, null, $"{source.Path} answered {(int)response.StatusCode}");
            }
            var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(timeout.Token)) as JsonObject;
            return document?["paths"] is JsonObject
                ? new SourceDocument(source.Name, document, null)
                : new SourceDocument(source.Name, null, $"{source.Path} is not an OpenAPI document");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SourceDocument(source.Name, null, $"no answer within {options.Value.TimeoutSeconds} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or UriFormatException)
        {
            logger.LogWarning(ex, "The OpenAPI document of {Source} could not be read", source.Name);
            return new SourceDocument(source.Name, null, ex.Message);
        }
    }

    private JsonObject SecuritySchemes()
    {
        var schemes = new JsonObject
        {
            ["ApiKey"] = new JsonObject
            {
                ["type"] = "apiKey", ["in"] = "header", ["name"] = ApiKeyAuthenticationHandler.HeaderName,
                ["description"] = "A gateway API key; its scopes decide the routes it may call.",
            },
        };
        if (oidc.Value.Enabled)
        {
            schemes["Bearer"] = new JsonObject
            {
                ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT",
                ["description"] = "An access token from the identity provider; the roles in it (Viewer, Operator, Approver, Admin) decide the routes.",
            };
            schemes["OpenIdConnect"] = new JsonObject
            {
                ["type"] = "openIdConnect",
                ["openIdConnectUrl"] = oidc.Value.Authority!.TrimEnd('/') + "/.well-known/openid-configuration",
            };
        }
        return schemes;
    }
}
