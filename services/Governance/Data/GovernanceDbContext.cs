using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Data;

public sealed class GovernanceDbContext(DbContextOptions<GovernanceDbContext> options) : DbContext(options)
{
    public DbSet<ObservedAccount> ObservedAccounts => Set<ObservedAccount>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(GovernanceDbContext).Assembly);
}
