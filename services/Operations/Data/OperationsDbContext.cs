using Microsoft.EntityFrameworkCore;

namespace ControlTower.Operations.Data;

public sealed class OperationsDbContext(DbContextOptions<OperationsDbContext> options) : DbContext(options)
{
    public DbSet<ActivityRecord> Activities => Set<ActivityRecord>();

    public DbSet<AlertRecord> Alerts => Set<AlertRecord>();

    public DbSet<SignalRecord> Signals => Set<SignalRecord>();
    public DbSet<SignalObservationRecord> SignalObservations => Set<SignalObservationRecord>();
    public DbSet<IncidentRecord> Incidents => Set<IncidentRecord>();
    public DbSet<TimelineEntryRecord> Timeline => Set<TimelineEntryRecord>();
    public DbSet<AuditEntryRecord> AuditLog => Set<AuditEntryRecord>();
    public DbSet<DirectoryAccountRecord> DirectoryAccounts => Set<DirectoryAccountRecord>();
    public DbSet<ActivityRuleCounterRecord> ActivityRuleCounters => Set<ActivityRuleCounterRecord>();
    public DbSet<SuppressionRecord> Suppressions => Set<SuppressionRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        // The outbox: what a person's change announces (a guardrail signal resolved) leaves after the commit, never without it.
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OperationsDbContext).Assembly).AddOutbox();
}
