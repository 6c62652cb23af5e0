using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Governance.Data.Configurations;

public sealed class ObservedManagementGroupConfiguration : IEntityTypeConfiguration<ObservedManagementGroup>
{
    public void Configure(EntityTypeBuilder<ObservedManagementGroup> builder)
    {
        builder.ToTable("observed_azure_management_groups");
        builder.HasKey(g => g.GroupId);
        builder.Property(g => g.GroupId).HasMaxLength(128).UseCollation("C");
        builder.Property(g => g.ParentId).HasMaxLength(128).UseCollation("C");
        builder.Property(g => g.Name).HasMaxLength(256);
        builder.Property(g => g.EventId).HasMaxLength(256).UseCollation("C");
    }
}

public sealed class ObservedSubscriptionConfiguration : IEntityTypeConfiguration<ObservedSubscription>
{
    public void Configure(EntityTypeBuilder<ObservedSubscription> builder)
    {
        builder.ToTable("observed_azure_subscriptions");
        builder.HasKey(s => s.SubscriptionId);
        builder.Property(s => s.SubscriptionId).HasMaxLength(64).UseCollation("C");
        builder.Property(s => s.ManagementGroupId).HasMaxLength(128).UseCollation("C");
        builder.Property(s => s.Name).HasMaxLength(256);
        builder.Property(s => s.EventId).HasMaxLength(256).UseCollation("C");
        builder.HasIndex(s => s.ManagementGroupId);
    }
}

public sealed class ObservedPolicyAssignmentConfiguration : IEntityTypeConfiguration<ObservedPolicyAssignment>
{
    public void Configure(EntityTypeBuilder<ObservedPolicyAssignment> builder)
    {
        builder.ToTable("observed_azure_policy_assignments");
        builder.HasKey(a => a.AssignmentId);
        builder.Property(a => a.AssignmentId).HasMaxLength(1024).UseCollation("C");
        builder.Property(a => a.Name).HasMaxLength(256);
        builder.Property(a => a.Scope).HasMaxLength(1024).UseCollation("C");
        builder.Property(a => a.DefinitionId).HasMaxLength(1024);
        builder.Property(a => a.EnforcementMode).HasMaxLength(32);
        builder.Property(a => a.Effect).HasMaxLength(64);
        builder.Property(a => a.EventId).HasMaxLength(256).UseCollation("C");
    }
}

public sealed class ObservedPolicyExemptionConfiguration : IEntityTypeConfiguration<ObservedPolicyExemption>
{
    public void Configure(EntityTypeBuilder<ObservedPolicyExemption> builder)
    {
        builder.ToTable("observed_azure_policy_exemptions");
        builder.HasKey(e => e.ExemptionId);
        builder.Property(e => e.ExemptionId).HasMaxLength(1024).UseCollation("C");
        builder.Property(e => e.Name).HasMaxLength(256);
        builder.Property(e => e.Scope).HasMaxLength(1024).UseCollation("C");
        builder.Property(e => e.AssignmentId).HasMaxLength(1024).UseCollation("C");
        builder.Property(e => e.Category).HasMaxLength(32);
        builder.Property(e => e.EventId).HasMaxLength(256).UseCollation("C");
    }
}
