using ControlTower.Governance.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ControlTower.Governance.Observed;

/// <summary>
/// Applies <see cref="OrganizationChange"/>s to the observed organisation (AWS) and estate (Azure). Each statement changes a row only
/// when its (time, event id) is newer than the one that last set it, so applying changes in any order, any
/// number of times, ends in the same state: the latest event's.
/// </summary>
public sealed class ObservedOrganizationStore(GovernanceDbContext db)
{
    // "newer": the change's stamp is after the row's, compared as (time, event id) so that ties are settled alike everywhere.
    private const string AccountMovedSql = """
        INSERT INTO observed_org_accounts AS t (account_id, parent_id, parent_at, parent_event_id)
        VALUES (@id, @value, @at, @event)
        ON CONFLICT (account_id) DO UPDATE SET parent_id = excluded.parent_id, parent_at = excluded.parent_at, parent_event_id = excluded.parent_event_id
        WHERE t.parent_at IS NULL OR (t.parent_at, t.parent_event_id) < (excluded.parent_at, excluded.parent_event_id)
        """;

    private const string MembershipSql = """
        INSERT INTO observed_org_accounts AS t (account_id, member, name, member_at, member_event_id)
        VALUES (@id, @flag, @name, @at, @event)
        ON CONFLICT (account_id) DO UPDATE SET
            member = CASE WHEN t.member_at IS NULL OR (t.member_at, t.member_event_id) < (excluded.member_at, excluded.member_event_id)
                          THEN excluded.member ELSE t.member END,
            name = COALESCE(excluded.name, t.name),
            member_at = GREATEST(t.member_at, excluded.member_at),
            member_event_id = CASE WHEN t.member_at IS NULL OR (t.member_at, t.member_event_id) < (excluded.member_at, excluded.member_event_id)
                                   THEN excluded.member_event_id ELSE t.member_event_id END
        """;

    // Names and parents are filled from any event that has them; what can change (deletion) follows the newest.
    private const string OuSql = """
        INSERT INTO observed_ous AS t (ou_id, name, parent_id, deleted, changed_at, event_id)
        VALUES (@id, @name, @parent, @flag, @at, @event)
        ON CONFLICT (ou_id) DO UPDATE SET
            name = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                        THEN COALESCE(excluded.name, t.name) ELSE COALESCE(t.name, excluded.name) END,
            parent_id = COALESCE(t.parent_id, excluded.parent_id),
            deleted = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.deleted ELSE t.deleted END,
            changed_at = GREATEST(t.changed_at, excluded.changed_at),
            event_id = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.event_id ELSE t.event_id END
        """;

    private const string PolicySql = """
        INSERT INTO observed_policies AS t (policy_id, name, type, content, deleted, changed_at, event_id)
        VALUES (@id, @name, @type, @content, @flag, @at, @event)
        ON CONFLICT (policy_id) DO UPDATE SET
            name = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                        THEN COALESCE(excluded.name, t.name) ELSE COALESCE(t.name, excluded.name) END,
            type = COALESCE(t.type, excluded.type),
            content = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                           THEN COALESCE(excluded.content, t.content) ELSE COALESCE(t.content, excluded.content) END,
            deleted = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.deleted ELSE t.deleted END,
            changed_at = GREATEST(t.changed_at, excluded.changed_at),
            event_id = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.event_id ELSE t.event_id END
        """;

    private const string AttachmentSql = """
        INSERT INTO observed_policy_attachments AS t (policy_id, target_id, attached, changed_at, event_id)
        VALUES (@id, @value, @flag, @at, @event)
        ON CONFLICT (policy_id, target_id) DO UPDATE SET attached = excluded.attached, changed_at = excluded.changed_at, event_id = excluded.event_id
        WHERE (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
        """;

    private const string SettingSql = """
        INSERT INTO observed_org_settings AS t (key, enabled, changed_at, event_id)
        VALUES (@id, @flag, @at, @event)
        ON CONFLICT (key) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at, event_id = excluded.event_id
        WHERE (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
        """;

