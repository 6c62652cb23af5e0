using ControlTower.Operations.Data;
using ControlTower.Operations.Signals;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlTower.Operations.Incidents;

/// <summary>Puts a new signal into the open incident of its group (same keys, last signal within the window), or a new one.</summary>
public sealed class IncidentGrouping(OperationsDbContext db, IOptions<SignalsOptions> options)
{
    public const string Open = "open";
    public const string Resolved = "resolved";
    public const string Merged = "merged";

    public static string GroupKey(SignalRecord signal, IReadOnlyList<string> keys) =>
        string.Join('|', keys.Select(k => k + "=" + (k switch
        {
            "account" => signal.Account,
            "kind" => signal.Kind,
            "provider" => signal.Provider,
            "environment" => signal.Environment,
            "team" => signal.Team,
            "severity" => SignalKeys.Name(signal.Severity),
            _ => null,
        } ?? "-")));

    /// <summary>Inside the caller's transaction; the signal must have its id.</summary>
    public async Task AssignAsync(SignalRecord signal, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = GroupKey(signal, options.Value.EffectiveIncidentKeys);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 1))", cancellationToken);
        var since = signal.FirstSeen - options.Value.IncidentWindow;
        var incident = await db.Incidents
            .Where(i => i.GroupKey == key && i.Status == Open && i.LastSeen >= since)
            .OrderByDescending(i => i.Id).FirstOrDefaultAsync(cancellationToken);
        if (incident is null)
        {
            incident = new IncidentRecord
            {
                GroupKey = key,
                Title = signal.Title,
                Status = Open,
                FirstSeen = signal.FirstSeen,
                LastSeen = signal.FirstSeen,
                Version = 1,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Incidents.Add(incident);
            await db.SaveChangesAsync(cancellationToken);
            db.Timeline.Add(Timeline.Entry(Timeline.Incident, incident.Id, now, "system", "created", text: key));
        }
        else
        {
            incident.LastSeen = signal.FirstSeen > incident.LastSeen ? signal.FirstSeen : incident.LastSeen;
            incident.Version++;
            incident.UpdatedAt = now;
        }
        signal.IncidentId = incident.Id;
        db.Timeline.Add(Timeline.Entry(Timeline.Incident, incident.Id, now, "system", "signal-added", to: signal.Id.ToString(), text: signal.Title));
        db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, "system", "grouped", to: incident.Id.ToString()));
    }

    /// <summary>Derives each incident's status from its signals: resolved once none is open, open again when one is.</summary>
    public static Task RefreshAsync(OperationsDbContext db, IReadOnlyCollection<long> incidentIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (incidentIds.Count == 0)
        {
            return Task.CompletedTask;
        }
        var ids = incidentIds.Distinct().ToArray();
        return db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE incidents i SET status = d.status, version = i.version + 1, updated_at = {now}
            FROM (SELECT x.id, CASE WHEN EXISTS (SELECT 1 FROM signals s WHERE s.incident_id = x.id AND s.status NOT IN ('Resolved', 'Closed'))
                                    OR NOT EXISTS (SELECT 1 FROM signals s WHERE s.incident_id = x.id)
                               THEN 'open' ELSE 'resolved' END AS status
                  FROM incidents x WHERE x.id = ANY({ids})) d
            WHERE i.id = d.id AND i.status <> 'merged' AND i.status <> d.status
            """, cancellationToken);
    }
}
