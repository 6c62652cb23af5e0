using System.Net;
using System.Text;
using System.Text.Json;
using System.Web;
using ControlTower.Web.Exports;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Web.Tests;

/// <summary>The activity export pages through the gateway with the page's filters and writes as it reads, up to its cap.</summary>
public sealed class ActivityExportTests
{
    private readonly ActivityOverviewGateway gateway = new();

    public ActivityExportTests()
    {
        // Three pages of two events each; each page's cursor names the next.
        gateway.On("/api/activity?", request =>
        {
            var query = HttpUtility.ParseQueryString(request.RequestUri!.Query);
            var page = query["before"] is { } before ? int.Parse(before, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var items = Enumerable.Range(page * 2, 2).Select(i => new
            {
                provider = "aws", eventId = $"e-{i}", time = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero).AddMinutes(-i),
                account = "111122223333", service = "iam", operation = i == 0 ? "=HYPERLINK(\"x\")" : "Create,User", outcome = "Success",
            });
            var body = JsonSerializer.Serialize(new { items, next = page < 2 ? (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : null });
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        });
    }

    private async Task<(HttpContext Context, string Body)> ExportAsync(string query)
    {
        var context = new DefaultHttpContext
        {
            User = PortalClaims.Principal("tester", ["Viewer"], ["activity:read"], CredentialKinds.Session, ".ControlTower.Session=x", devSignIn: true),
        };
        context.Request.QueryString = new QueryString(query);
        context.RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var body = new MemoryStream();
        context.Response.Body = body;
        var user = new PortalUser(new HttpContextAccessor { HttpContext = context }, new NoCircuit());
        var client = new GatewayClient(new HttpClient(gateway) { BaseAddress = GatewayClient.BaseAddress }, user);
        var values = HttpUtility.ParseQueryString(query);
        await ActivityExport.ExportAsync(context, client, values["format"], values["max"] is { } max ? int.Parse(max, System.Globalization.CultureInfo.InvariantCulture) : null);
        return (context, Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task CsvHasEveryPageWithTheFiltersAppliedAndCellsEscaped()
    {
        var (context, body) = await ExportAsync("?format=csv&account=111122223333&range=24h");

        Assert.StartsWith("text/csv", context.Response.ContentType);
        Assert.Contains("attachment; filename=\"activity-", context.Response.Headers.ContentDisposition.ToString());
        var lines = body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time,provider,eventId,account,region,service,operation,actor,actorType,sourceIp,outcome,errorCode", lines[0]);
        Assert.Equal(7, lines.Length);
        // A formula is defused and quoted; a comma is quoted.
        Assert.Contains(",\"'=HYPERLINK(\"\"x\"\")\",", lines[1]);
        Assert.Contains(",\"Create,User\",", lines[2]);
        Assert.All(gateway.Requests, r => Assert.Contains("account=111122223333", r));
        Assert.All(gateway.Requests, r => Assert.Contains("from=", r));
        Assert.Equal(3, gateway.Requests.Count);
    }

    [Fact]
    public async Task ACappedExportSaysSoAtTheEnd()
    {
        var (_, csv) = await ExportAsync("?format=csv&max=3");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 3 + 1, lines.Length);
        Assert.StartsWith("# Capped at 3 rows", lines[^1]);

        var (_, json) = await ExportAsync("?format=json&max=3");
        using var document = JsonDocument.Parse(json);
        Assert.Equal(3, document.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal(3, document.RootElement.GetProperty("count").GetInt32());
        Assert.False(document.RootElement.GetProperty("complete").GetBoolean());
        Assert.Contains("Capped at 3 rows", document.RootElement.GetProperty("note").GetString());
    }

    [Fact]
    public async Task ARefusedFirstPageIsAnsweredAsTheProblemItself()
    {
        gateway.On("/api/activity?limit", HttpStatusCode.BadRequest, """{"title":"One or more validation errors occurred.","errors":{"q":["q must be 3 to 256 characters."]}}""", "application/problem+json");

        var (context, body) = await ExportAsync("?format=json&q=ab");

        Assert.Equal(400, context.Response.StatusCode);
        Assert.Contains("q must be 3 to 256 characters.", body);
        Assert.DoesNotContain("items", body);
    }

    private sealed class NoCircuit : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => throw new InvalidOperationException("An export runs in a request, not a circuit.");
    }
}
