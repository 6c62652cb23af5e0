using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.Governance.Data.Configurations;

public sealed class ObservedAccountConfiguration : IEntityTypeConfiguration<ObservedAccount>
{
    public void Configure(EntityTypeBuilder<ObservedAccount> builder)
    {
        builder.ToTable("observed_accounts");
        builder.HasKey(a => new { a.Provider, a.Account });
        builder.Property(a => a.Provider).HasMaxLength(16);
        builder.Property(a => a.Account).HasMaxLength(128);
        builder.Property(a => a.LastRegion).HasMaxLength(64);
    }
}
