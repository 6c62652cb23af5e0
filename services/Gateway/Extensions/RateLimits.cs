using System.Globalization;
using System.Threading.RateLimiting;
using ControlTower.Gateway.Authentication;
using Microsoft.AspNetCore.RateLimiting;

namespace ControlTower.Gateway.Extensions;

/// <summary>
/// A token bucket per API key, one per signed-in person (by name), and a small one per address for anonymous requests,
/// so one noisy caller cannot starve the others. Refusals are 429 with <c>Retry-After</c> and a problem body.
/// </summary>
public static class RateLimits
{
    public sealed class RateLimitOptions
    {
        public const string SectionName = "Gateway:RateLimit";

        /// <summary>Requests a key may make per second, sustained.</summary>
        public int PermitsPerSecond { get; set; } = 500;

        /// <summary>Requests a key may make at once after a quiet spell.</summary>
        public int Burst { get; set; } = 1000;

        /// <summary>The same for requests without a valid key, per client address.</summary>
        public int AnonymousPermitsPerSecond { get; set; } = 20;

        public int AnonymousBurst { get; set; } = 40;

        /// <summary>The same for a person (all their sessions and tokens together): a portal page makes a few calls at once.</summary>
        public int UserPermitsPerSecond { get; set; } = 50;

        public int UserBurst { get; set; } = 100;
    }

    public static IServiceCollection AddGatewayRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        return services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/alive"))
                {
                    return RateLimitPartition.GetNoLimiter("probes");
                }
                var name = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null;
                return (name, CallerKinds.Of(context.User)) switch
                {
                    ({ } user, CallerKinds.User) => RateLimitPartition.GetTokenBucketLimiter("user:" + user,
                        _ => Bucket(options.UserPermitsPerSecond, options.UserBurst)),
                    ({ } key, _) => RateLimitPartition.GetTokenBucketLimiter("key:" + key, _ => Bucket(options.PermitsPerSecond, options.Burst)),
                    _ => RateLimitPartition.GetTokenBucketLimiter("address:" + context.Connection.RemoteIpAddress,
                        _ => Bucket(options.AnonymousPermitsPerSecond, options.AnonymousBurst)),
                };
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests",
                    detail: CallerKinds.Of(rejected.HttpContext.User) == CallerKinds.User
                        ? $"User '{rejected.HttpContext.User.Identity?.Name}' is over their rate limit; retry after {retryAfter} s."
                        : $"This source is over its rate limit; retry after {retryAfter} s. Batching more events per request helps.",
                    type: "urn:controltower:problem:rate-limited").ExecuteAsync(rejected.HttpContext);
            };
        });
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
