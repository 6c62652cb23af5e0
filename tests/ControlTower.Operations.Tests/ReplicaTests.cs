using System.Net.Http.Json;
using ControlTower.Contracts.Operations;
using ControlTower.Operations.Apis;
using ControlTower.Operations.DeadLetters;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RabbitMQ.Client;

namespace ControlTower.Operations.Tests;

/// <summary>
/// Operations scaled out: replicas on one database and one broker. The periodic jobs that must not run on every replica
/// lead through a <see cref="SingletonJob"/>, a session advisory lock on the service's database.
/// </summary>
public sealed class ReplicaTests(InfrastructureFixture infrastructure)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task OneReplicaLeadsAJobUntilItStopsAndThenAnotherTakesOver()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = "test:" + Guid.NewGuid().ToString("N");
        await using var first = Job(name);
        await using var second = Job(name);
        await using var other = Job(name + ":other");

        Assert.True(await first.TryLeadAsync(ct));
        Assert.False(await second.TryLeadAsync(ct));
        // The leader keeps the lead round after round; another job's lead is its own.
        Assert.True(await first.TryLeadAsync(ct));
        Assert.False(await second.TryLeadAsync(ct));
        Assert.True(await other.TryLeadAsync(ct));

        await first.DisposeAsync();

        Assert.True(await second.TryLeadAsync(ct));
        Assert.True(second.IsLeader);
    }

    [Fact]
    public async Task ALeaderWhoseSessionEndsLosesTheLeadToTheNextReplicaThatAsks()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = "test:" + Guid.NewGuid().ToString("N");
        await using var first = Job(name);
        await using var second = Job(name);
        Assert.True(await first.TryLeadAsync(ct));

        // As when the leader's node vanishes and the server ends its session.
        await using (var admin = new NpgsqlConnection(infrastructure.Postgres.AdminConnectionString))
        {
            await admin.OpenAsync(ct);
            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @app", admin);
            kill.Parameters.AddWithValue("app", SingletonJob.ApplicationNameOf(name));
            Assert.Equal(1L, await kill.ExecuteScalarAsync(ct));
        }

        Assert.True(await Eventually(() => second.TryLeadAsync(ct)));
        Assert.False(await first.TryLeadAsync(ct));
        Assert.False(first.IsLeader);
    }

    [Fact]
    public async Task TwoReplicasAnnounceAnErrorQueueOnceAndTheSecondTakesOverWhenTheFirstStops()
    {
        var ct = TestContext.Current.CancellationToken;
        var errorQueue = "dl-replicas-" + Guid.NewGuid().ToString("N")[..8] + "_error";
        await using var connection = await infrastructure.RabbitMq.ConnectAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.QueueDeclareAsync(errorQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await using var observed = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DeadLettersObserved), ct);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:operationsdb"] = infrastructure.Postgres.NewDatabase("operations"),
            ["Operations:DeadLetters:PollSeconds"] = "1",
            ["Operations:DeadLetters:Queues:0"] = errorQueue,
        };
        var first = ServiceFactory<Program>.OnServers(infrastructure, settings: settings);
        try
        {
            // One after the other, as a rollout would: the first migrates the database and leads.
            await first.WaitUntilHealthyAsync(Timeout);
            await using var second = ServiceFactory<Program>.OnServers(infrastructure, settings: settings);
            await second.WaitUntilHealthyAsync(Timeout);

            await channel.BasicPublishAsync("", errorQueue, mandatory: true, new BasicProperties { MessageId = "m-1" }, "{}"u8.ToArray(), ct);
            await observed.WaitForAsync(m => Queue(m) == errorQueue && Count(m) == 1, Timeout);
            // Several rounds of both monitors: a replica that counted too would announce the queue a second time.
            await DrainAsync(observed, TimeSpan.FromSeconds(5));
            Assert.Single(observed.Messages, m => Queue(m) == errorQueue);

            await first.DisposeAsync();
            await channel.BasicPublishAsync("", errorQueue, mandatory: true, new BasicProperties { MessageId = "m-2" }, "{}"u8.ToArray(), ct);
            await observed.WaitForAsync(m => Queue(m) == errorQueue && Count(m) == 2, Timeout);
        }
        finally
        {
            await first.DisposeAsync();
            await channel.QueueDeleteAsync(errorQueue, cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public async Task PeeksOnTwoReplicasAtOnceEachSeeEveryMessageOfTheQueue()
    {
        var ct = TestContext.Current.CancellationToken;
        var errorQueue = "dl-peeks-" + Guid.NewGuid().ToString("N")[..8] + "_error";
        await using var connection = await infrastructure.RabbitMq.ConnectAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.QueueDeclareAsync(errorQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:operationsdb"] = infrastructure.Postgres.NewDatabase("operations"),
            // The monitors stay out of the way: this is about the API's peeks.
            ["Operations:DeadLetters:PollSeconds"] = "3600",
        };
        await using var first = ServiceFactory<Program>.OnServers(infrastructure, settings: settings);
        try
        {
            await first.WaitUntilHealthyAsync(Timeout);
            await using var second = ServiceFactory<Program>.OnServers(infrastructure, settings: settings);
            await second.WaitUntilHealthyAsync(Timeout);
            var clients = new[] { first, second }.Select(f =>
            {
                var client = f.CreateTrustedClient("ops-admin");
                client.DefaultRequestHeaders.Add(GatewayTrust.ScopesHeader, "admin:messages");
                return client;
            }).ToList();
            for (var i = 1; i <= 3; i++)
            {
                await channel.BasicPublishAsync("", errorQueue, mandatory: true, new BasicProperties { MessageId = $"m-{i}" }, "{}"u8.ToArray(), ct);
            }
            await ControlTower.Testing.Eventually.ValueAsync<uint>(async () => await channel.MessageCountAsync(errorQueue, ct) == 3 ? 3u : null, Timeout);

            // A peek takes the messages off the queue for a moment: one replica's must not run while another's holds them.
            for (var round = 0; round < 10; round++)
            {
                var peeks = await Task.WhenAll(clients.Select(c => c.GetFromJsonAsync<PeekResponse>($"/api/admin/messages/{errorQueue}", ct)))
                    .WaitAsync(Timeout, ct);
                foreach (var peek in peeks)
                {
                    Assert.Equal(["m-1", "m-2", "m-3"], peek!.Messages.Select(m => m.MessageId));
                }
            }
            clients.ForEach(c => c.Dispose());
        }
        finally
        {
            await channel.QueueDeleteAsync(errorQueue, cancellationToken: CancellationToken.None);
        }
    }

    private SingletonJob Job(string name) => new(infrastructure.Postgres.AdminConnectionString, name, NullLogger.Instance);

    private static string? Queue(System.Text.Json.JsonElement message) => message.GetProperty("queue").GetString();

    private static long Count(System.Text.Json.JsonElement message) => message.GetProperty("count").GetInt64();

    private static async Task DrainAsync(MessageSpy spy, TimeSpan window)
    {
        try
        {
            await spy.WaitUntilAsync(_ => false, window);
        }
        catch (TimeoutException)
        {
            // Everything that arrived within the window is in spy.Messages.
        }
    }

    private static async Task<bool> Eventually(Func<Task<bool>> condition)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        while (!await condition())
        {
            await Task.Delay(100, cancel.Token);
        }
        return true;
    }
}
