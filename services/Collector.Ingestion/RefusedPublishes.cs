using MassTransit;
using Microsoft.Extensions.Hosting;

namespace ControlTower.Collector.Ingestion;

/// <summary>
/// One request's publishing, as seen by <see cref="RefusedPublishes"/>: whether the broker refused a message of it, and
/// the cancellation that ends the publishing at once when it does.
/// </summary>
public sealed class PublishAttempt(CancellationTokenSource cancel)
{
    private static readonly AsyncLocal<PublishAttempt?> CurrentAttempt = new();

    /// <summary>The attempt of the code running now, if a request set one.</summary>
    public static PublishAttempt? Current
    {
        get => CurrentAttempt.Value;
        set => CurrentAttempt.Value = value;
    }

    public bool Refused { get; private set; }

    public void Refuse()
    {
        Refused = true;
        cancel.Cancel();
    }
}

/// <summary>
/// Notices the broker refusing a message (a negative confirm: a queue at its cap with overflow reject-publish).
/// MassTransit takes that for a broken channel and tries the publish again, and again, until the caller gives up; this
/// ends the request's publishing at the first refusal instead, so that the source hears "backlog full" at once.
/// </summary>
public sealed class RefusedPublishes : IPublishObserver
{
    public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class
    {
        if (PublishAttempt.Current is { } attempt && TransientFaults.IsBrokerRefusal(exception))
        {
            attempt.Refuse();
        }
        return Task.CompletedTask;
    }
}
