using System.Text.Json;
using ControlTower.Collector.Azure.Parsing;
using ControlTower.Collector.Ingestion;
using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Alerts;
using Microsoft.Extensions.Options;

namespace ControlTower.Collector.Azure.Apis;

public static class AzureIngestionApi
{
    public const string CloudEventsMediaType = "application/cloudevents+json";
    public const string CloudEventsBatchMediaType = "application/cloudevents-batch+json";

    internal static readonly IngestionDoor<AzureContext, CloudActivity> EventGridDoor =
        ActivityDoor.Create<AzureContext>("an array of Event Grid events", EventGridNormalizer.Select, EventGridNormalizer.TryNormalizeEventGrid) with
        {
            Handshake = SubscriptionValidation,
        };

    internal static readonly IngestionDoor<AzureContext, CloudActivity> CloudEventsDoor =
        ActivityDoor.Create<AzureContext>("a CloudEvent object (structured mode) or an array of them (batched mode)",
            EventGridNormalizer.Select, EventGridNormalizer.TryNormalizeCloudEvent) with
        {
            MediaTypes = [CloudEventsMediaType, CloudEventsBatchMediaType, .. RequestBody.JsonMediaTypes],
        };

    internal static readonly IngestionDoor<AzureContext, CloudActivity> ActivityLogDoor =
        ActivityDoor.Create<AzureContext>("Activity Log records: {\"records\":[...]} as diagnostic settings export them, an array, or JSON Lines",
            ActivityLogNormalizer.Select, ActivityLogNormalizer.TryNormalize) with
        {
            MediaTypes = [.. RequestBody.JsonMediaTypes, .. RequestBody.JsonLinesMediaTypes],
        };

    internal static readonly IngestionDoor<AzureContext, MonitorAlert> AlertDoor = new()
    {
        ExpectedShape = $"an Azure Monitor alert in the common alert schema ({{\"schemaId\":\"{CommonAlertNormalizer.SchemaId}\",\"data\":{{...}}}})",
        Select = CommonAlertNormalizer.Select,
        Normalize = CommonAlertNormalizer.TryNormalize,
        Key = CommonAlertNormalizer.Key,
        Notes = alert => alert.Anomalies,
        Publish = (publisher, source, alerts, cancellationToken) => publisher.PublishAsync(source, alerts, cancellationToken),
    };

    public static IEndpointRouteBuilder MapAzureIngestionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/ingest/azure").WithTags("Azure ingestion");

        api.MapPost("/eventgrid", IngestEventGridEvents)
            .WithName("IngestEventGridEvents")
            .WithSummary("Ingest Event Grid events (Event Grid schema), answering the subscription validation handshake")
            .Produces<SubscriptionValidationResponse>(StatusCodes.Status200OK)
            .ProducesIngestionAnswers();

        api.MapPost("/cloudevents", IngestCloudEvents)
            .WithName("IngestCloudEvents")
            .WithSummary("Ingest Event Grid events in the CloudEvents 1.0 schema (structured or batched mode)")
            .ProducesIngestionAnswers();

        api.MapMethods("/cloudevents", [HttpMethods.Options], AllowCloudEventsDelivery)
            .WithName("AllowCloudEventsDelivery")
            .WithSummary("The CloudEvents webhook abuse-protection handshake (WebHook-Request-Origin → WebHook-Allowed-Origin)")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPost("/activity-log", IngestActivityLog)
            .WithName("IngestActivityLog")
            .WithSummary("Ingest Activity Log records as diagnostic settings export them ({\"records\":[...]}, an array, or JSON Lines; plain or gzip)")
            .ProducesIngestionAnswers();

        api.MapPost("/alerts", IngestAlerts)
            .WithName("IngestMonitorAlerts")
            .WithSummary("Ingest an Azure Monitor action-group webhook in the common alert schema, fired or resolved")
            .ProducesIngestionAnswers();

