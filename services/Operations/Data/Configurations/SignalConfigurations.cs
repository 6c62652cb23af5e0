using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Operations.Data.Configurations;

public sealed class SignalRecordConfiguration : IEntityTypeConfiguration<SignalRecord>
{
    public void Configure(EntityTypeBuilder<SignalRecord> builder)
    {
        builder.ToTable("signals");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).UseIdentityAlwaysColumn();
        builder.Property(s => s.Kind).HasMaxLength(32).UseCollation("C");
        builder.Property(s => s.DedupKey).HasMaxLength(255).UseCollation("C");
        builder.Property(s => s.Title).HasMaxLength(512);
        builder.Property(s => s.Summary).HasColumnType("text");
        builder.Property(s => s.Severity).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.OriginalSeverity).HasMaxLength(32);
        builder.Property(s => s.Provider).HasMaxLength(16);
        builder.Property(s => s.Account).HasMaxLength(128).UseCollation("C");
        builder.Property(s => s.Resource).HasMaxLength(1024);
        builder.Property(s => s.Environment).HasMaxLength(64);
        builder.Property(s => s.Owner).HasMaxLength(256);
        builder.Property(s => s.Team).HasMaxLength(128);
        builder.Property(s => s.Condition).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Classification).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Details).HasColumnType("jsonb");
        builder.Property(s => s.Version).IsConcurrencyToken();
        builder.Ignore(s => s.State);
        // The current signal of a dedup key is its newest row.
        builder.HasIndex(s => new { s.DedupKey, s.Id });
        builder.HasIndex(s => new { s.Status, s.Id });
        builder.HasIndex(s => new { s.Owner, s.Id });
        builder.HasIndex(s => new { s.Account, s.Id });
        builder.HasIndex(s => new { s.IncidentId, s.Id });
        // The sweep: snoozes and suppressions that end.
        builder.HasIndex(s => s.Until).HasFilter("until IS NOT NULL");
    }
}

public sealed class SignalObservationRecordConfiguration : IEntityTypeConfiguration<SignalObservationRecord>
{
    public void Configure(EntityTypeBuilder<SignalObservationRecord> builder)
    {
        builder.ToTable("signal_observations");
        builder.HasKey(o => new { o.DedupKey, o.ObservationId });
        builder.Property(o => o.DedupKey).HasMaxLength(255).UseCollation("C");
        builder.Property(o => o.ObservationId).HasMaxLength(600).UseCollation("C");
    }
}

public sealed class IncidentRecordConfiguration : IEntityTypeConfiguration<IncidentRecord>
{
    public void Configure(EntityTypeBuilder<IncidentRecord> builder)
    {
        builder.ToTable("incidents");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).UseIdentityAlwaysColumn();
        builder.Property(i => i.GroupKey).HasMaxLength(600).UseCollation("C");
        builder.Property(i => i.Title).HasMaxLength(512);
        builder.Property(i => i.Status).HasMaxLength(16);
        builder.Property(i => i.Version).IsConcurrencyToken();
        builder.HasIndex(i => new { i.GroupKey, i.LastSeen });
        builder.HasIndex(i => new { i.Status, i.Id });
    }
}

public sealed class TimelineEntryRecordConfiguration : IEntityTypeConfiguration<TimelineEntryRecord>
{
    public void Configure(EntityTypeBuilder<TimelineEntryRecord> builder)
    {
        builder.ToTable("timeline_entries");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).UseIdentityAlwaysColumn();
        builder.Property(t => t.TargetType).HasMaxLength(16);
        builder.Property(t => t.Actor).HasMaxLength(256);
        builder.Property(t => t.Type).HasMaxLength(32);
        builder.Property(t => t.From).HasMaxLength(256);
        builder.Property(t => t.To).HasMaxLength(256);
        builder.Property(t => t.Text).HasColumnType("text");
        builder.HasIndex(t => new { t.TargetType, t.TargetId, t.Id });
    }
}

public sealed class AuditEntryRecordConfiguration : IEntityTypeConfiguration<AuditEntryRecord>
{
    public void Configure(EntityTypeBuilder<AuditEntryRecord> builder)
    {
        builder.ToTable("audit_log");
        builder.HasKey(a => a.Seq);
        builder.Property(a => a.Seq).UseIdentityAlwaysColumn();
        builder.HasIndex(a => a.Id).IsUnique();
        builder.Property(a => a.Actor).HasMaxLength(256);
        builder.Property(a => a.ActorKind).HasMaxLength(16);
        builder.Property(a => a.Action).HasMaxLength(512);
        builder.Property(a => a.TargetType).HasMaxLength(32);
        builder.Property(a => a.TargetId).HasMaxLength(512);
        builder.Property(a => a.Before).HasColumnType("text");
        builder.Property(a => a.After).HasColumnType("text");
        builder.Property(a => a.ClientAddress).HasMaxLength(64);
        builder.Property(a => a.Reason).HasColumnType("text");
        builder.Property(a => a.TraceId).HasMaxLength(64);
        builder.Property(a => a.Origin).HasMaxLength(16);
        builder.HasIndex(a => new { a.At, a.Seq });
        builder.HasIndex(a => new { a.Actor, a.At });
        builder.HasIndex(a => new { a.TargetType, a.TargetId, a.At });
    }
}

public sealed class DirectoryAccountRecordConfiguration : IEntityTypeConfiguration<DirectoryAccountRecord>
{
    public void Configure(EntityTypeBuilder<DirectoryAccountRecord> builder)
    {
        builder.ToTable("directory_accounts");
        builder.HasKey(a => new { a.Provider, a.Account });
        builder.Property(a => a.Provider).HasMaxLength(16).UseCollation("C");
        builder.Property(a => a.Account).HasMaxLength(128).UseCollation("C");
        builder.Property(a => a.Name).HasMaxLength(256);
        builder.Property(a => a.Owner).HasMaxLength(256);
        builder.Property(a => a.Team).HasMaxLength(128);
        builder.Property(a => a.Environment).HasMaxLength(64);
        builder.HasIndex(a => a.Account);
    }
}

public sealed class ActivityRuleCounterRecordConfiguration : IEntityTypeConfiguration<ActivityRuleCounterRecord>
{
    public void Configure(EntityTypeBuilder<ActivityRuleCounterRecord> builder)
    {
        builder.ToTable("activity_rule_counters");
        builder.HasKey(c => new { c.Key, c.WindowStart });
        builder.Property(c => c.Key).HasMaxLength(600).UseCollation("C");
    }
}

public sealed class SuppressionRecordConfiguration : IEntityTypeConfiguration<SuppressionRecord>
{
    public void Configure(EntityTypeBuilder<SuppressionRecord> builder)
    {
        builder.ToTable("suppressions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).UseIdentityAlwaysColumn();
        builder.Property(s => s.Kind).HasMaxLength(32).UseCollation("C");
        builder.Property(s => s.Account).HasMaxLength(128).UseCollation("C");
        builder.Property(s => s.Severity).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Team).HasMaxLength(128);
        builder.Property(s => s.DedupKeyPrefix).HasMaxLength(255).UseCollation("C");
        builder.Property(s => s.Reason).HasColumnType("text");
        builder.Property(s => s.CreatedBy).HasMaxLength(256);
        builder.HasIndex(s => s.EndsAt);
    }
}
