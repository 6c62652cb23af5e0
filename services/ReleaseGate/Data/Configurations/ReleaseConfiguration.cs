using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.ReleaseGate.Data.Configurations;

public sealed class ReleaseConfiguration : IEntityTypeConfiguration<Release>
{
    public void Configure(EntityTypeBuilder<Release> builder)
    {
        builder.ToTable("releases");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Service).HasMaxLength(128);
        builder.Property(r => r.Environment).HasMaxLength(64);
        builder.Property(r => r.Version).HasMaxLength(128);
        builder.Property(r => r.Commit).HasMaxLength(64);
        builder.Property(r => r.PipelineRun).HasMaxLength(512);
        builder.Property(r => r.RegisteredBy).HasMaxLength(128);
        // A pipeline that retries its registration gets the same release back, not a second one.
        builder.HasIndex(r => new { r.Service, r.Environment, r.Version }).IsUnique();
        // The readiness board: the newest release per service × environment.
        builder.HasIndex(r => new { r.Service, r.Environment, r.RegisteredAt });
    }
}
