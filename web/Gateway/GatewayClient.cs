using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace ControlTower.Web.Gateway;

/// <summary>The portal reads everything through the gateway, as any other client does.</summary>
public sealed class GatewayClient(HttpClient http, IOptions<PortalOptions> options)
{
    public async Task<ActivityPage> RecentActivityAsync(int limit, string? before, CancellationToken cancellationToken)
    {
        var uri = $"/api/activity?limit={limit}" + (before is null ? "" : $"&before={Uri.EscapeDataString(before)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Add("X-Api-Key", options.Value.ApiKey);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<ActivityPage>(cancellationToken)
            ?? throw new InvalidOperationException("The gateway returned an empty activity page.");
    }
}

public sealed record ActivitySummary(
    string Provider, string EventId, DateTimeOffset Time, string Account, string? Region, string Service,
    string Operation, string? Actor, string? ActorType, string? SourceIp, string Outcome, string? ErrorCode);

public sealed record ActivityPage(IReadOnlyList<ActivitySummary> Items, string? Next);
