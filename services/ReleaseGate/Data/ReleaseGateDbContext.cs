using Microsoft.EntityFrameworkCore;

namespace ControlTower.ReleaseGate.Data;

public sealed class ReleaseGateDbContext(DbContextOptions<ReleaseGateDbContext> options) : DbContext(options)
{
    public DbSet<Release> Releases => Set<Release>();
    public DbSet<EvidenceRecord> Evidence => Set<EvidenceRecord>();
    public DbSet<Evaluation> Evaluations => Set<Evaluation>();
    public DbSet<PolicyVersion> PolicyVersions => Set<PolicyVersion>();
    public DbSet<GovernanceFinding> GovernanceFindings => Set<GovernanceFinding>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ReleaseGateDbContext).Assembly).AddOutbox();
}
