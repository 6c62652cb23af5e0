using Microsoft.EntityFrameworkCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A message to publish once the transaction that wrote it commits: the shared outbox of every service that
/// changes its database in an HTTP request and must announce it (ARCHITECTURE.md, Messaging). The relay
/// publishes rows in id order and deletes each once the broker confirmed it.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }

    /// <summary>The message's .NET type, as <c>Namespace.Name, Assembly</c>.</summary>
    public required string MessageType { get; set; }

    /// <summary>The message as JSON.</summary>
    public required string Body { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Failed publish attempts so far (the relay keeps trying; this shows a stuck row).</summary>
    public int Attempts { get; set; }
}

public static class OutboxModelExtensions
{
    /// <summary>Maps the outbox table (<c>outbox_messages</c>) into a service's model; its migrations then create it.</summary>
    public static ModelBuilder AddOutbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable("outbox_messages");
            outbox.HasKey(m => m.Id);
            outbox.Property(m => m.Id).UseIdentityAlwaysColumn();
            outbox.Property(m => m.MessageType).HasMaxLength(500);
            outbox.Property(m => m.Body).HasColumnType("jsonb");
        });
        return modelBuilder;
    }
}
