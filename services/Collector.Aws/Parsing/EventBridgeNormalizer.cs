using System.Globalization;
using System.Text.Json;
using ControlTower.Collector.Ingestion;
using ControlTower.Contracts.Activity;

namespace ControlTower.Collector.Aws.Parsing;

/// <summary>
/// Turns EventBridge events into <see cref="CloudActivity"/>. An event that carries a CloudTrail record
/// (<c>detail-type</c> "… via CloudTrail") is normalised from that record, with the envelope filling gaps, so
/// the same call arriving by EventBridge and in an S3 log file is one activity (same <c>eventID</c>, same raw).
/// Any other event (Control Tower, Organizations or custom sources) is kept as an activity named by its
/// <c>detail-type</c>, keyed by the envelope <c>id</c>.
/// </summary>
public static class EventBridgeNormalizer
{
    private const string ViaCloudTrail = "via CloudTrail";

    /// <summary>A single event object, or an array of them.</summary>
    public static IReadOnlyList<JsonElement>? Select(JsonElement root) => root.ValueKind switch
    {
        JsonValueKind.Object => [root],
        JsonValueKind.Array => root.EnumerateArray().ToList(),
        _ => null,
    };

    public static bool TryNormalize(JsonElement envelope, int index, RecordContext context, out CloudActivity activity, out RecordError error)
    {
        activity = null!;
        error = null!;
        if (envelope.ValueKind != JsonValueKind.Object)
        {
            error = new RecordError(index, "$", $"an event must be a JSON object, not {envelope.ValueKind}");
            return false;
        }
        var id = CloudTrailNormalizer.NonEmpty(envelope, "id");
        var detailType = CloudTrailNormalizer.NonEmpty(envelope, "detail-type");
        var source = CloudTrailNormalizer.NonEmpty(envelope, "source");
        var missing = id is null ? "id" : detailType is null ? "detail-type" : source is null ? "source" : null;
        if (missing is not null)
        {
            error = new RecordError(index, missing, $"'{missing}' is missing or not a non-empty string");
            return false;
        }
        if (!envelope.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.Object)
        {
            error = new RecordError(index, "detail", "'detail' is missing or not an object");
            return false;
        }

        var time = CloudTrailNormalizer.NonEmpty(envelope, "time") is { } text && CloudTrailNormalizer.TryParseTime(text, out var parsed) ? parsed : (DateTimeOffset?)null;
        var envelopeContext = context with
        {
            Account = CloudTrailNormalizer.NonEmpty(envelope, "account"),
            Region = CloudTrailNormalizer.NonEmpty(envelope, "region"),
            Time = time,
            Resources = envelope.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Array
                ? resources.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).ToList()
                : [],
            CrossCheck = false,
        };

        if (detailType!.EndsWith(ViaCloudTrail, StringComparison.OrdinalIgnoreCase) && detail.TryGetProperty("eventID", out _))
        {
            if (CloudTrailNormalizer.TryNormalize(detail, index, envelopeContext, out activity, out var detailError))
            {
                return true;
            }
            error = detailError with { Field = "detail." + detailError.Field };
            return false;
        }

        var anomalies = new List<string>();
        if (time is null)
        {
            anomalies.Add("envelope time missing or not a time; received time used");
        }
        activity = new CloudActivity
        {
            Provider = "aws",
            EventId = id!,
            Time = time ?? context.ReceivedAt,
            Account = envelopeContext.Account ?? CloudTrailNormalizer.UnknownAccount,
            Region = envelopeContext.Region,
            Service = source!.StartsWith("aws.", StringComparison.Ordinal) ? source[4..] : source,
            Operation = detailType,
            Outcome = ActivityOutcome.Unknown,
            EventType = "EventBridge",
            Resources = envelopeContext.Resources.Select(arn => new ActivityResource { Arn = arn }).ToList(),
            Anomalies = anomalies,
            Raw = CloudTrailNormalizer.RawRecord(envelope, context),
        };
        return true;
    }
}
