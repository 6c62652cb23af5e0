using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using ControlTower.Gateway.Authentication;
using ControlTower.Gateway.Extensions;
using Microsoft.Extensions.Options;

namespace ControlTower.Gateway.Aggregation;

/// <summary>How long the overview waits for each service, and how far back its activity chart reaches.</summary>
public sealed class OverviewOptions
{
    public const string SectionName = "Gateway:Overview";

    /// <summary>Each part's deadline; a part that misses it is marked <c>timeout</c> and the rest still answer.</summary>
    public double PartTimeoutSeconds { get; set; } = 2;

    /// <summary>The activity part counts the last this many hours, by hour.</summary>
    public int ActivityHours { get; set; } = 24;
}

/// <summary>One part of the overview: which service answers it, at which path, and the scope a caller needs to see it.</summary>
public sealed record OverviewPart(string Name, string Scope, string Cluster, Func<DateTimeOffset, OverviewOptions, string> Path)
{
    public static readonly IReadOnlyList<OverviewPart> All =
    [
        new("signals", Scopes.SignalsRead, "operations", (_, _) => "/api/signals/summary"),
        new("activity", Scopes.ActivityRead, "operations", (now, o) =>
            $"/api/activity/counts?bucket=1h&from={Uri.EscapeDataString(now.AddHours(-o.ActivityHours).ToString("yyyy-MM-ddTHH:00:00Z", CultureInfo.InvariantCulture))}"),
        new("posture", Scopes.GovernanceRead, "governance", (_, _) => "/api/governance/posture"),
        new("readiness", Scopes.ReleasesRead, "releasegate", (_, _) => "/api/releases/readiness"),
    ];
}

/// <summary>
/// The portal's front page in one call: the parts are asked of their services at once, each with its own deadline, and
/// a part that fails, times out or is not the caller's to see is marked as such while the others still answer.
/// </summary>
public static class Overview
{
    public const string ClientName = "overview";

    public static IEndpointRouteBuilder MapOverviewApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/overview", GetOverview)
            .WithTags("Overview")
            .WithName("GetOverview")
            .WithSummary("Open signals by severity, source and environment, activity over the last hours, landing-zone posture and release readiness, composed at once; ?parts=signals,activity,posture,readiness for some; a part the caller may not read, or whose service failed or missed its deadline, says so and the rest still answer")
            .RequireAuthorization(policy => policy.RequireAuthenticatedUser());
        return app;
    }

    public static async Task<IResult> GetOverview(HttpContext context, IHttpClientFactory clients, IConfiguration configuration,
        IOptions<OverviewOptions> options, TimeProvider clock, string? parts)
    {
        var wanted = OverviewPart.All;
        if (parts is not null)
        {
            var names = parts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = names.Where(n => OverviewPart.All.All(p => p.Name != n)).ToList();
            if (names.Length == 0 || unknown.Count > 0)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["parts"] = [$"parts is a comma-separated list of {string.Join(", ", OverviewPart.All.Select(p => p.Name))}" +
                        (unknown.Count > 0 ? $"; unknown: {string.Join(", ", unknown)}." : ".")],
                });
            }
            wanted = [.. OverviewPart.All.Where(p => names.Contains(p.Name))];
        }
        var scopes = context.User.FindAll(Scopes.ClaimType).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        if (!wanted.Any(p => scopes.Contains(p.Scope)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"The overview needs at least one of the scopes {string.Join(", ", wanted.Select(p => p.Scope))}.");
        }

        var now = clock.GetUtcNow();
        var client = clients.CreateClient(ClientName);
        var results = await Task.WhenAll(wanted.Select(part => scopes.Contains(part.Scope)
            ? FetchAsync(part, context, client, configuration, options.Value, now)
            : Task.FromResult(new PartResult(part.Name, "forbidden", null, $"Needs scope {part.Scope}.", null))));
        return TypedResults.Ok(new OverviewView(now, results.Any(r => r.Status != "ok"),
            results.ToDictionary(r => r.Name, r => r, StringComparer.Ordinal)));
    }

    private static async Task<PartResult> FetchAsync(OverviewPart part, HttpContext context, HttpClient client, IConfiguration configuration,
        OverviewOptions options, DateTimeOffset now)
    {
        var timeout = TimeSpan.FromSeconds(options.PartTimeoutSeconds);
        var address = configuration[$"ReverseProxy:Clusters:{part.Cluster}:Destinations:primary:Address"];
        if (address is null)
        {
            return new PartResult(part.Name, "failed", null, $"No address is configured for {part.Cluster}.", null);
        }
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(address), part.Path(now, options)));
            ForwardedIdentity.Apply(request.Headers, context, configuration[GatewayTrust.TokenConfigKey]!);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var elapsed = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                return new PartResult(part.Name, "failed", null, $"{part.Cluster} answered {(int)response.StatusCode}.", elapsed);
            }
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            var data = await JsonSerializer.DeserializeAsync<JsonElement>(body, cancellationToken: deadline.Token);
            return new PartResult(part.Name, "ok", data, null, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            return new PartResult(part.Name, "timeout", null, $"{part.Cluster} did not answer within {timeout.TotalSeconds:0.###} s.", null);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            return new PartResult(part.Name, "failed", null, $"{part.Cluster} could not be read: {ex.Message}", null);
        }
    }
}

/// <summary><see cref="Partial"/> is true when any part is not <c>ok</c>: the portal marks what it could not show.</summary>
public sealed record OverviewView(DateTimeOffset GeneratedAt, bool Partial, IReadOnlyDictionary<string, PartResult> Parts);

/// <summary>A part: <c>ok</c> with the service's answer in <see cref="Data"/>, or <c>forbidden</c>, <c>timeout</c> or <c>failed</c> with why.</summary>
public sealed record PartResult(string Name, string Status, object? Data, string? Detail, int? Milliseconds);
