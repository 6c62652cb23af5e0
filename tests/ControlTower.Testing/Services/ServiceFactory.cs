using ControlTower.Testing.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlTower.Testing.Services;

/// <summary>
/// Hosts one service in the test process against real servers, with the given settings layered over its own
/// configuration. <see cref="CreateTrustedClient"/> calls it as the gateway would.
/// </summary>
public class ServiceFactory<TProgram>(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? replaceServices = null)
    : WebApplicationFactory<TProgram>
    where TProgram : class
{
    /// <summary>
    /// A host on the fixture's broker and, when <paramref name="databaseConnectionName"/> is given, on a new
    /// database of its own; <paramref name="settings"/> are layered on top, and <paramref name="replaceServices"/>
    /// replaces services after the host's own registrations (a fake clock, say).
    /// </summary>
    public static ServiceFactory<TProgram> OnServers(
        InfrastructureFixture infrastructure, string? databaseConnectionName = null, IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? replaceServices = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["ConnectionStrings:messaging"] = infrastructure.RabbitMq.ConnectionString,
        };
        if (databaseConnectionName is not null)
        {
            all[$"ConnectionStrings:{databaseConnectionName}"] = infrastructure.Postgres.NewDatabase(databaseConnectionName.Replace("db", "", StringComparison.Ordinal));
        }
        return new ServiceFactory<TProgram>(all, replaceServices);
    }

    /// <summary>The gateway's internal token in tests (a test value, not a secret).</summary>
    public const string InternalToken = "test-internal-token-not-a-secret-0001";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting(GatewayTrust.TokenConfigKey, InternalToken);
        // The test output is for the tests; a service's warnings and errors still show.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Queues of its own, so that hosts of other tests on the same broker never take its messages.
        builder.UseSetting("Messaging:EndpointPrefix", "test-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        if (replaceServices is not null)
        {
            builder.ConfigureTestServices(replaceServices);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(startupFailures));
    }

    private readonly StartupFailureLog startupFailures = new();

    /// <summary>
    /// Starts a host that is meant to refuse to start and returns why. The exception the test server rethrows depends on
    /// a race: when the service stops before the test server watches it start, the server only reports its disposed
    /// provider. The host itself logs why it failed, so that is the answer, whichever of the two came first.
    /// </summary>
    public Exception StartupFailure()
    {
        try
        {
            _ = Server;
        }
        catch (Exception thrown)
        {
            return startupFailures.First ?? thrown;
        }
        throw new InvalidOperationException("The service started; it was expected to refuse.");
    }

    private sealed class StartupFailureLog : ILoggerProvider
    {
        private Exception? first;

        public Exception? First => Volatile.Read(ref first);

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(StartupFailureLog log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error && exception is not null)
                {
                    Interlocked.CompareExchange(ref log.first, exception, null);
                }
            }
        }
    }

    /// <summary>Waits until <c>/health</c> answers Healthy (migrations applied, bus connected), as an orchestrator would.</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var client = CreateClient();
        using var cancel = new CancellationTokenSource(timeout);
        string? last = null;
        while (!cancel.IsCancellationRequested)
        {
            using var response = await client.GetAsync("/health", CancellationToken.None);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}";
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            await Task.Delay(100, CancellationToken.None);
        }
        throw new TimeoutException($"The service was not healthy within {timeout}; /health last said: {last}");
    }

    public HttpClient CreateTrustedClient(string source = "test-source")
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(GatewayTrust.TokenHeader, InternalToken);
        client.DefaultRequestHeaders.Add(GatewayTrust.SourceHeader, source);
        return client;
    }
}
