using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Operations.Data.Configurations;

public sealed class AlertRecordConfiguration : IEntityTypeConfiguration<AlertRecord>
{
    public void Configure(EntityTypeBuilder<AlertRecord> builder)
    {
        builder.ToTable("alerts");
        // One row per alert instance: the fired and resolved notifications of an alert share its id.
        builder.HasKey(a => new { a.Provider, a.AlertId });
        builder.Property(a => a.Provider).HasMaxLength(16).UseCollation("C");
        builder.Property(a => a.AlertId).HasMaxLength(512).UseCollation("C");
        builder.Property(a => a.Condition).HasMaxLength(16);
        builder.Property(a => a.Rule).HasMaxLength(512);
        builder.Property(a => a.Severity).HasMaxLength(16);
        builder.Property(a => a.SignalType).HasMaxLength(64);
        builder.Property(a => a.MonitoringService).HasMaxLength(128);
        builder.Property(a => a.Account).HasMaxLength(128).UseCollation("C");
        builder.Property(a => a.ResourceGroup).HasMaxLength(128);
        builder.Property(a => a.ResourceType).HasMaxLength(256);
        builder.Property(a => a.Targets).HasColumnType("jsonb");
        builder.Property(a => a.ConfigurationItems).HasColumnType("jsonb");
        builder.Property(a => a.Anomalies).HasColumnType("jsonb");
        builder.Property(a => a.RawFired).HasColumnType("text");
        builder.Property(a => a.RawResolved).HasColumnType("text");
        builder.Property(a => a.Source).HasMaxLength(128);
        // The list: newest first, open ones on their own.
        builder.HasIndex(a => new { a.FiredAt, a.Provider, a.AlertId });
        builder.HasIndex(a => new { a.Condition, a.FiredAt });
    }
}
