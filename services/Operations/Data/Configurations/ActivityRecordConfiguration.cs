using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Operations.Data.Configurations;

public sealed class ActivityRecordConfiguration : IEntityTypeConfiguration<ActivityRecord>
{
    public void Configure(EntityTypeBuilder<ActivityRecord> builder)
    {
        builder.ToTable("activities");
        // The natural key: a source's event id is unique within its provider, so redelivery stores nothing twice.
        builder.HasKey(a => new { a.Provider, a.EventId });
        // Identifiers compare byte by byte (collation "C"): their order means nothing linguistic, and every
        // insert walks the key indexes comparing them, where the database's default collation costs strcoll.
        builder.Property(a => a.Provider).HasMaxLength(16).UseCollation("C");
        builder.Property(a => a.EventId).HasMaxLength(256).UseCollation("C");
        builder.Property(a => a.Account).HasMaxLength(128).UseCollation("C");
        builder.Property(a => a.Region).HasMaxLength(64);
        builder.Property(a => a.Service).HasMaxLength(256);
        builder.Property(a => a.Operation).HasMaxLength(256);
        builder.Property(a => a.Outcome).HasMaxLength(16);
        // The raw record is evidence, read back whole and rarely, and valid JSON by construction (the collector
        // parsed it): text keeps it as sent without parsing it again, and the migration has PostgreSQL compress
        // it (lz4) even in short rows.
        builder.Property(a => a.Raw).HasColumnType("text");
        builder.Property(a => a.Identity).HasColumnType("jsonb");
        builder.Property(a => a.Resources).HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
        builder.Property(a => a.Anomalies).HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
        builder.Property(a => a.EventCategory).HasMaxLength(32);
        builder.Property(a => a.EventVersion).HasMaxLength(16);
        builder.Property(a => a.RecipientAccount).HasMaxLength(128);
        builder.Property(a => a.OrganizationId).HasMaxLength(64);
        builder.Property(a => a.Source).HasMaxLength(128);
        builder.Property(a => a.ResourceGroup).HasMaxLength(128);
        builder.Property(a => a.CorrelationId).HasMaxLength(128);
        builder.Property(a => a.Level).HasMaxLength(32);
        // The keyset the activity list pages on (newest first), read backwards. Each index costs every insert a
        // descent, so there is none until a query needs it (an account filter comes with the portal's).
        builder.HasIndex(a => new { a.Time, a.Provider, a.EventId });
    }
}
