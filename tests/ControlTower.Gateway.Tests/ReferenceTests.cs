using System.Net;
using System.Text.Json.Nodes;
using ControlTower.Gateway.OpenApi;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlTower.Gateway.Tests;

/// <summary>The OpenAPI document of the whole public surface and its reference page; services that do not answer are reported, not fatal.</summary>
public sealed class ReferenceTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private EchoService echo = null!;
    private WebApplication documents = null!;

    public async ValueTask InitializeAsync()
    {
        echo = await EchoService.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Configuration[GatewayTrust.TokenConfigKey] = ServiceFactory<Program>.InternalToken;
        documents = builder.Build();
        // As the services do: nothing without the gateway's token.
        documents.UseGatewayTrust();
        documents.MapGet("/api/governance/openapi/v1.json", () => Results.Text(Document("/api/governance/drift", "Finding", "governance"), "application/json"));
        documents.MapGet("/api/releases/openapi/v1.json", () => Results.Text(Document("/api/releases", "Finding", "releases"), "application/json"));
        documents.MapGet("/slow/openapi/v1.json", async (CancellationToken cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            return Results.Text("{}", "application/json");
        });
        await documents.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await documents.DisposeAsync();
        await echo.DisposeAsync();
    }

    private static string Document(string path, string schema, string marker) => new JsonObject
    {
        ["openapi"] = "3.1.1",
        ["info"] = new JsonObject { ["title"] = marker, ["version"] = "v1" },
        ["tags"] = new JsonArray(new JsonObject { ["name"] = marker }),
        ["paths"] = new JsonObject
        {
            [path] = new JsonObject
            {
                ["get"] = new JsonObject
                {
                    ["tags"] = new JsonArray(marker),
                    ["responses"] = new JsonObject
                    {
                        ["200"] = new JsonObject
                        {
                            ["description"] = "OK",
                            ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{schema}" } } },
                        },
                    },
                },
            },
        },
        ["components"] = new JsonObject
        {
            ["schemas"] = new JsonObject { [schema] = new JsonObject { ["type"] = "object", ["description"] = "a " + marker + " finding" } },
        },
    }.ToJsonString();

    [Fact]
    public async Task TheMergedDocumentHoldsEveryServicesPathsAndReportsTheOnesThatDidNotAnswer()
    {
        var address = documents.Urls.Single();
        var settings = TestGateway.Settings(infrastructure, infrastructure.Postgres.NewDatabase("gateway"), echo, oidc: null);
        settings["Gateway:OpenApi:TimeoutSeconds"] = "1";
        settings["Gateway:OpenApi:Sources:0:Name"] = "governance";
        settings["Gateway:OpenApi:Sources:0:Address"] = address;
        settings["Gateway:OpenApi:Sources:1:Name"] = "releasegate";
        settings["Gateway:OpenApi:Sources:1:Address"] = address;
        settings["Gateway:OpenApi:Sources:2:Name"] = "operations";
        settings["Gateway:OpenApi:Sources:2:Address"] = address;
        settings["Gateway:OpenApi:Sources:2:Path"] = "/slow/openapi/v1.json";
        settings["Gateway:OpenApi:Sources:3:Name"] = "collector-aws";
        settings["Gateway:OpenApi:Sources:3:Address"] = address;
        settings["Gateway:OpenApi:Sources:3:Path"] = "/not/there.json";
        await using var factory = new ServiceFactory<Program>(settings);
        using var client = factory.CreateClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        using var response = await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
        var paths = document["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/api/governance/drift"));
        Assert.True(paths.ContainsKey("/api/releases"));
        Assert.True(paths.ContainsKey("/api/admin/keys"), "the gateway's own routes are in it");
        // Both services call a different thing "Finding": one keeps the name, the other is renamed, with its reference.
        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.Equal("a governance finding", schemas["Finding"]!["description"]!.GetValue<string>());
        Assert.Equal("a releases finding", schemas["releasegate_Finding"]!["description"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/releasegate_Finding",
            paths["/api/releases"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.True(document["components"]!["securitySchemes"]!.AsObject().ContainsKey("ApiKey"));

        var sources = document[OpenApiMerge.SourcesExtension]!.AsArray().ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!);
        Assert.Equal("included", sources["governance"]["status"]!.GetValue<string>());
        Assert.Equal("included", sources["releasegate"]["status"]!.GetValue<string>());
        Assert.Equal("missing", sources["operations"]["status"]!.GetValue<string>());
        Assert.Contains("within 1 s", sources["operations"]["fault"]!.GetValue<string>());
        Assert.Equal("missing", sources["collector-aws"]["status"]!.GetValue<string>());
        Assert.Contains("404", sources["collector-aws"]["fault"]!.GetValue<string>());
        Assert.Contains("operations", document["info"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheReferencePageIsServedAndReadsTheMergedDocument()
    {
        var settings = TestGateway.Settings(infrastructure, infrastructure.Postgres.NewDatabase("gateway"), echo, oidc: null);
        await using var factory = new ServiceFactory<Program>(settings);
        using var client = factory.CreateClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        using var page = await client.GetAsync("/reference", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        // Scalar resolves the document against the application's base, not the page: /openapi/v1.json.
        Assert.Contains("\"url\":\"openapi/v1.json\"", html);
        // Its scripts come from the gateway itself, not from a CDN.
        using var script = await client.GetAsync("/reference/scalar.js", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length > 100_000);
        Assert.Contains("Control Tower API", html);
    }
}
