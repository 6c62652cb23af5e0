using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Governance.Data.Configurations;

public sealed class SuppressionConfiguration : IEntityTypeConfiguration<Suppression>
{
    public void Configure(EntityTypeBuilder<Suppression> builder)
    {
        builder.ToTable("suppressions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Type).HasMaxLength(128).UseCollation("C");
        builder.Property(s => s.Subject).HasMaxLength(300).UseCollation("C");
        builder.Property(s => s.Reason).HasMaxLength(1000);
        builder.Property(s => s.CreatedBy).HasMaxLength(256);
        builder.Property(s => s.LiftedBy).HasMaxLength(256);
        // The ones whose end is still to be handled, found by the sweep.
        builder.HasIndex(s => s.ExpiresAt).HasFilter("end_handled_at IS NULL");
    }
}
