using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Governance.Data.Configurations;

public sealed class BaselineRecordConfiguration : IEntityTypeConfiguration<BaselineRecord>
{
    public void Configure(EntityTypeBuilder<BaselineRecord> builder)
    {
        builder.ToTable("baseline_versions");
        builder.HasKey(b => b.Version);
        builder.Property(b => b.Version).UseIdentityAlwaysColumn();
        builder.Property(b => b.Hash).HasMaxLength(64);
        builder.Property(b => b.Origin).HasMaxLength(8);
        builder.Property(b => b.Source).HasMaxLength(1000);
        builder.Property(b => b.Reason).HasMaxLength(1000);
        builder.Property(b => b.Files).HasColumnType("jsonb");
        builder.Property(b => b.Changes).HasColumnType("jsonb");
        builder.HasIndex(b => new { b.Origin, b.Version });
    }
}
