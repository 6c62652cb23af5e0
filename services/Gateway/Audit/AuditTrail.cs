using System.Diagnostics;
using ControlTower.Contracts.Audit;
using ControlTower.Gateway.Authentication;
using ControlTower.Gateway.Data;
using ControlTower.Gateway.Extensions;
using Yarp.ReverseProxy.Model;

namespace ControlTower.Gateway.Audit;

/// <summary>
/// Every write (POST, PUT, PATCH, DELETE) that reaches a route, forwarded or served by the gateway itself and whatever
/// the answer (authentication and authorisation refusals included; not rate-limit refusals), becomes an <see cref="AuditRecorded"/> once the response is complete. It goes through
/// the gateway's outbox, so a broker that is briefly down delays the entry rather than losing it. Only who, what route,
/// the outcome, the address, the trace id and the caller's stated reason are kept: never a body, a key or a token.
/// </summary>
public static class AuditTrail
{
    public const int MaxReasonLength = 500;

    public static WebApplication UseAuditTrail(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!IsWrite(context.Request.Method))
            {
                await next(context);
                return;
            }
            var traceId = Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
            var at = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            var action = $"{context.Request.Method} {context.Request.Path}";
            // Read from the finished request at once, stored in the background: the connection is not held while the
            // database answers, nor for long when it does not (see RecordAsync).
            context.Response.OnCompleted(() =>
            {
                if (Entry(context, at, action, traceId) is { } entry)
                {
                    var services = context.RequestServices.GetRequiredService<IServiceScopeFactory>();
                    var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuditTrail));
                    _ = Task.Run(() => RecordAsync(services, logger, entry));
                }
                return Task.CompletedTask;
            });
            await next(context);
        });
        return app;
    }

    private static bool IsWrite(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    /// <summary>How long storing one entry may take before it is given up (and logged): a database outage must not pile up writers.</summary>
    public static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(5);

    private static AuditRecorded? Entry(HttpContext context, DateTimeOffset at, string action, string traceId)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || context.Response.StatusCode == StatusCodes.Status429TooManyRequests)
        {
            // Nothing answers there (a 404), or the rate limit turned it away before anyone looked at it: no change was
            // possible, and recording each one would make a flood cost a database write per request after all.
            return null;
        }
        var route = endpoint.Metadata.GetMetadata<RouteModel>()?.Config.RouteId
            ?? endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        var user = context.User;
        return new AuditRecorded
        {
            Id = Guid.CreateVersion7(at),
            At = at,
            Actor = user.Identity is { IsAuthenticated: true, Name: { } name } ? name : "anonymous",
            ActorKind = CallerKinds.Of(user) ?? "anonymous",
            Action = action,
            Route = route,
            Status = context.Response.StatusCode,
            ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
            TraceId = traceId,
            Reason = Reason(context),
        };
    }

    private static async Task RecordAsync(IServiceScopeFactory services, ILogger logger, AuditRecorded entry)
    {
        try
        {
            using var timeout = new CancellationTokenSource(StoreTimeout);
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<Outbox<GatewayDbContext>>().Add(entry);
            await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().SaveChangesAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "The audit entry for {Action} by {Actor} ({Status}, trace {TraceId}) could not be stored", entry.Action, entry.Actor, entry.Status, entry.TraceId);
        }
    }

    private static string? Reason(HttpContext context)
    {
        var reason = context.Request.Headers[ForwardedIdentity.ReasonHeader].ToString();
        if (string.IsNullOrWhiteSpace(reason))
        {
            return null;
        }
        var clean = new string(reason.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return clean.Length <= MaxReasonLength ? clean : clean[..MaxReasonLength];
    }
}
