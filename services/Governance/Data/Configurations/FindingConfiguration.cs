using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Governance.Data.Configurations;

public sealed class FindingConfiguration : IEntityTypeConfiguration<Finding>
{
    public void Configure(EntityTypeBuilder<Finding> builder)
    {
        builder.ToTable("findings");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Kind).HasMaxLength(16).HasDefaultValue(Finding.Drift);
        builder.Property(f => f.Type).HasMaxLength(64).UseCollation("C");
        builder.Property(f => f.Subject).HasMaxLength(300).UseCollation("C");
        builder.Property(f => f.Status).HasMaxLength(16);
        builder.Property(f => f.Severity).HasMaxLength(16);
        builder.Property(f => f.EvidenceEventId).HasMaxLength(256);
        builder.Property(f => f.EvidenceEventIds).HasDefaultValueSql("'{}'::text[]");
        builder.Property(f => f.Provider).HasMaxLength(16);
        builder.Property(f => f.Account).HasMaxLength(64);
        // One finding per drift or control and subject, whatever its state: it reopens rather than repeats.
        // Drift types and control ids never coincide, so the type alone tells the kinds apart here.
        builder.HasIndex(f => new { f.Type, f.Subject }).IsUnique();
        builder.HasIndex(f => new { f.Status, f.LastDetectedAt });
        builder.HasIndex(f => new { f.Kind, f.Status });
    }
}
