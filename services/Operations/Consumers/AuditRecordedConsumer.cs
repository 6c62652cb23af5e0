using ControlTower.Contracts.Audit;
using ControlTower.Operations.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Operations.Consumers;

/// <summary>The gateway's record of a write, into the same audit log; idempotent by its id.</summary>
public sealed class AuditRecordedConsumer(OperationsDbContext db) : IConsumer<AuditRecorded>
{
    public async Task Consume(ConsumeContext<AuditRecorded> context)
    {
        var a = context.Message;
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO audit_log (id, at, actor, actor_kind, action, target_type, target_id, client_address, reason, status, trace_id, origin)
            VALUES ({a.Id}, {a.At.ToUniversalTime()}, {Cut(a.Actor, 256)}, {Cut(a.ActorKind, 16)}, {Cut(a.Action, 512)}, {(a.Route is null ? null : "route")},
                    {Cut(a.Route, 512)}, {Cut(a.ClientAddress, 64)}, {a.Reason}, {a.Status}, {Cut(a.TraceId, 64)}, 'gateway')
            ON CONFLICT (id) DO NOTHING
            """, context.CancellationToken);
    }

    private static string? Cut(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
