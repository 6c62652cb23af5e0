using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Web.Data;

/// <summary>
/// The portal keeps no data of its own, only the data-protection keys that encrypt its sign-in cookie and antiforgery
/// tokens: in one database they are shared by every replica and survive a restart, so nobody is signed out when the
/// load balancer sends them to another replica or a pod is replaced.
/// </summary>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public const string ConnectionName = "portaldb";

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
}

public sealed class DesignTimeDbContextFactory : ServiceDesignTimeDbContextFactory<PortalDbContext>;
