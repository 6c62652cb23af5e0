using System.Text.Json;
using ControlTower.Contracts.Operations;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ControlTower.Operations.DeadLetters;

/// <summary>
/// Counts every error queue each <see cref="DeadLettersOptions.PollSeconds"/> and publishes
/// <see cref="DeadLettersObserved"/> when a count changes: first seen with messages, grown, shrunk, emptied, or gone
/// (published as zero). Counts live in memory, so after a restart each queue holding messages is announced again;
/// consumers take an observation as the queue's current state, which makes the repeat harmless.
/// One replica of Operations counts (<see cref="JobName"/>): every replica counting would announce each change once per
/// replica, and each one's peek at the oldest message hides it from the others' counts for a moment, so they would
/// announce counts that flap. A replica that takes the lead over starts with no counts, as after a restart.
/// </summary>
public sealed class DeadLetterMonitor(
    DeadLetterBroker broker,
    IBus bus,
    SingletonJobs jobs,
    IOptions<DeadLettersOptions> options,
    TimeProvider clock,
    ILogger<DeadLetterMonitor> logger) : BackgroundService
{
    public const string JobName = "operations:dead-letter-monitor";

    private readonly Dictionary<string, long> counts = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var lead = jobs.Create(JobName);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PollSeconds), clock);
        do
        {
            try
            {
                if (!await lead.TryLeadAsync(stoppingToken))
                {
                    // Another replica counts; what this one knew is out of date by the time it leads again.
                    counts.Clear();
                    continue;
                }
                await PollAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not count the error queues; trying again in {Seconds} s", options.Value.PollSeconds);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async Task PollAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> queues;
        try
        {
            queues = await broker.DiscoverAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException { InnerException: TimeoutException } or JsonException)
        {
            // The queues already known (and the configured ones) are still counted; new ones wait for the management API.
            logger.LogWarning(ex, "The RabbitMQ management API did not list the queues; counting the {Count} error queue(s) already known", counts.Count);
            queues = options.Value.Queues;
        }
        foreach (var queue in queues.Union(counts.Keys.ToList(), StringComparer.Ordinal))
        {
            var count = await broker.CountAsync(queue, cancellationToken) ?? 0;
            var known = counts.TryGetValue(queue, out var previous);
            if (known ? previous == count : count == 0)
            {
                continue;
            }
            DeadLetter? oldest = null;
            if (count > 0)
            {
                oldest = (await broker.PeekAsync(queue, 0, 1, cancellationToken))?.FirstOrDefault();
            }
            await bus.Publish(new DeadLettersObserved
            {
                Queue = queue,
                Count = count,
                MessageType = oldest?.MessageType,
                Error = oldest?.FirstErrorLine,
                ObservedAt = clock.GetUtcNow(),
            }, cancellationToken);
            logger.LogInformation("Error queue {Queue} holds {Count} message(s) (was {Previous})", queue, count, known ? previous : 0);
            if (count == 0)
            {
                counts.Remove(queue);
            }
            else
            {
                counts[queue] = count;
            }
        }
    }
}
