using ControlTower.Governance.Data;
using ControlTower.Governance.Findings;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Apis;

/// <summary>
/// Suppressions of findings: always with a reason and an expiry, never open-ended; lifted rather than deleted,
/// so the trail of who silenced what, why and until when stays.
/// </summary>
public static class SuppressionsApi
{
    public const int MaxDays = 90;

    public static IEndpointRouteBuilder MapSuppressionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/governance/suppressions").WithTags("Governance");
        api.MapPost("", (Delegate)Create)
            .WithName("CreateSuppression")
            .WithSummary($"Stop announcing findings of a type and subject (patterns with * and ?) until an expiry at most {MaxDays} days ahead, for a reason; they are still kept, counted and listed")
            .Accepts<SuppressionRequest>("application/json")
            .Produces<SuppressionView>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        api.MapGet("", List)
            .WithName("ListSuppressions")
            .WithSummary("Suppressions, newest first: ?state=active (default), ended or all");
        api.MapDelete("/{id:guid}", Lift)
            .WithName("LiftSuppression")
            .WithSummary("Lift a suppression now: the open findings it covered are announced again");
        return app;
    }

    public static async Task<IResult> Create(HttpContext context, GovernanceDbContext db, TimeProvider clock)
    {
        var (request, problem) = await JsonBody.ReadAsync<SuppressionRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        Check("type", request!.Type, 128, "the drift type or control id to suppress, or a pattern such as SCP_*");
        Check("subject", request.Subject, 300, "the subject to suppress (an account, OU, policy@target…), or a pattern");
        Check("reason", request.Reason, 1000, "why these findings may go unannounced; kept with the suppression");
        if (request.Type == "*" && request.Subject == "*")
        {
            errors["subject"] = ["a suppression of every finding is not a suppression; name a type or a subject"];
        }
        if (request.ExpiresAt is not { } expires)
        {
            errors["expiresAt"] = ["every suppression expires: give the time, at most " + MaxDays + " days ahead"];
        }
        else if (expires <= now)
        {
            errors["expiresAt"] = ["the expiry is in the past"];
        }
        else if (expires > now.AddDays(MaxDays))
        {
            errors["expiresAt"] = [$"at most {MaxDays} days ahead ({now.AddDays(MaxDays):O}); renew it then if it still holds"];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The suppression is not valid");
        }
        var suppression = new Suppression
        {
            Id = Guid.CreateVersion7(now),
            Type = request.Type!.Trim(),
            Subject = request.Subject!.Trim(),
            Reason = request.Reason!.Trim(),
            CreatedBy = context.AuthenticatedSource() ?? "unknown",
            CreatedAt = now,
            ExpiresAt = request.ExpiresAt!.Value.ToUniversalTime(),
        };
        db.Suppressions.Add(suppression);
        await db.SaveChangesAsync(context.RequestAborted);
        var view = await ViewAsync(db, suppression, now, context.RequestAborted);
        return TypedResults.Created($"/api/governance/suppressions/{suppression.Id}", view);

        void Check(string field, string? value, int max, string what)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors[field] = [$"{field} is required: {what}"];
            }
            else if (value.Length > max)
            {
                errors[field] = [$"{field} is at most {max} characters"];
            }
        }
    }

    public static async Task<Results<Ok<List<SuppressionView>>, ValidationProblem>> List(
        GovernanceDbContext db, TimeProvider clock, string? state, CancellationToken cancellationToken)
    {
        if (state is not (null or "active" or "ended" or "all"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["state"] = ["state is 'active', 'ended' or 'all'."] });
        }
        var now = clock.GetUtcNow();
        var query = db.Suppressions.AsNoTracking();
        query = (state ?? "active") switch
        {
            "active" => query.Where(s => s.LiftedAt == null && s.ExpiresAt > now),
            "ended" => query.Where(s => s.LiftedAt != null || s.ExpiresAt <= now),
            _ => query,
        };
        var suppressions = await query.OrderByDescending(s => s.CreatedAt).Take(1000).ToListAsync(cancellationToken);
        var open = await db.Findings.AsNoTracking().Where(f => f.Status == "open").Select(f => new { f.Type, f.Subject }).ToListAsync(cancellationToken);
        return TypedResults.Ok(suppressions.Select(s =>
        {
            var matcher = ActiveSuppressions.Of([s]);
            return SuppressionView.From(s, now, open.Count(f => matcher.Covering(f.Type, f.Subject) is not null));
        }).ToList());
    }

    public static async Task<Results<Ok<SuppressionView>, ProblemHttpResult>> Lift(
        HttpContext context, Guid id, GovernanceDbContext db, SuppressionEnds ends, Outbox<GovernanceDbContext> outbox, TimeProvider clock)
    {
        var suppression = await db.Suppressions.SingleOrDefaultAsync(s => s.Id == id, context.RequestAborted);
        var now = clock.GetUtcNow();
        if (suppression is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such suppression",
                detail: $"There is no suppression {id}; GET /api/governance/suppressions?state=all lists them.");
        }
        if (!suppression.ActiveAt(now))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The suppression has ended",
                detail: suppression.LiftedAt is { } lifted ? $"It was lifted at {lifted:O} by {suppression.LiftedBy}." : $"It expired at {suppression.ExpiresAt:O}.");
        }
        suppression.LiftedAt = now;
        suppression.LiftedBy = context.AuthenticatedSource() ?? "unknown";
        await db.SaveChangesAsync(context.RequestAborted);
        await ends.HandleAsync(outbox.Publish, context.RequestAborted);
        return TypedResults.Ok(await ViewAsync(db, suppression, now, context.RequestAborted));
    }

    private static async Task<SuppressionView> ViewAsync(GovernanceDbContext db, Suppression suppression, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var matcher = ActiveSuppressions.Of([suppression]);
        var open = await db.Findings.AsNoTracking().Where(f => f.Status == "open").Select(f => new { f.Type, f.Subject }).ToListAsync(cancellationToken);
        return SuppressionView.From(suppression, now, open.Count(f => matcher.Covering(f.Type, f.Subject) is not null));
    }
}

public sealed record SuppressionRequest(string? Type, string? Subject, string? Reason, DateTimeOffset? ExpiresAt);

/// <param name="OpenFindings">How many open findings it matches now.</param>
public sealed record SuppressionView(Guid Id, string Type, string Subject, string Reason, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt, DateTimeOffset? LiftedAt, string? LiftedBy, bool Active, int OpenFindings)
{
    public static SuppressionView From(Suppression s, DateTimeOffset now, int openFindings) =>
        new(s.Id, s.Type, s.Subject, s.Reason, s.CreatedBy, s.CreatedAt, s.ExpiresAt, s.LiftedAt, s.LiftedBy, s.ActiveAt(now), openFindings);
}

/// <summary>The suppression a finding is under: its id, why, and until when.</summary>
public sealed record SuppressedBy(Guid Id, string Reason, DateTimeOffset ExpiresAt);
