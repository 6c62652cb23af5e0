using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ControlTower.Collector.Ingestion;

public static class IngestionEndpoints
{
    /// <summary>
    /// The answers every ingestion door documents: 202 with counts, and the problems for a body that is not
    /// JSON of the door's shape (400), too large (413), of another media type (415), or not made durable (503).
    /// The gateway adds 401, 403 and 429.
    /// </summary>
    public static RouteHandlerBuilder ProducesIngestionAnswers(this RouteHandlerBuilder endpoint) => endpoint
        .Produces<IngestionResult>(StatusCodes.Status202Accepted)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
