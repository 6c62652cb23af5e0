using ControlTower.Governance.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Apis;

public static class AzureApi
{
    public static IEndpointRouteBuilder MapAzureApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/governance").WithTags("Governance");
        api.MapGet("/azure", GetAzure)
            .WithName("GetObservedAzure")
            .WithSummary("The Azure estate as its activity and the last inventory show it: management groups, where each subscription sits, policy assignments and exemptions, each with the event that last changed it");
        return app;
    }

    public static async Task<Ok<ObservedAzureView>> GetAzure(GovernanceDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            var azure = await ReadInTransactionAsync(db, cancellationToken);
            await snapshot.CommitAsync(cancellationToken);
            return azure;
        }));

    /// <summary>The observed Azure estate, read in the caller's transaction (which decides how consistent it is).</summary>
    public static async Task<ObservedAzureView> ReadInTransactionAsync(GovernanceDbContext db, CancellationToken cancellationToken) =>
        new(
            await db.ManagementGroups.AsNoTracking().OrderBy(g => g.GroupId)
                .Select(g => new ManagementGroupView(g.GroupId, g.Name, g.ParentId, g.Deleted, g.ChangedAt, g.EventId))
                .ToListAsync(cancellationToken),
            await db.Subscriptions.AsNoTracking().OrderBy(s => s.SubscriptionId)
                .Select(s => new SubscriptionView(s.SubscriptionId, s.Name, s.ManagementGroupId, s.Removed, s.ChangedAt, s.EventId))
                .ToListAsync(cancellationToken),
            await db.PolicyAssignments.AsNoTracking().OrderBy(a => a.AssignmentId)
                .Select(a => new PolicyAssignmentView(a.AssignmentId, a.Name, a.Scope, a.DefinitionId, a.EnforcementMode, a.Effect, a.Deleted, a.ChangedAt, a.EventId))
                .ToListAsync(cancellationToken),
            await db.PolicyExemptions.AsNoTracking().OrderBy(e => e.ExemptionId)
                .Select(e => new PolicyExemptionView(e.ExemptionId, e.Name, e.Scope, e.AssignmentId, e.Category, e.ExpiresOn, e.Deleted, e.ChangedAt, e.EventId))
                .ToListAsync(cancellationToken));
}

/// <summary>The observed Azure estate. Ids are in lower case.</summary>
public sealed record ObservedAzureView(
    IReadOnlyList<ManagementGroupView> ManagementGroups, IReadOnlyList<SubscriptionView> Subscriptions,
    IReadOnlyList<PolicyAssignmentView> PolicyAssignments, IReadOnlyList<PolicyExemptionView> PolicyExemptions);

public sealed record ManagementGroupView(string GroupId, string? Name, string? ParentId, bool Deleted, DateTimeOffset ChangedAt, string EventId);

/// <summary>A subscription in <see cref="ManagementGroupId"/>, or, when <see cref="Removed"/>, taken out of it (so under the tenant root group).</summary>
public sealed record SubscriptionView(string SubscriptionId, string? Name, string ManagementGroupId, bool Removed, DateTimeOffset ChangedAt, string EventId);

public sealed record PolicyAssignmentView(string AssignmentId, string Name, string Scope, string? DefinitionId, string? EnforcementMode, string? Effect,
    bool Deleted, DateTimeOffset ChangedAt, string EventId);

public sealed record PolicyExemptionView(string ExemptionId, string Name, string Scope, string? AssignmentId, string? Category, DateTimeOffset? ExpiresOn,
    bool Deleted, DateTimeOffset ChangedAt, string EventId);