    // Azure: where a subscription sits follows the latest placement (a removal included), whatever the order.
    private const string SubscriptionSql = """
        INSERT INTO observed_azure_subscriptions AS t (subscription_id, name, management_group_id, removed, changed_at, event_id)
        VALUES (@id, @name, @value, @flag, @at, @event)
        ON CONFLICT (subscription_id) DO UPDATE SET
            name = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                        THEN COALESCE(excluded.name, t.name) ELSE COALESCE(t.name, excluded.name) END,
            management_group_id = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                                       THEN excluded.management_group_id ELSE t.management_group_id END,
            removed = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.removed ELSE t.removed END,
            changed_at = GREATEST(t.changed_at, excluded.changed_at),
            event_id = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.event_id ELSE t.event_id END
        """;

    // Management groups can move (a write with another parent), so the parent follows the newest event that names one.
    private const string ManagementGroupSql = """
        INSERT INTO observed_azure_management_groups AS t (group_id, name, parent_id, deleted, changed_at, event_id)
        VALUES (@id, @name, @parent, @flag, @at, @event)
        ON CONFLICT (group_id) DO UPDATE SET
            name = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                        THEN COALESCE(excluded.name, t.name) ELSE COALESCE(t.name, excluded.name) END,
            parent_id = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                             THEN COALESCE(excluded.parent_id, t.parent_id) ELSE COALESCE(t.parent_id, excluded.parent_id) END,
            deleted = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.deleted ELSE t.deleted END,
            changed_at = GREATEST(t.changed_at, excluded.changed_at),
            event_id = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.event_id ELSE t.event_id END
        """;

    // What a write names (definition, mode, effect) follows the newest event that names it; a write without a body changes none of it.
    private const string AssignmentSql = """
        INSERT INTO observed_azure_policy_assignments AS t (assignment_id, name, scope, definition_id, enforcement_mode, effect, deleted, changed_at, event_id)
        VALUES (@id, @name, @scope, @content, @mode, @type, @flag, @at, @event)
        ON CONFLICT (assignment_id) DO UPDATE SET
            definition_id = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                                 THEN COALESCE(excluded.definition_id, t.definition_id) ELSE COALESCE(t.definition_id, excluded.definition_id) END,
            enforcement_mode = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                                    THEN COALESCE(excluded.enforcement_mode, t.enforcement_mode) ELSE COALESCE(t.enforcement_mode, excluded.enforcement_mode) END,
            effect = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                          THEN COALESCE(excluded.effect, t.effect) ELSE COALESCE(t.effect, excluded.effect) END,
            deleted = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.deleted ELSE t.deleted END,
            changed_at = GREATEST(t.changed_at, excluded.changed_at),
            event_id = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.event_id ELSE t.event_id END
        """;

    private const string ExemptionSql = """
        INSERT INTO observed_azure_policy_exemptions AS t (exemption_id, name, scope, assignment_id, category, expires_on, deleted, changed_at, event_id)
        VALUES (@id, @name, @scope, @value, @type, @expires, @flag, @at, @event)
        ON CONFLICT (exemption_id) DO UPDATE SET
            assignment_id = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                                 THEN COALESCE(excluded.assignment_id, t.assignment_id) ELSE COALESCE(t.assignment_id, excluded.assignment_id) END,
            category = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                            THEN COALESCE(excluded.category, t.category) ELSE COALESCE(t.category, excluded.category) END,
            expires_on = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id)
                              THEN COALESCE(excluded.expires_on, t.expires_on) ELSE COALESCE(t.expires_on, excluded.expires_on) END,
            deleted = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.deleted ELSE t.deleted END,
            changed_at = GREATEST(t.changed_at, excluded.changed_at),
            event_id = CASE WHEN (t.changed_at, t.event_id) < (excluded.changed_at, excluded.event_id) THEN excluded.event_id ELSE t.event_id END
        """;

    /// <summary>
    /// Applies the changes and then runs <paramref name="afterApply"/> (the drift check) in the same transaction,
    /// under a lock that every writer of the organisation takes: what the check reads is exactly the state the
    /// changes made, and no other batch can commit half-way through it.
    /// </summary>
    public Task ApplyAsync(IReadOnlyList<OrganizationChange> changes, Func<CancellationToken, Task> afterApply, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return Task.CompletedTask;
        }
        return db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await LockAsync(db, transaction, cancellationToken);
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            var npgsqlTransaction = (NpgsqlTransaction)transaction.GetDbTransaction();
            await ApplyInTransactionAsync(changes, connection, npgsqlTransaction, cancellationToken);
            await afterApply(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
    }

