using ControlTower.Governance.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Apis;

public static class OrganizationApi
{
    public static IEndpointRouteBuilder MapOrganizationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/governance").WithTags("Governance");
        api.MapGet("/organization", GetOrganization)
            .WithName("GetObservedOrganization")
            .WithSummary("The AWS organisation as its events and the last inventory snapshot show it: accounts and where they sit, OUs, policies with their targets, and organisation settings, each with the event that last changed it");
        return app;
    }

    public static async Task<Ok<ObservedOrganizationView>> GetOrganization(GovernanceDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ReadAsync(db, cancellationToken));

    /// <summary>
    /// The whole observed organisation from one snapshot: a batch of changes committed between two of the five
    /// reads would otherwise show half an organisation (a setting without the move that came with it).
    /// </summary>
    public static Task<ObservedOrganizationView> ReadAsync(GovernanceDbContext db, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            var organization = await ReadInTransactionAsync(db, cancellationToken);
            await snapshot.CommitAsync(cancellationToken);
            return organization;
        });

    /// <summary>The observed organisation, read in the caller's transaction (which decides how consistent it is).</summary>
    public static async Task<ObservedOrganizationView> ReadInTransactionAsync(GovernanceDbContext db, CancellationToken cancellationToken)
    {
        var accounts = await db.OrgAccounts.AsNoTracking().OrderBy(a => a.AccountId)
            .Select(a => new OrgAccountView(a.AccountId, a.Name, a.ParentId, a.Member, a.ParentAt, a.ParentEventId, a.MemberAt, a.MemberEventId))
            .ToListAsync(cancellationToken);
        var ous = await db.Ous.AsNoTracking().OrderBy(o => o.OuId)
            .Select(o => new OuView(o.OuId, o.Name, o.ParentId, o.Deleted, o.ChangedAt, o.EventId))
            .ToListAsync(cancellationToken);
        var attachments = (await db.PolicyAttachments.AsNoTracking().ToListAsync(cancellationToken))
            .ToLookup(a => a.PolicyId, StringComparer.Ordinal);
        var policies = (await db.Policies.AsNoTracking().OrderBy(p => p.PolicyId).ToListAsync(cancellationToken))
            .Select(p => new PolicyView(p.PolicyId, p.Name, p.Type, p.Deleted, Targets(attachments[p.PolicyId], true),
                Targets(attachments[p.PolicyId], false), p.Content, p.ChangedAt, p.EventId, Attachments(attachments[p.PolicyId])))
            .ToList();
        // Attachments of policies seen only through Attach/DetachPolicy (created before Control Tower listened).
        var known = policies.Select(p => p.PolicyId).ToHashSet(StringComparer.Ordinal);
        policies.AddRange(attachments.Where(g => !known.Contains(g.Key))
            .Select(g => new PolicyView(g.Key, null, null, false, Targets(g, true), Targets(g, false), null, null, null, Attachments(g))));
        var settings = await db.OrgSettings.AsNoTracking().OrderBy(s => s.Key)
            .Select(s => new OrgSettingView(s.Key, s.Enabled, s.ChangedAt, s.EventId))
            .ToListAsync(cancellationToken);
        return new ObservedOrganizationView(accounts, ous, policies, settings);
    }

    private static IReadOnlyList<AttachmentView> Attachments(IEnumerable<ObservedPolicyAttachment> rows) =>
        [.. rows.OrderBy(a => a.TargetId, StringComparer.Ordinal).Select(a => new AttachmentView(a.TargetId, a.Attached, a.ChangedAt, a.EventId))];

    private static IReadOnlyList<string> Targets(IEnumerable<ObservedPolicyAttachment> rows, bool attached) =>
        [.. rows.Where(a => a.Attached == attached).Select(a => a.TargetId).Order(StringComparer.Ordinal)];
}

public sealed record ObservedOrganizationView(
    IReadOnlyList<OrgAccountView> Accounts, IReadOnlyList<OuView> OrganizationalUnits, IReadOnlyList<PolicyView> Policies, IReadOnlyList<OrgSettingView> Settings);

public sealed record OrgAccountView(string AccountId, string? Name, string? ParentId, bool? Member,
    DateTimeOffset? ParentChangedAt, string? ParentEventId, DateTimeOffset? MemberChangedAt, string? MemberEventId);

public sealed record OuView(string OuId, string? Name, string? ParentId, bool Deleted, DateTimeOffset ChangedAt, string EventId);

/// <summary>
/// A policy with the targets it is attached to now, and those it was seen detached from; <see cref="ChangedAt"/> and
/// <see cref="EventId"/> are the policy's own (content, deletion), <see cref="Attachments"/> each target's.
/// </summary>
public sealed record PolicyView(string PolicyId, string? Name, string? Type, bool Deleted, IReadOnlyList<string> Targets,
    IReadOnlyList<string> DetachedFrom, string? Content, DateTimeOffset? ChangedAt, string? EventId, IReadOnlyList<AttachmentView>? Attachments = null);

/// <summary>Whether a policy is attached to a target, as the event that last changed that says.</summary>
public sealed record AttachmentView(string TargetId, bool Attached, DateTimeOffset ChangedAt, string EventId);

public sealed record OrgSettingView(string Key, bool Enabled, DateTimeOffset ChangedAt, string EventId);
