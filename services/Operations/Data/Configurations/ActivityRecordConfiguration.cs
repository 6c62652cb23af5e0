using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Operations.Data.Configurations;

public sealed class ActivityRecordConfiguration : IEntityTypeConfiguration<ActivityRecord>
{
    public void Configure(EntityTypeBuilder<ActivityRecord> builder)
    {
        builder.ToTable("activities");
        // The natural key: a source's event id is unique within its provider. The table is partitioned by time
        // (a day a partition, see ActivityPartitions), and PostgreSQL wants the partition key in every unique key,
        // so time joins it: a redelivered event carries the same time, lands in the same partition and still
        // collides with itself, so redelivery stores nothing twice.
        builder.HasKey(a => new { a.Provider, a.EventId, a.Time });
        // Identifiers compare byte by byte (collation "C"): their order means nothing linguistic, and every
        // insert walks the key indexes comparing them, where the database's default collation costs strcoll.
        builder.Property(a => a.Provider).HasMaxLength(16).UseCollation("C");
        builder.Property(a => a.EventId).HasMaxLength(256).UseCollation("C");
        builder.Property(a => a.Account).HasMaxLength(128).UseCollation("C");
        builder.Property(a => a.Region).HasMaxLength(64);
        builder.Property(a => a.Service).HasMaxLength(256);
        // The free-text search (q) matches a prefix of these four: with collation "C" a btree answers LIKE 'q%'.
        builder.Property(a => a.Operation).HasMaxLength(256).UseCollation("C");
        builder.Property(a => a.Actor).UseCollation("C");
        builder.Property(a => a.ResourceId).UseCollation("C");
        builder.Property(a => a.ErrorCode).UseCollation("C");
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
        // The keyset the activity list pages on (newest first), read backwards, and one index per filter the
        // portal pages through. Each costs every insert a descent, so they are narrow (time last, no key tail:
        // the list adds time <= cursor so a scan starts at the cursor, and sorts the few ties itself). Btrees
        // cost the ingest path little; a trigram index over the search columns cost it a third to a half
        // (README, "Activity store"), so q is a prefix search on btrees instead.
        builder.HasIndex(a => new { a.Time, a.Provider, a.EventId });
        // Provider and outcome ride along so an account's counts are an index-only scan.
        builder.HasIndex(a => new { a.Account, a.Time }).IncludeProperties(a => new { a.Provider, a.Outcome });
        builder.HasIndex(a => new { a.Account, a.Service, a.Time });
        builder.HasIndex(a => new { a.Service, a.Operation, a.Time });
        builder.HasIndex(a => new { a.Operation, a.Time });
        builder.HasIndex(a => new { a.Actor, a.Time });
        builder.HasIndex(a => new { a.ResourceId, a.Time });
        builder.HasIndex(a => new { a.ErrorCode, a.Time }).HasFilter("error_code IS NOT NULL");
    }
}
