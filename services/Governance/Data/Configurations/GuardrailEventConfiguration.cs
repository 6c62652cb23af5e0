using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Governance.Data.Configurations;

public sealed class GuardrailEventConfiguration : IEntityTypeConfiguration<GuardrailEvent>
{
    public void Configure(EntityTypeBuilder<GuardrailEvent> builder)
    {
        builder.ToTable("guardrail_events");
        // Control ids belong to one provider, so (control, event id) is the natural key.
        builder.HasKey(e => new { e.ControlId, e.EventId });
        builder.Property(e => e.ControlId).HasMaxLength(64).UseCollation("C");
        builder.Property(e => e.EventId).HasMaxLength(256).UseCollation("C");
        builder.Property(e => e.Provider).HasMaxLength(16);
        builder.Property(e => e.Account).HasMaxLength(64);
        builder.Property(e => e.Outcome).HasMaxLength(16);
        builder.Property(e => e.Subject).HasMaxLength(300);
        builder.Property(e => e.Actor).HasMaxLength(512);
        builder.HasIndex(e => new { e.Outcome, e.ControlId });
    }
}
