using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace ControlTower.Operations.Tests;

/// <summary>Which consumer failures are waited out (an outage) and which go to the error queue after the quick retries.</summary>
public sealed class TransientFaultsTests
{
    [Fact]
    public void ADatabaseOrNetworkOutageIsWaitedOutWhereverItSitsInTheChain()
    {
        Assert.True(TransientFaults.IsInfrastructureOutage(new NpgsqlException("connection refused", new System.Net.Sockets.SocketException(111))));
        Assert.True(TransientFaults.IsInfrastructureOutage(new RetryLimitExceededException("gave up", new NpgsqlException("down"))));
        Assert.True(TransientFaults.IsInfrastructureOutage(new InvalidOperationException("wrapped", new TimeoutException())));
        Assert.True(TransientFaults.IsInfrastructureOutage(new AggregateException(new ArgumentException("x"), new System.Net.Sockets.SocketException(104))));
        Assert.True(TransientFaults.IsInfrastructureOutage(new MassTransit.RabbitMqConnectionException("BasicPublishAsync failed")));
    }

    [Fact]
    public void ABugOrABadMessageIsNot()
    {
        Assert.False(TransientFaults.IsInfrastructureOutage(new InvalidOperationException("The probe is broken")));
        Assert.False(TransientFaults.IsInfrastructureOutage(new System.Text.Json.JsonException("bad body")));
        Assert.False(TransientFaults.IsInfrastructureOutage(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")));
        Assert.False(TransientFaults.IsInfrastructureOutage(new AggregateException(new ArgumentException("x"))));
    }
}
