using Xunit;

namespace ControlTower.Testing.Infrastructure;

/// <summary>
/// Real PostgreSQL and RabbitMQ for one test assembly (<c>[assembly: AssemblyFixture(typeof(InfrastructureFixture))]</c>).
/// Each test process starts its own servers on free ports, so test projects running in parallel never collide.
/// </summary>
public sealed class InfrastructureFixture : IAsyncLifetime
{
    public PostgresServer Postgres { get; private set; } = null!;

    public RabbitMqServer RabbitMq { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var postgres = PostgresServer.StartAsync(timeout.Token);
        var rabbit = RabbitMqServer.StartAsync(timeout.Token);
        try
        {
            await Task.WhenAll(postgres, rabbit);
        }
        finally
        {
            // Whatever did start is kept so DisposeAsync stops it even if the other failed.
            if (postgres.IsCompletedSuccessfully)
            {
                Postgres = postgres.Result;
            }
            if (rabbit.IsCompletedSuccessfully)
            {
                RabbitMq = rabbit.Result;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
        if (RabbitMq is not null)
        {
            await RabbitMq.DisposeAsync();
        }
    }
}
