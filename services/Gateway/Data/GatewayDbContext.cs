using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Gateway.Data;

/// <summary>API keys, the data-protection keys that encrypt webhook signing secrets at rest, and the outbox audit entries leave through.</summary>
public sealed class GatewayDbContext(DbContextOptions<GatewayDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(GatewayDbContext).Assembly).AddOutbox();
}
