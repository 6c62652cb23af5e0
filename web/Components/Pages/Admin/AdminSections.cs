using ControlTower.Web.Session;

namespace ControlTower.Web.Components.Pages.Admin;

/// <summary>The admin pages, the scope each needs to be read, and what each is for: the index, the tabs and the pages' guards use the same list.</summary>
public static class AdminSections
{
    public static readonly IReadOnlyList<AdminSection> All =
    [
        new("/admin/keys", "API keys", "admin:keys", "Create, rotate and revoke the keys machines use; a secret is shown once."),
        new("/admin/baseline", "Baseline", "governance:read", "The landing-zone baseline in place, its history and diffs; upload a new version."),
        new("/admin/messages", "Poison messages", "admin:messages", "Error queues and the messages in them; replay them once the cause is fixed."),
        new("/admin/audit", "Audit log", "audit:read", "Who changed what, when and with what result; export it as CSV or JSON."),
    ];

    /// <summary>Scopes that make someone an administrator of something here; without one, <c>/admin</c> is not for them.</summary>
    public static readonly IReadOnlyList<string> AdminScopes = ["audit:read", "admin:keys", "admin:messages", "governance:write"];

    public static bool IsAdmin(Caller caller) => AdminScopes.Any(caller.Has);

    public static IEnumerable<AdminSection> For(Caller caller) => IsAdmin(caller) ? All.Where(s => caller.Has(s.Scope)) : [];
}

public sealed record AdminSection(string Href, string Label, string Scope, string Description);
