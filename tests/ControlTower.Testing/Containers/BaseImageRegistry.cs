using ControlTower.AppHost.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ControlTower.Testing.Containers;

/// <summary>
/// A read-only container registry on loopback (the Docker Registry HTTP API v2, the part a pull uses) serving one
/// <see cref="BaseImage"/> as <c>localhost:PORT/dotnet/aspnet:10.0</c>, so the .NET SDK can build images with no
/// network. The SDK speaks plain HTTP to localhost registries (DOTNET_CONTAINER_INSECURE_REGISTRIES says so as well).
/// </summary>
public sealed class BaseImageRegistry : IAsyncDisposable
{
    public const string Repository = "dotnet/aspnet";
    public const string Tag = "10.0";

    private readonly WebApplication app;

    private BaseImageRegistry(WebApplication app, int port)
    {
        this.app = app;
        Host = $"localhost:{port}";
    }

    /// <summary>localhost:PORT</summary>
    public string Host { get; }

    /// <summary>What to give the SDK as ContainerBaseImage.</summary>
    public string BaseImageReference => $"{Host}/{Repository}:{Tag}";

    /// <summary>Every request the registry answered ("GET /v2/..."), so a test can see the SDK really pulled from it.</summary>
    public IReadOnlyCollection<string> Requests => requests;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> requests = new();

    public static async Task<BaseImageRegistry> StartAsync(BaseImage image, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = HostTools.FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port));
            var app = builder.Build();
            var registry = new BaseImageRegistry(app, port);
            app.Use((context, next) =>
            {
                registry.requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
                return next(context);
            });
            app.MapMethods("/v2/", ["GET", "HEAD"], (HttpContext context) =>
            {
                context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
                return Results.Json(new { });
            });
            app.MapMethods("/v2/{**path}", ["GET", "HEAD"], (HttpContext context, string path) => registry.Serve(context, image, path));
            try
            {
                await app.StartAsync(cancellationToken);
                return registry;
            }
            catch (IOException) when (attempt < 4)
            {
                // The free port was taken between the check and the bind: another one.
                await app.DisposeAsync();
            }
        }
    }

    private Task Serve(HttpContext context, BaseImage image, string path)
    {
        context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        var manifests = $"{Repository}/manifests/";
        var blobs = $"{Repository}/blobs/";
        if (path.StartsWith(manifests, StringComparison.Ordinal))
        {
            var reference = path[manifests.Length..];
            return reference == Tag || reference == image.ManifestDigest
                ? Send(context, image.Manifest, BaseImage.ManifestMediaType, image.ManifestDigest)
                : NotFound(context, "MANIFEST_UNKNOWN");
        }
        if (path.StartsWith(blobs, StringComparison.Ordinal))
        {
            var digest = path[blobs.Length..];
            if (digest == image.ConfigDigest)
            {
                return Send(context, image.Config, "application/octet-stream", digest);
            }
            if (digest == image.LayerDigest)
            {
                context.Response.ContentType = "application/octet-stream";
                context.Response.Headers["Docker-Content-Digest"] = digest;
                context.Response.ContentLength = new FileInfo(image.LayerPath).Length;
                return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.SendFileAsync(image.LayerPath, context.RequestAborted);
            }
            return NotFound(context, "BLOB_UNKNOWN");
        }
        return NotFound(context, "NAME_UNKNOWN");
    }

    private static Task Send(HttpContext context, byte[] content, string mediaType, string digest)
    {
        context.Response.ContentType = mediaType;
        context.Response.Headers["Docker-Content-Digest"] = digest;
        context.Response.ContentLength = content.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(content, context.RequestAborted).AsTask();
    }

    private static Task NotFound(HttpContext context, string code)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return context.Response.WriteAsJsonAsync(new { errors = new[] { new { code, message = context.Request.Path.Value } } }, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
