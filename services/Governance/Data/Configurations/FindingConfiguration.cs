using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Governance.Data.Configurations;

public sealed class FindingConfiguration : IEntityTypeConfiguration<Finding>
{
    public void Configure(EntityTypeBuilder<Finding> builder)
    {
        builder.ToTable("findings");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Type).HasMaxLength(64).UseCollation("C");
        builder.Property(f => f.Subject).HasMaxLength(300).UseCollation("C");
        builder.Property(f => f.Status).HasMaxLength(16);
        builder.Property(f => f.Severity).HasMaxLength(16);
        builder.Property(f => f.EvidenceEventId).HasMaxLength(256);
        // One finding per drift and subject, whatever its state: it reopens rather than repeats.
        builder.HasIndex(f => new { f.Type, f.Subject }).IsUnique();
        builder.HasIndex(f => new { f.Status, f.LastDetectedAt });
    }
}
