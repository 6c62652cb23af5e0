using System.Net.Http.Headers;
using System.Net.Http.Json;
using ControlTower.Operations.Apis;
using ControlTower.Operations.Data;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ControlTower.Operations.Tests;

/// <summary>Operations on real servers with a fake clock, and clients that call it as the gateway would for a person.</summary>
public sealed class SignalsHost : IAsyncDisposable
{
    public const string AllScopes = "signals:read signals:triage signals:suppress audit:read";

    private SignalsHost(ServiceFactory<Program> factory, FakeTimeProvider clock)
    {
        Factory = factory;
        Clock = clock;
    }

    public ServiceFactory<Program> Factory { get; }

    public FakeTimeProvider Clock { get; }

    public static async Task<SignalsHost> StartAsync(InfrastructureFixture infrastructure, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            // The background sweep never runs on its own in a test: the test sweeps when it has moved the clock.
            ["Signals:SweepInterval"] = "45.00:00:00",
            // One message at a time per queue, in order: a message published after another on the same queue is consumed
            // after it, so a later one can show that an earlier one (a redelivery, say) has been handled.
            ["Messaging:ConcurrentMessageLimit"] = "1",
            ["Messaging:PrefetchCount"] = "1",
        };
        var factory = ServiceFactory<Program>.OnServers(infrastructure, "operationsdb", all,
            services => services.AddSingleton<TimeProvider>(clock));
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        return new SignalsHost(factory, clock);
    }

    public HttpClient Client(string caller = "ana@example.com", string scopes = AllScopes, string address = "203.0.113.7")
    {
        var client = Factory.CreateTrustedClient(caller);
        client.DefaultRequestHeaders.Add(GatewayTrust.ScopesHeader, scopes);
        client.DefaultRequestHeaders.Add(GatewayTrust.ClientAddressHeader, address);
        client.DefaultRequestHeaders.Add(GatewayTrust.CallerKindHeader, "user");
        return client;
    }

    public Task Publish<T>(T message) where T : class =>
        Factory.Services.GetRequiredService<IBus>().Publish(message, TestContext.Current.CancellationToken);

    /// <summary>The signal of a dedup key once it satisfies <paramref name="until"/>.</summary>
    public async Task<SignalView> WaitForSignal(HttpClient client, string dedupKey, Func<SignalView, bool>? until = null, int? count = null)
    {
        var page = await client.GetUntilAsync<SignalPage>($"/api/signals?dedupKey={Uri.EscapeDataString(dedupKey)}",
            p => p.Items.Count >= (count ?? 1) && (until is null || until(p.Items[0])));
        return page.Items[0];
    }

    public async Task<List<SignalView>> Signals(HttpClient client, string dedupKey) =>
        (await client.GetFromJsonAsync<SignalPage>($"/api/signals?dedupKey={Uri.EscapeDataString(dedupKey)}", TestContext.Current.CancellationToken))!
            .Items.ToList();

    public async Task<(SignalDetail Detail, string ETag)> Detail(HttpClient client, long id)
    {
        using var response = await client.GetAsync($"/api/signals/{id}", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return ((await response.Content.ReadFromJsonAsync<SignalDetail>(TestContext.Current.CancellationToken))!, response.Headers.ETag!.ToString());
    }

    public static async Task<HttpResponseMessage> Act(HttpClient client, long id, string action, object? body, string? etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/signals/{id}/{action}");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (etag is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", etag);
        }
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async Task<long> Ingest(Signals.SignalObservation observation)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Signals.SignalIngestor>().IngestAsync(observation, TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException("The observation made no signal.");
    }

    public async Task<int> Sweep()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Signals.SignalSweeper>().SweepAsync(TestContext.Current.CancellationToken);
    }

    public async Task<T> WithDb<T>(Func<OperationsDbContext, Task<T>> work)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<OperationsDbContext>());
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}

public static class ProblemAssert
{
    public static async Task<System.Text.Json.JsonElement> Problem(HttpResponseMessage response, System.Net.HttpStatusCode status, string? mentions = null)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (mentions is not null)
        {
            Assert.Contains(mentions, text, StringComparison.OrdinalIgnoreCase);
        }
        return System.Text.Json.JsonDocument.Parse(text).RootElement.Clone();
    }
}
