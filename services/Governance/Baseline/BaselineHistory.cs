using System.Text.Json;
using ControlTower.Governance.Data;
using ControlTower.Governance.Findings;
using ControlTower.Governance.Observed;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Baseline;

/// <summary>What putting a baseline in place came to.</summary>
public abstract record BaselineOutcome
{
    /// <summary>The text has faults; nothing changed.</summary>
    public sealed record Invalid(IReadOnlyList<BaselineError> Errors) : BaselineOutcome;

    /// <summary>The caller's <c>If-Match</c> names a version that is no longer current; nothing changed.</summary>
    public sealed record Stale(BaselineVersion? Current) : BaselineOutcome;

    /// <summary>
    /// The new version (or, for a dry run or identical text, the current one) and what it changes; when
    /// <see cref="Applied"/>, the findings were reconciled against it in the same transaction.
    /// </summary>
    public sealed record Done(BaselineVersion Version, IReadOnlyList<BaselineChange> Changes, bool Applied) : BaselineOutcome;
}

/// <summary>
/// Puts baselines in place and keeps every version: from the API (with a diff, a dry run and optimistic
/// concurrency) and from the file at start. A new version and the findings it opens or resolves commit
/// together, under the organisation lock, so no batch of events is ever checked against half of it.
/// </summary>
public sealed class BaselineHistory(GovernanceDbContext db, BaselineProvider provider, DriftFindings findings, TimeProvider clock,
    ILogger<BaselineHistory> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reads <paramref name="yaml"/> (its <c>file:</c>s from the baseline file's folder) and, unless a dry run, puts it in place.</summary>
    public Task<BaselineOutcome> ReplaceAsync(string yaml, string source, string? reason, string? ifMatch, bool dryRun,
        Func<object, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        var (baseline, errors, files) = BaselineVersion.Read(yaml, provider.ReadPolicyFile);
        if (baseline is null)
        {
            return Task.FromResult<BaselineOutcome>(new BaselineOutcome.Invalid(errors));
        }
        var hash = BaselineVersion.HashOf(yaml, files);
        return InLockAsync<BaselineOutcome>(async current =>
        {
            if (ifMatch is not null && ifMatch != "*" && ifMatch != current?.ETag)
            {
                return new BaselineOutcome.Stale(current);
            }
            var changes = BaselineDiff.Compare(current?.Baseline, baseline);
            if (current?.Hash == hash || dryRun)
            {
                var shown = current?.Hash == hash ? current : new BaselineVersion(0, hash, "api", source, clock.GetUtcNow(), yaml, files, baseline);
                return new BaselineOutcome.Done(shown, changes, Applied: false);
            }
            var version = await RecordAsync(yaml, files, hash, "api", source, reason, changes, publish, cancellationToken);
            return new BaselineOutcome.Done(version, changes, Applied: true);
        }, cancellationToken);
    }

    /// <summary>
    /// At start: records the baseline file as a new version when it differs from the last file recorded (a
    /// deploy changed it), so a file edited and redeployed wins, while a version put through the API since the
    /// last deploy survives a restart.
    /// </summary>
    public async Task RecordFileAsync(Func<object, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        if (provider.FromFile is not { } file)
        {
            await InLockAsync<BaselineOutcome?>(async current =>
            {
                await AnnounceDirectoryAsync(current, publish, cancellationToken);
                return null;
            }, cancellationToken);
            return;
        }
        await InLockAsync<BaselineOutcome?>(async current =>
        {
            var lastFile = await db.BaselineVersions.AsNoTracking().Where(v => v.Origin == "file").OrderByDescending(v => v.Version)
                .Select(v => v.Hash).FirstOrDefaultAsync(cancellationToken);
            if (lastFile == file.Hash || (current is { Version: > 0 } && current.Hash == file.Hash))
            {
                // Nothing new, but a consumer that started empty (a new Operations database) still learns who owns what.
                await AnnounceDirectoryAsync(current, publish, cancellationToken);
                return null;
            }
            var changes = BaselineDiff.Compare(current is { Version: > 0 } ? current.Baseline : null, file.Baseline);
            await RecordAsync(file.Yaml, file.Files, file.Hash, "file", file.Source, "read at start", changes, publish, cancellationToken);
            return null;
        }, cancellationToken);
    }

    private async Task<BaselineVersion> RecordAsync(string yaml, IReadOnlyDictionary<string, string> files, string hash, string origin, string source,
        string? reason, IReadOnlyList<BaselineChange> changes, Func<object, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        var record = new BaselineRecord
        {
            Hash = hash,
            Origin = origin,
            Source = source,
            Reason = reason,
            RecordedAt = clock.GetUtcNow(),
            Yaml = yaml,
            Files = JsonSerializer.Serialize(files, Json),
            Changes = JsonSerializer.Serialize(changes, Json),
        };
        db.BaselineVersions.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        // The findings are reconciled against the version just written: the provider reads it in this transaction.
        await findings.ReconcileAsync(publish, cancellationToken);
        var version = (await provider.CurrentAsync(db, cancellationToken))!;
        await AnnounceDirectoryAsync(version, publish, cancellationToken);
        logger.LogWarning("Landing-zone baseline version {Version} ({Origin}, {Source}): {Changes} change(s)", record.Version, origin, source, changes.Count);
        return version;
    }

    /// <summary>Announces who owns what under <paramref name="version"/> (through the caller's publish: the outbox, in its transaction).</summary>
    private async Task AnnounceDirectoryAsync(BaselineVersion? version, Func<object, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        if (version is null)
        {
            return;
        }
        await publish(AccountDirectory.Of(version.Baseline, version.Version, clock.GetUtcNow()), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> in a transaction holding the organisation lock, with the current version as it reads.</summary>
    private Task<T> InLockAsync<T>(Func<BaselineVersion?, Task<T>> work, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await ObservedOrganizationStore.LockAsync(db, transaction, cancellationToken);
            var result = await work(await provider.CurrentAsync(db, cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            return result;
        });
}