        return app;
    }

    public static Task<IResult> IngestEventGridEvents(HttpContext context, IngestionPipeline pipeline) =>
        pipeline.IngestAsync(context, AzureContext.None, EventGridDoor);

    public static Task<IResult> IngestCloudEvents(HttpContext context, IngestionPipeline pipeline)
    {
        if (context.Request.Headers.ContainsKey("ce-specversion"))
        {
            return Task.FromResult<IResult>(TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "CloudEvents binary mode not accepted",
                detail: $"The event's attributes came as ce-* headers (binary content mode); send it in structured mode ({CloudEventsMediaType}) "
                    + $"or batched mode ({CloudEventsBatchMediaType}), as Event Grid does.",
                type: Problems.TypePrefix + "cloudevents-binary-mode"));
        }
        return pipeline.IngestAsync(context, AzureContext.None, CloudEventsDoor);
    }

    public static Task<IResult> IngestActivityLog(HttpContext context, IngestionPipeline pipeline) =>
        pipeline.IngestAsync(context, AzureContext.None, ActivityLogDoor);

    public static Task<IResult> IngestAlerts(HttpContext context, IngestionPipeline pipeline) =>
        pipeline.IngestAsync(context, AzureContext.None, AlertDoor);

    /// <summary>
    /// CloudEvents 1.0 webhook abuse protection (the HTTP webhook spec, section 4): the sender asks with
    /// <c>WebHook-Request-Origin</c> (and optionally <c>WebHook-Request-Rate</c>); the receiver grants by echoing the
    /// origin in <c>WebHook-Allowed-Origin</c> and answering a rate in <c>WebHook-Allowed-Rate</c>.
    /// </summary>
    public static IResult AllowCloudEventsDelivery(HttpContext context, IOptions<WebhookOptions> options)
    {
        var origin = context.Request.Headers["WebHook-Request-Origin"].ToString().Trim();
        context.Response.Headers.Allow = "POST, OPTIONS";
        if (origin.Length == 0)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Not a webhook validation request",
                detail: "An OPTIONS request here is the CloudEvents abuse-protection handshake and must carry WebHook-Request-Origin.",
                type: Problems.TypePrefix + "webhook-origin-missing");
        }
        var allowed = options.Value.AllowedOrigins;
        if (allowed.Count > 0 && !allowed.Contains("*") && !allowed.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Origin not allowed",
                detail: $"Deliveries from '{AzureFields.Truncate(origin)}' are not allowed here; the allowed origins are {string.Join(", ", allowed)} (Azure:Webhooks:AllowedOrigins).",
                type: Problems.TypePrefix + "webhook-origin-not-allowed");
        }
        context.Response.Headers["WebHook-Allowed-Origin"] = origin;
        // Rates are limited per key at the gateway, with 429 and Retry-After; the handshake grants any rate asked.
        context.Response.Headers["WebHook-Allowed-Rate"] = options.Value.AllowedRate?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*";
        return TypedResults.Ok();
    }

    /// <summary>Event Grid's synchronous validation handshake: a request holding only validation events is answered 200 with the code.</summary>
    private static IResult? SubscriptionValidation(HttpContext context, IReadOnlyList<JsonElement> records)
    {
        if (records.Count == 0 || EventGridNormalizer.ValidationCode(records) is not { } code)
        {
            var header = context.Request.Headers["aeg-event-type"].ToString();
            return records.Count > 0 && string.Equals(header, "SubscriptionValidation", StringComparison.OrdinalIgnoreCase)
                && records.All(r => AzureFields.Text(r, "eventType") == EventGridNormalizer.ValidationEventType)
                ? TypedResults.Problem(
                    statusCode: StatusCodes.Status400BadRequest,
                    title: "Validation code missing",
                    detail: "The subscription validation event has no data.validationCode to answer with.",
                    type: Problems.TypePrefix + "validation-code-missing")
                : null;
        }
        return TypedResults.Ok(new SubscriptionValidationResponse(code));
    }
}

/// <summary>The answer Event Grid expects to a subscription validation event.</summary>
public sealed record SubscriptionValidationResponse(string ValidationResponse);
