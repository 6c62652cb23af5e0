using System.Text.Json;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;

namespace ControlTower.Collector.Azure.EventHubs;

/// <summary>
/// Event Hubs checkpoints in files, for a collector without Azure Blob Storage: one JSON file per namespace, hub,
/// consumer group and partition (<c>{root}/{namespace}/{hub}/{consumer group}/{partition}.json</c>), replaced
/// atomically (written to a temporary file, flushed to disk, then renamed over the old one), so a crash leaves
/// either the old checkpoint or the new one, never half of one.
/// </summary>
/// <remarks>
/// Partition ownership is kept in memory: the store serves ONE collector instance. It holds an exclusive lock on
/// <c>{root}/.lock</c> while open, so a second instance pointed at the same folder fails to start instead of
/// reading every partition twice. Several instances that share the partitions need a shared store (Azure Blob
/// Storage, through Azure.Messaging.EventHubs.Processor, or another <see cref="CheckpointStore"/>).
/// </remarks>
public sealed class FileCheckpointStore : CheckpointStore, IDisposable
{
    public const string LockFileName = ".lock";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly string root;
    private readonly TimeProvider clock;
    private readonly FileStream lockFile;
    private readonly Lock gate = new();
    private readonly Dictionary<(string Namespace, string Hub, string ConsumerGroup, string Partition), EventProcessorPartitionOwnership> owners = new();

    public FileCheckpointStore(string root, TimeProvider clock)
    {
        this.root = Path.GetFullPath(root);
        this.clock = clock;
        Directory.CreateDirectory(this.root);
        try
        {
            lockFile = new FileStream(Path.Combine(this.root, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"The Event Hubs checkpoint folder '{this.root}' is in use by another collector instance; the file checkpoint store serves one instance only", ex);
        }
        // Who holds the folder, written once the lock is held: the file is created a moment before it is locked, so only
        // its content says the lock is taken (and by which process, for an operator who finds the folder busy).
        lockFile.SetLength(0);
        lockFile.Write(System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId} {Environment.MachineName} {clock.GetUtcNow():O}\n"));
        lockFile.Flush();
    }

    public string Root => root;

    public override Task<IEnumerable<EventProcessorPartitionOwnership>> ListOwnershipAsync(
        string fullyQualifiedNamespace, string eventHubName, string consumerGroup, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            IEnumerable<EventProcessorPartitionOwnership> owned = owners
                .Where(o => o.Key.Namespace == Key(fullyQualifiedNamespace) && o.Key.Hub == Key(eventHubName) && o.Key.ConsumerGroup == Key(consumerGroup))
                .Select(o => o.Value)
                .ToList();
            return Task.FromResult(owned);
        }
    }

    /// <summary>
    /// Grants a claim when it names the current version of the partition's ownership (or when nobody owns the
    /// partition and the claim names no version), as the blob store does; a stale claim is left out of the answer.
    /// </summary>
    public override Task<IEnumerable<EventProcessorPartitionOwnership>> ClaimOwnershipAsync(
        IEnumerable<EventProcessorPartitionOwnership> desiredOwnership, CancellationToken cancellationToken)
    {
        var claimed = new List<EventProcessorPartitionOwnership>();
        lock (gate)
        {
            foreach (var desired in desiredOwnership)
            {
                var key = (Key(desired.FullyQualifiedNamespace), Key(desired.EventHubName), Key(desired.ConsumerGroup), desired.PartitionId);
                var current = owners.GetValueOrDefault(key);
                if (current?.Version != desired.Version)
                {
                    continue;
                }
                var granted = new EventProcessorPartitionOwnership
                {
                    FullyQualifiedNamespace = desired.FullyQualifiedNamespace,
                    EventHubName = desired.EventHubName,
                    ConsumerGroup = desired.ConsumerGroup,
                    PartitionId = desired.PartitionId,
                    OwnerIdentifier = desired.OwnerIdentifier,
                    LastModifiedTime = clock.GetUtcNow(),
                    Version = Guid.NewGuid().ToString("N"),
                };
                owners[key] = granted;
                claimed.Add(granted);
            }
        }
        return Task.FromResult<IEnumerable<EventProcessorPartitionOwnership>>(claimed);
    }

    public override async Task<EventProcessorCheckpoint?> GetCheckpointAsync(
        string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, CancellationToken cancellationToken)
    {
        var path = PathOf(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId);
        CheckpointFile? file;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            file = await JsonSerializer.DeserializeAsync<CheckpointFile>(stream, Json, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException ex)
        {
            // Files are replaced whole, so this is damage from outside: stop rather than re-read the hub's whole retention.
            throw new InvalidDataException($"The checkpoint file '{path}' is not a checkpoint; fix or delete it", ex);
        }
        if (file is null || (file.Offset is null && file.SequenceNumber is null))
        {
            throw new InvalidDataException($"The checkpoint file '{path}' holds no position; fix or delete it");
        }
        return new EventProcessorCheckpoint
        {
            FullyQualifiedNamespace = fullyQualifiedNamespace,
            EventHubName = eventHubName,
            ConsumerGroup = consumerGroup,
            PartitionId = partitionId,
            ClientIdentifier = file.ClientIdentifier,
            LastModified = file.LastModified,
            // The checkpointed event was handled: start after it.
            StartingPosition = file.Offset is { Length: > 0 } offset
                ? EventPosition.FromOffset(offset, isInclusive: false)
                : EventPosition.FromSequenceNumber(file.SequenceNumber!.Value, isInclusive: false),
        };
    }

    public override async Task UpdateCheckpointAsync(
        string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, string clientIdentifier,
        CheckpointPosition startingPosition, CancellationToken cancellationToken)
    {
        var path = PathOf(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var file = new CheckpointFile(
            fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, clientIdentifier,
            startingPosition.OffsetString, startingPosition.SequenceNumber, clock.GetUtcNow());
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await JsonSerializer.SerializeAsync(stream, file, Json, cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Where a partition's checkpoint lives. Names are lower-cased (as Event Hubs compares them) and made safe as file names.</summary>
    public string PathOf(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId) =>
        Path.Combine(root, Safe(Key(fullyQualifiedNamespace)), Safe(Key(eventHubName)), Safe(Key(consumerGroup)), Safe(partitionId) + ".json");

    public void Dispose() => lockFile.Dispose();

    private static string Key(string name) => name.ToLowerInvariant();

    private static string Safe(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var safe = string.Concat(name.Select(c => invalid.Contains(c) || c == '\\' ? '_' : c));
        return safe is "" or "." or ".." ? "_" + safe : safe;
    }

    private sealed record CheckpointFile(
        string FullyQualifiedNamespace, string EventHubName, string ConsumerGroup, string PartitionId, string? ClientIdentifier,
        string? Offset, long? SequenceNumber, DateTimeOffset LastModified);
}
