using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlTower.Gateway.Tests;

/// <summary>A real HTTP server on loopback standing in for the services behind the gateway: it answers with what it received.</summary>
public sealed class EchoService : IAsyncDisposable
{
    private readonly WebApplication app;

    private EchoService(WebApplication app, string address)
    {
        this.app = app;
        Address = address;
    }

    public string Address { get; }

    /// <param name="trustToken">When given, the server refuses requests without this gateway token, as the services do.</param>
    public static async Task<EchoService> StartAsync(string? trustToken = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        if (trustToken is not null)
        {
            builder.Configuration[Microsoft.Extensions.Hosting.GatewayTrust.TokenConfigKey] = trustToken;
            builder.Services.AddProblemDetails();
        }
        var app = builder.Build();
        if (trustToken is not null)
        {
            app.UseGatewayTrust();
        }
        app.Run(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            await context.Response.WriteAsJsonAsync(new EchoedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body));
        });
        await app.StartAsync();
        return new EchoService(app, app.Urls.Single());
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

public sealed record EchoedRequest(string Method, string Path, Dictionary<string, string> Headers, string Body);
