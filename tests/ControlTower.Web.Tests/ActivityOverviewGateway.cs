using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace ControlTower.Web.Tests;

/// <summary>A fake gateway for the overview and activity tests that answers from a table of path prefixes, and records what was asked of it.</summary>
internal sealed class ActivityOverviewGateway : HttpMessageHandler
{
    private readonly List<(string Prefix, Func<HttpRequestMessage, HttpResponseMessage> Answer)> routes = [];

    public ConcurrentQueue<string> Requests { get; } = new();

    public ActivityOverviewGateway On(string prefix, HttpStatusCode status, string json, string contentType = "application/json")
    {
        routes.Add((prefix, _ => new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, contentType) }));
        return this;
    }

    public ActivityOverviewGateway On(string prefix, string json) => On(prefix, HttpStatusCode.OK, json);

    public ActivityOverviewGateway On(string prefix, Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        routes.Add((prefix, answer));
        return this;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.PathAndQuery;
        Requests.Enqueue(path);
        // The longest matching prefix answers, so "/api/activity/aws/1" wins over "/api/activity".
        var route = routes.Where(r => path.StartsWith(r.Prefix, StringComparison.Ordinal)).OrderByDescending(r => r.Prefix.Length).FirstOrDefault();
        return Task.FromResult(route.Answer is null
            ? new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("""{"title":"Not Found"}""", Encoding.UTF8, "application/problem+json") }
            : route.Answer(request));
    }
}
