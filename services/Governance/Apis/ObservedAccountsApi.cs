using ControlTower.Governance.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Apis;

public static class ObservedAccountsApi
{
    public static IEndpointRouteBuilder MapObservedAccountsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/governance").WithTags("Governance");
        api.MapGet("/observed-accounts", ListObservedAccounts)
            .WithName("ListObservedAccounts")
            .WithSummary("Accounts and subscriptions that have sent activity, most recently active first");
        return app;
    }

    public static async Task<Ok<List<ObservedAccountView>>> ListObservedAccounts(GovernanceDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.ObservedAccounts.AsNoTracking()
            .OrderByDescending(a => a.LastSeen)
            .Take(1000)
            .Select(a => new ObservedAccountView(a.Provider, a.Account, a.FirstSeen, a.LastSeen, a.LastRegion))
            .ToListAsync(cancellationToken));
}

public sealed record ObservedAccountView(string Provider, string Account, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, string? LastRegion);
