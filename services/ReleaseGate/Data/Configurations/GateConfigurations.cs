using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlTower.ReleaseGate.Data.Configurations;

public sealed class PolicyVersionConfiguration : IEntityTypeConfiguration<PolicyVersion>
{
    public void Configure(EntityTypeBuilder<PolicyVersion> builder)
    {
        builder.ToTable("policy_versions");
        builder.HasKey(p => p.Hash);
        builder.Property(p => p.Hash).HasMaxLength(64);
        builder.Property(p => p.PolicyId).HasMaxLength(128);
        builder.Property(p => p.Source).HasMaxLength(512);
    }
}

public sealed class EvidenceRecordConfiguration : IEntityTypeConfiguration<EvidenceRecord>
{
    public void Configure(EntityTypeBuilder<EvidenceRecord> builder)
    {
        builder.ToTable("evidence");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasMaxLength(32);
        builder.Property(e => e.ContentKey).HasMaxLength(64);
        builder.Property(e => e.Digest).HasMaxLength(64);
        builder.Property(e => e.SmokeFormat).HasMaxLength(16);
        builder.Property(e => e.TapSuite).HasMaxLength(256);
        builder.Property(e => e.SubmittedBy).HasMaxLength(128);
        builder.HasOne<Release>().WithMany().HasForeignKey(e => e.ReleaseId).OnDelete(DeleteBehavior.Restrict);
        // A pipeline that posts the same thing twice (a retry) gets the first record back, not a second one.
        builder.HasIndex(e => new { e.ReleaseId, e.Kind, e.ContentKey }).IsUnique();
    }
}

public sealed class EvaluationConfiguration : IEntityTypeConfiguration<Evaluation>
{
    public void Configure(EntityTypeBuilder<Evaluation> builder)
    {
        builder.ToTable("evaluations");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.IdempotencyKey).HasMaxLength(200);
        builder.Property(e => e.RequestedBy).HasMaxLength(128);
        builder.Property(e => e.EvaluatorVersion).HasMaxLength(64);
        builder.Property(e => e.PolicyId).HasMaxLength(128);
        builder.Property(e => e.PolicyHash).HasMaxLength(64);
        builder.Property(e => e.RawOutcome).HasMaxLength(32);
        builder.Property(e => e.Decision).HasMaxLength(32);
        builder.Property(e => e.GitHub).HasMaxLength(32);
        builder.Property(e => e.CheckConclusion).HasMaxLength(32);
        builder.Property(e => e.Digest).HasMaxLength(64);
        builder.Property(e => e.Results).HasColumnType("jsonb");
        builder.HasOne<Release>().WithMany().HasForeignKey(e => e.ReleaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(e => new { e.ReleaseId, e.IdempotencyKey }).IsUnique();
        builder.HasIndex(e => new { e.ReleaseId, e.EvaluatedAt });
    }
}
