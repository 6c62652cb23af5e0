using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Gateway.Data.Configurations;

public sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Name).HasMaxLength(128);
        builder.HasIndex(k => k.Name).IsUnique();
        builder.Property(k => k.PrimaryHash).HasMaxLength(64);
        builder.Property(k => k.SecondaryHash).HasMaxLength(64);
        builder.Property(k => k.PrimaryPrefix).HasMaxLength(16);
        builder.Property(k => k.SecondaryPrefix).HasMaxLength(16);
        builder.Property(k => k.ManagedBy).HasMaxLength(16);
        builder.Property(k => k.CreatedBy).HasMaxLength(128);
        // Authentication looks keys up by the hash of what was presented, in either slot.
        builder.HasIndex(k => k.PrimaryHash).IsUnique();
        builder.HasIndex(k => k.SecondaryHash).IsUnique();
    }
}
