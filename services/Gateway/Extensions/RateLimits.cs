using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace ControlTower.Gateway.Extensions;

/// <summary>
/// A token bucket per API key (and a small one per address for requests without a key), so one noisy source
/// cannot starve the others. Refusals are 429 with <c>Retry-After</c> and a problem body.
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
                var key = context.User.Identity?.IsAuthenticated == true ? "key:" + context.User.Identity.Name : null;
                return key is not null
                    ? RateLimitPartition.GetTokenBucketLimiter(key, _ => Bucket(options.PermitsPerSecond, options.Burst))
                    : RateLimitPartition.GetTokenBucketLimiter("address:" + context.Connection.RemoteIpAddress,
                        _ => Bucket(options.AnonymousPermitsPerSecond, options.AnonymousBurst));
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests",
                    detail: $"This source is over its rate limit; retry after {retryAfter} s. Batching more events per request helps.",
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
