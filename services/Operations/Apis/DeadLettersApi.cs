using ControlTower.Operations.DeadLetters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RabbitMQ.Client.Exceptions;

namespace ControlTower.Operations.Apis;

/// <summary>Poison messages: the error queues with their counts, a look at what they hold, and replay to the input queue.</summary>
public static class DeadLettersApi
{
    public const string Scope = "admin:messages";
    public const int DefaultPeek = 20;
    public const int MaxOffset = 10_000;

    public static IEndpointRouteBuilder MapDeadLettersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/messages").WithTags("Dead letters");
        api.MapGet("/", ListErrorQueues)
            .WithName("ListErrorQueues")
            .WithSummary("Every error queue (*_error) on the broker with the messages it holds");
        api.MapGet("/{queue}", PeekErrorQueue)
            .WithName("PeekErrorQueue")
            .WithSummary("The messages of one error queue, oldest first, without removing or reordering them");
        api.MapPost("/{queue}/replay", ReplayErrorQueue)
            .WithName("ReplayErrorQueue")
            .WithSummary("Moves messages of an error queue back to its input queue: all, ?limit= the oldest, or ?messageId= one");
        return app;
    }

    public static async Task<Results<Ok<List<ErrorQueueSummary>>, ProblemHttpResult>> ListErrorQueues(
        HttpContext context, DeadLetterBroker broker, CancellationToken cancellationToken)
    {
        if (Forbidden(context) is { } forbidden)
        {
            return forbidden;
        }
        try
        {
            var summaries = new List<ErrorQueueSummary>();
            foreach (var queue in await broker.DiscoverAsync(cancellationToken))
            {
                if (await broker.CountAsync(queue, cancellationToken) is { } count)
                {
                    summaries.Add(new ErrorQueueSummary(queue, ErrorQueues.InputQueueOf(queue), count));
                }
            }
            return TypedResults.Ok(summaries);
        }
        catch (Exception ex) when (Unavailable(ex) is { } problem)
        {
            return problem;
        }
    }

    public static async Task<Results<Ok<PeekResponse>, ValidationProblem, ProblemHttpResult>> PeekErrorQueue(
        HttpContext context, DeadLetterBroker broker, IOptions<DeadLettersOptions> options, string queue, int? limit, int? offset,
        CancellationToken cancellationToken)
    {
        if (Forbidden(context) is { } forbidden)
        {
            return forbidden;
        }
        var errors = new Dictionary<string, string[]>();
        if (ErrorQueues.Validate(queue) is { } fault)
        {
            errors["queue"] = [fault];
        }
        var max = options.Value.MaxPeek;
        if (limit is < 1 || limit > max)
        {
            errors["limit"] = [$"limit must be between 1 and {max}."];
        }
        if (offset is < 0 or > MaxOffset)
        {
            errors["offset"] = [$"offset must be between 0 and {MaxOffset}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request names no error queue or asks for too much");
        }
        try
        {
            var messages = await broker.PeekAsync(queue, offset ?? 0, limit ?? Math.Min(DefaultPeek, max), cancellationToken);
            if (messages is null)
            {
                return UnknownQueue(queue);
            }
            var count = await broker.CountAsync(queue, cancellationToken) ?? 0;
            return TypedResults.Ok(new PeekResponse(queue, ErrorQueues.InputQueueOf(queue), count, offset ?? 0, messages));
        }
        catch (Exception ex) when (Unavailable(ex) is { } problem)
        {
            return problem;
        }
    }

    public static async Task<Results<Ok<ReplayResponse>, ValidationProblem, ProblemHttpResult>> ReplayErrorQueue(
        HttpContext context, DeadLetterBroker broker, ILoggerFactory loggers, string queue, string? messageId, int? limit,
        CancellationToken cancellationToken)
    {
        if (Forbidden(context) is { } forbidden)
        {
            return forbidden;
        }
        var errors = new Dictionary<string, string[]>();
        if (ErrorQueues.Validate(queue) is { } fault)
        {
            errors["queue"] = [fault];
        }
        if (limit is < 1)
        {
            errors["limit"] = ["limit must be at least 1."];
        }
        if (messageId is not null && limit is not null)
        {
            errors["messageId"] = ["give messageId (one message) or limit (the oldest messages), not both."];
        }
        else if (messageId is { Length: 0 or > 200 })
        {
            errors["messageId"] = ["messageId must be 1 to 200 characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The replay request is not valid");
        }

        ReplayOutcome outcome;
        try
        {
            outcome = await broker.ReplayAsync(queue, messageId, limit, cancellationToken);
        }
        catch (Exception ex) when (Unavailable(ex) is { } problem)
        {
            return problem;
        }
        // Who moved what: the gateway audits the request, this records what the broker actually did.
        loggers.CreateLogger("ControlTower.Operations.DeadLetters.Replay").LogInformation(
            "Replay by {Source} ({CallerKind}, {ClientAddress}) of {Queue} to {InputQueue} (messageId {MessageId}, limit {Limit}): {Status}, {Replayed} replayed, {Remaining} remaining",
            context.AuthenticatedSource() ?? "unknown", context.CallerKind() ?? "unknown", context.ClientAddress() ?? "unknown",
            queue, outcome.InputQueue, messageId ?? "-", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all",
            outcome.Status, outcome.Replayed, outcome.Remaining);
        return outcome.Status switch
        {
            ReplayStatus.UnknownQueue => UnknownQueue(queue),
            ReplayStatus.NoInputQueue => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The input queue does not exist",
                detail: $"'{queue}' would be replayed to '{outcome.InputQueue}', which does not exist (its service is not running or was renamed); nothing was moved."),
            ReplayStatus.UnknownMessage => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such message",
                detail: $"'{queue}' holds no message with messageId '{messageId}'; nothing was moved."),
            _ => TypedResults.Ok(new ReplayResponse(queue, outcome.InputQueue, outcome.Replayed, outcome.Remaining)),
        };
    }

    private static ProblemHttpResult? Forbidden(HttpContext context) =>
        context.HasScope(Scope) ? null : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Scope required",
            detail: $"Reading and replaying error queues needs the '{Scope}' scope.");

    private static ProblemHttpResult UnknownQueue(string queue) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such error queue", detail: $"The broker has no queue '{queue}'.");

    private static ProblemHttpResult? Unavailable(Exception ex) => ex switch
    {
        BrokerUnreachableException or AlreadyClosedException => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The broker is unreachable", detail: "RabbitMQ did not answer; nothing was moved."),
        PublishException => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The broker did not confirm a replayed message",
            detail: "The message stays in the error queue; the messages replayed before it are in the input queue. Try again."),
        HttpRequestException or TaskCanceledException { InnerException: TimeoutException } => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The broker's management API is unreachable", detail: "The RabbitMQ management API, which lists the queues, did not answer."),
        _ => null,
    };
}

public sealed record ErrorQueueSummary(string Queue, string InputQueue, long Count);

public sealed record PeekResponse(string Queue, string InputQueue, long Count, int Offset, IReadOnlyList<DeadLetter> Messages);

public sealed record ReplayResponse(string Queue, string InputQueue, long Replayed, long Remaining);