    /// <summary>
    /// Applies an inventory snapshot's changes, then marks what it no longer lists as gone (each row only where
    /// the snapshot is newer than what last set it), then runs <paramref name="afterApply"/>: one transaction under
    /// the lock of every writer, as for events. Returns how many rows were marked gone.
    /// </summary>
    public Task<int> ApplySnapshotAsync(IReadOnlyList<OrganizationChange> changes, IReadOnlyList<SnapshotAbsence> absences, DateTimeOffset at, string snapshotId,
        Func<CancellationToken, Task> afterApply, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await LockAsync(db, transaction, cancellationToken);
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            var npgsqlTransaction = (NpgsqlTransaction)transaction.GetDbTransaction();
            await ApplyInTransactionAsync(changes, connection, npgsqlTransaction, cancellationToken);
            var marked = 0;
            foreach (var absence in absences)
            {
                await using var sweep = new NpgsqlCommand(AbsenceSql(absence.Kind), connection, npgsqlTransaction);
                sweep.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", NpgsqlDbType.TimestampTz) { TypedValue = at.ToUniversalTime() });
                sweep.Parameters.Add(new NpgsqlParameter<string>("event", NpgsqlDbType.Text) { TypedValue = snapshotId });
                sweep.Parameters.Add(new NpgsqlParameter<string[]>("present", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. absence.Present] });
                sweep.Parameters.Add(new NpgsqlParameter<string[]>("scope", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. absence.Scope ?? []] });
                marked += await sweep.ExecuteNonQueryAsync(cancellationToken);
            }
            await afterApply(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return marked;
        });

    // Each marks gone, as of the snapshot, the rows of its kind the snapshot does not list and no later event set.
    private static string AbsenceSql(SnapshotKind kind) => kind switch
    {
        SnapshotKind.Accounts => """
            UPDATE observed_org_accounts SET member = false, member_at = @at, member_event_id = @event
            WHERE member IS DISTINCT FROM false AND (member_at IS NULL OR (member_at, member_event_id) < (@at, @event))
              AND NOT (account_id = ANY(@present))
            """,
        SnapshotKind.OrganizationalUnits => """
            UPDATE observed_ous SET deleted = true, changed_at = @at, event_id = @event
            WHERE NOT deleted AND (changed_at, event_id) < (@at, @event) AND NOT (ou_id = ANY(@present))
            """,
        SnapshotKind.Policies => """
            UPDATE observed_policies SET deleted = true, changed_at = @at, event_id = @event
            WHERE NOT deleted AND (changed_at, event_id) < (@at, @event) AND NOT (policy_id = ANY(@present))
              AND (type IS NULL OR type = ANY(@scope))
            """,
        SnapshotKind.PolicyAttachments => """
            UPDATE observed_policy_attachments AS a SET attached = false, changed_at = @at, event_id = @event
            WHERE attached AND (changed_at, event_id) < (@at, @event) AND NOT ((policy_id || '|' || target_id) = ANY(@present))
              AND NOT EXISTS (SELECT 1 FROM observed_policies p WHERE p.policy_id = a.policy_id AND p.type IS NOT NULL AND NOT (p.type = ANY(@scope)))
            """,
        SnapshotKind.Settings => """
            UPDATE observed_org_settings SET enabled = false, changed_at = @at, event_id = @event
            WHERE enabled AND (changed_at, event_id) < (@at, @event) AND NOT (key = ANY(@present))
            """,
        SnapshotKind.ManagementGroups => """
            UPDATE observed_azure_management_groups SET deleted = true, changed_at = @at, event_id = @event
            WHERE NOT deleted AND (changed_at, event_id) < (@at, @event) AND NOT (group_id = ANY(@present))
            """,
        SnapshotKind.Subscriptions => """
            UPDATE observed_azure_subscriptions SET removed = true, changed_at = @at, event_id = @event
            WHERE NOT removed AND (changed_at, event_id) < (@at, @event) AND NOT (subscription_id = ANY(@present))
            """,
        SnapshotKind.PolicyAssignments => """
            UPDATE observed_azure_policy_assignments SET deleted = true, changed_at = @at, event_id = @event
            WHERE NOT deleted AND (changed_at, event_id) < (@at, @event) AND NOT (assignment_id = ANY(@present))
            """,
        SnapshotKind.PolicyExemptions => """
            UPDATE observed_azure_policy_exemptions SET deleted = true, changed_at = @at, event_id = @event
            WHERE NOT deleted AND (changed_at, event_id) < (@at, @event) AND NOT (exemption_id = ANY(@present))
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a kind of row a snapshot lists"),
    };

    /// <summary>
    /// Applies the changes in the caller's transaction (which holds <see cref="OrganizationLock"/>), a few hundred
    /// statements to a round trip: an inventory snapshot of thousands of rows costs a handful of them.
    /// </summary>
    public static async Task ApplyInTransactionAsync(
        IReadOnlyList<OrganizationChange> changes, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        foreach (var chunk in changes.Chunk(500))
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var change in chunk)
            {
                batch.BatchCommands.Add(Command(change));
            }
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The advisory lock the organisation's writers share (an arbitrary constant of this service).</summary>
    public const long OrganizationLock = 727_001;

    /// <summary>Takes the organisation lock until <paramref name="transaction"/> ends.</summary>
    public static async Task LockAsync(GovernanceDbContext db, IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        await using var locking = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({OrganizationLock})",
            (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction());
        await locking.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand Command(OrganizationChange change)
    {
        (string Sql, string Id, string? Value, string? Name, string? Type, string? Content, bool? Flag) row = change switch
        {
            AccountMoved c => (AccountMovedSql, c.AccountId, c.ParentId, null, null, null, null),
            AccountMembershipChanged c => (MembershipSql, c.AccountId, null, c.Name, null, null, c.Member),
            OrganizationalUnitChanged c => (OuSql, c.OuId, null, c.Name, null, null, c.Deleted),
            PolicyChanged c => (PolicySql, c.PolicyId, null, c.Name, c.Type, c.Content, c.Deleted),
            PolicyAttachmentChanged c => (AttachmentSql, c.PolicyId, c.TargetId, null, null, null, c.Attached),
            OrganizationSettingChanged c => (SettingSql, c.Key, null, null, null, null, c.Enabled),
            SubscriptionPlaced c => (SubscriptionSql, c.SubscriptionId, c.ManagementGroupId, c.Name, null, null, c.Removed),
            ManagementGroupChanged c => (ManagementGroupSql, c.GroupId, null, c.Name, null, null, c.Deleted),
            PolicyAssignmentChanged c => (AssignmentSql, c.AssignmentId, null, c.Name, c.Effect, c.DefinitionId, c.Deleted),
            PolicyExemptionChanged c => (ExemptionSql, c.ExemptionId, c.AssignmentId, c.Name, c.Category, null, c.Deleted),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change.GetType().Name, "not an organisation change this store knows"),
        };
        var (sql, id, value, name, type, content, flag) = row;
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", NpgsqlDbType.TimestampTz) { TypedValue = change.At.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<string>("event", NpgsqlDbType.Text) { TypedValue = change.EventId });
        Optional("value", value);
        Optional("name", name);
        Optional("type", type);
        Optional("content", content);
        Optional("parent", change switch
        {
            OrganizationalUnitChanged c => c.ParentId,
            ManagementGroupChanged c => c.ParentId,
            _ => null,
        });
        Optional("scope", change switch
        {
            PolicyAssignmentChanged c => c.Scope,
            PolicyExemptionChanged c => c.Scope,
            _ => null,
        });
        Optional("mode", (change as PolicyAssignmentChanged)?.EnforcementMode);
        command.Parameters.Add(new NpgsqlParameter("expires", NpgsqlDbType.TimestampTz)
        {
            Value = (object?)(change as PolicyExemptionChanged)?.ExpiresOn?.ToUniversalTime() ?? DBNull.Value,
        });
        command.Parameters.Add(new NpgsqlParameter("flag", NpgsqlDbType.Boolean) { Value = (object?)flag ?? DBNull.Value });
        return command;

        void Optional(string parameter, string? text) =>
            command.Parameters.Add(new NpgsqlParameter(parameter, NpgsqlDbType.Text) { Value = (object?)text ?? DBNull.Value });
    }
}
