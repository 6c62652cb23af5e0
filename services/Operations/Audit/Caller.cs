namespace ControlTower.Operations.Audit;

/// <summary>Who is acting, as the gateway forwarded it.</summary>
public sealed record Caller(string Actor, string? Kind, string? Address)
{
    public static readonly Caller System = new("system", "system", null);

    public static Caller From(HttpContext context) =>
        new(context.AuthenticatedSource() ?? "unknown", context.CallerKind(), context.ClientAddress());
}
