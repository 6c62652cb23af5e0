using Microsoft.Extensions.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Data;

public sealed class GovernanceDbContext(DbContextOptions<GovernanceDbContext> options) : DbContext(options)
{
    public DbSet<ObservedAccount> ObservedAccounts => Set<ObservedAccount>();

    public DbSet<ObservedOrgAccount> OrgAccounts => Set<ObservedOrgAccount>();

    public DbSet<ObservedOu> Ous => Set<ObservedOu>();

    public DbSet<ObservedPolicy> Policies => Set<ObservedPolicy>();

    public DbSet<ObservedPolicyAttachment> PolicyAttachments => Set<ObservedPolicyAttachment>();

    public DbSet<ObservedOrgSetting> OrgSettings => Set<ObservedOrgSetting>();

    public DbSet<ObservedManagementGroup> ManagementGroups => Set<ObservedManagementGroup>();

    public DbSet<ObservedSubscription> Subscriptions => Set<ObservedSubscription>();

    public DbSet<ObservedPolicyAssignment> PolicyAssignments => Set<ObservedPolicyAssignment>();

    public DbSet<ObservedPolicyExemption> PolicyExemptions => Set<ObservedPolicyExemption>();

    public DbSet<Finding> Findings => Set<Finding>();

    public DbSet<BaselineRecord> BaselineVersions => Set<BaselineRecord>();

    public DbSet<Suppression> Suppressions => Set<Suppression>();

    public DbSet<GuardrailEvent> GuardrailEvents => Set<GuardrailEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(GovernanceDbContext).Assembly).AddOutbox();
}
