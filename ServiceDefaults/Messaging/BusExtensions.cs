using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one MassTransit set-up every service shares: RabbitMQ from the <c>messaging</c> connection string,
/// endpoint names prefixed by the service (so two services consuming one message each get their own queue),
/// quorum queues, publisher confirms, and one retry policy before a message goes to its <c>_error</c> queue.
/// <c>Messaging:EndpointPrefix</c> replaces the service name in queue names (tests give each host its own queues).
/// </summary>
public static class BusExtensions
{
    public const string ConnectionName = "messaging";

    public static TBuilder AddControlTowerBus<TBuilder>(
        this TBuilder builder,
        string serviceName,
        Action<IBusRegistrationConfigurator>? configureConsumers = null) where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not configured.");
        var broker = new Uri(connectionString);

        builder.Services.AddMassTransit(bus =>
        {
            var prefix = builder.Configuration["Messaging:EndpointPrefix"] is { Length: > 0 } configured ? configured : serviceName;
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(prefix, includeNamespace: false));
            configureConsumers?.Invoke(bus);
            bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.SetQuorumQueue();
                }
                // Messages here are batches of hundreds of rows. Two at a time per consumer keeps one batch in the
                // database while the next is read, and leaves cores to the collectors under a burst: the broker holds
                // the backlog, which is what it is for. (MassTransit's default, twice the cores, had the consumers
                // take the CPU the collectors needed to accept: 17,400 against 24,900 events/s on 2 cores.)
                endpoint.ConcurrentMessageLimit = builder.Configuration.GetValue("Messaging:ConcurrentMessageLimit", 2);
                if (endpoint is IRabbitMqReceiveEndpointConfigurator prefetching)
                {
                    prefetching.PrefetchCount = builder.Configuration.GetValue("Messaging:PrefetchCount", 4);
                }
            });
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(broker.Host, (ushort)(broker.IsDefaultPort ? 5672 : broker.Port), VirtualHost(broker), h =>
                {
                    var (user, password) = Credentials(broker);
                    h.Username(user);
                    h.Password(password);
                    h.PublisherConfirmation = true;
                });
                // Absent fields cost bytes on the broker and parsing in every consumer: leave nulls out. MassTransit
                // indents its JSON by default, which costs an activity batch a tenth more bytes and a fifth more
                // time to write and read; messages are read by programs, so write them compact.
                cfg.ConfigureJsonSerializerOptions(json =>
                {
                    json.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
                    json.WriteIndented = false;
                    return json;
                });
                // An outage of the database (or of a server a consumer calls) outlasts the quick retries below: a message
                // that failed for that reason is tried again every 10 s for up to 30 minutes rather than sent to its error
                // queue. It stays unacknowledged meanwhile, the backlog waits in the broker, and once the queue is full the
                // collectors answer 503 (deploy/local/rabbitmq.sh). Other failures go to the error queue after the quick ones.
                cfg.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(TransientFaults.IsInfrastructureOutage);
                    r.Interval(180, TimeSpan.FromSeconds(10));
                });
                cfg.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }

    private static string VirtualHost(Uri broker)
    {
        var path = Uri.UnescapeDataString(broker.AbsolutePath.TrimStart('/'));
        return path.Length == 0 ? "/" : path;
    }

    private static (string User, string Password) Credentials(Uri broker)
    {
        var parts = broker.UserInfo.Split(':', 2);
        return parts.Length == 2 && parts[0].Length > 0
            ? (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]))
            : ("guest", "guest");
    }
}

/// <summary>
/// Which failures are an outage of something the service depends on (its database, the broker, a server it calls), to be
/// waited out rather than dead-lettered. A broker that refuses a publish because a queue is full counts too: the
/// consumers downstream are behind, and this message will go through once they catch up.
/// </summary>
public static class TransientFaults
{
    public static bool IsInfrastructureOutage(Exception exception) => AnyCause(exception, e => e
        is Npgsql.NpgsqlException { IsTransient: true }
        or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException
        or System.Net.Sockets.SocketException
        or TimeoutException
        // The broker itself, for a consumer that publishes as it goes (Governance announces findings so).
        or RabbitMqConnectionException
        or RabbitMQ.Client.Exceptions.AlreadyClosedException
        or RabbitMQ.Client.Exceptions.BrokerUnreachableException
        or RabbitMQ.Client.Exceptions.PublishException { IsReturn: false });

    /// <summary>Whether the broker refused (nacked) a publish, as a queue at its cap with overflow reject-publish does: not a return, not a broken connection.</summary>
    public static bool IsBrokerRefusal(Exception exception) =>
        AnyCause(exception, e => e is RabbitMQ.Client.Exceptions.PublishException { IsReturn: false });

    /// <summary>Whether the exception, one of its inner exceptions, or any exception an aggregate among them holds is such a one.</summary>
    private static bool AnyCause(Exception exception, Func<Exception, bool> match)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (match(e) || (e is AggregateException aggregate && aggregate.InnerExceptions.Any(inner => AnyCause(inner, match))))
            {
                return true;
            }
        }
        return false;
    }
}
