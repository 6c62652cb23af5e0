using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.ReleaseGate.Data.Configurations;

public sealed class GovernanceFindingConfiguration : IEntityTypeConfiguration<GovernanceFinding>
{
    public void Configure(EntityTypeBuilder<GovernanceFinding> builder)
    {
        builder.ToTable("governance_findings");
        builder.HasKey(f => f.FindingId);
        builder.Property(f => f.FindingId).ValueGeneratedNever();
        builder.Property(f => f.Kind).HasMaxLength(16);
        builder.Property(f => f.Type).HasMaxLength(128).UseCollation("C");
        builder.Property(f => f.Subject).HasMaxLength(600).UseCollation("C");
        builder.Property(f => f.Scope).HasMaxLength(64).UseCollation("C");
        builder.Property(f => f.Severity).HasMaxLength(16);
        builder.HasIndex(f => new { f.Scope, f.Open });
    }
}
