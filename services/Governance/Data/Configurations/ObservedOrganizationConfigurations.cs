using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Governance.Data.Configurations;

public sealed class ObservedOrgAccountConfiguration : IEntityTypeConfiguration<ObservedOrgAccount>
{
    public void Configure(EntityTypeBuilder<ObservedOrgAccount> builder)
    {
        builder.ToTable("observed_org_accounts");
        builder.HasKey(a => a.AccountId);
        builder.Property(a => a.AccountId).HasMaxLength(32).UseCollation("C");
        builder.Property(a => a.ParentId).HasMaxLength(128).UseCollation("C");
        builder.Property(a => a.ParentEventId).HasMaxLength(256).UseCollation("C");
        builder.Property(a => a.MemberEventId).HasMaxLength(256).UseCollation("C");
        builder.Property(a => a.Name).HasMaxLength(256);
        builder.HasIndex(a => a.ParentId);
    }
}

public sealed class ObservedOuConfiguration : IEntityTypeConfiguration<ObservedOu>
{
    public void Configure(EntityTypeBuilder<ObservedOu> builder)
    {
        builder.ToTable("observed_ous");
        builder.HasKey(o => o.OuId);
        builder.Property(o => o.OuId).HasMaxLength(128).UseCollation("C");
        builder.Property(o => o.ParentId).HasMaxLength(128).UseCollation("C");
        builder.Property(o => o.Name).HasMaxLength(256);
        builder.Property(o => o.EventId).HasMaxLength(256).UseCollation("C");
    }
}

public sealed class ObservedPolicyConfiguration : IEntityTypeConfiguration<ObservedPolicy>
{
    public void Configure(EntityTypeBuilder<ObservedPolicy> builder)
    {
        builder.ToTable("observed_policies");
        builder.HasKey(p => p.PolicyId);
        builder.Property(p => p.PolicyId).HasMaxLength(128).UseCollation("C");
        builder.Property(p => p.Name).HasMaxLength(256);
        builder.Property(p => p.Type).HasMaxLength(64);
        builder.Property(p => p.Content).HasColumnType("text");
        builder.Property(p => p.EventId).HasMaxLength(256).UseCollation("C");
    }
}

public sealed class ObservedPolicyAttachmentConfiguration : IEntityTypeConfiguration<ObservedPolicyAttachment>
{
    public void Configure(EntityTypeBuilder<ObservedPolicyAttachment> builder)
    {
        builder.ToTable("observed_policy_attachments");
        builder.HasKey(a => new { a.PolicyId, a.TargetId });
        builder.Property(a => a.PolicyId).HasMaxLength(128).UseCollation("C");
        builder.Property(a => a.TargetId).HasMaxLength(128).UseCollation("C");
        builder.Property(a => a.EventId).HasMaxLength(256).UseCollation("C");
        builder.HasIndex(a => a.TargetId);
    }
}

public sealed class ObservedOrgSettingConfiguration : IEntityTypeConfiguration<ObservedOrgSetting>
{
    public void Configure(EntityTypeBuilder<ObservedOrgSetting> builder)
    {
        builder.ToTable("observed_org_settings");
        builder.HasKey(s => s.Key);
        builder.Property(s => s.Key).HasMaxLength(256).UseCollation("C");
        builder.Property(s => s.EventId).HasMaxLength(256).UseCollation("C");
    }
}
