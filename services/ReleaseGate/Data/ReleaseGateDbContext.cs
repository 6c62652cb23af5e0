using Microsoft.EntityFrameworkCore;

namespace ControlTower.ReleaseGate.Data;

public sealed class ReleaseGateDbContext(DbContextOptions<ReleaseGateDbContext> options) : DbContext(options)
{
    public DbSet<Release> Releases => Set<Release>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ReleaseGateDbContext).Assembly);
}
