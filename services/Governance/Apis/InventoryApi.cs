using System.Text.Json;
using System.Text.RegularExpressions;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Data;
using ControlTower.Governance.Findings;
using ControlTower.Governance.Observed;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlTower.Governance.Apis;

/// <summary>The inventory import's limits (<c>Governance:Inventory</c>).</summary>
public sealed class InventoryOptions
{
    public const string Section = "Governance:Inventory";

    /// <summary>The largest snapshot accepted, in bytes. 16 MiB (the gateway's own limit) holds an organisation of well over 5,000 accounts.</summary>
    public long MaxBytes { get; set; } = 16 * 1024 * 1024;
}

/// <summary>
/// Imports an inventory snapshot (the shape in README, built from the AWS and Azure CLIs): it sets the observed
/// state as of the snapshot's <c>takenAt</c> through the same order-proof store as events, marks what a listed
/// cloud no longer has as gone, and reconciles the findings, all in one transaction.
/// </summary>
public static partial class InventoryApi
{
    private const int MaxErrors = 100;

    public static IEndpointRouteBuilder MapInventoryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/governance").WithTags("Governance");
        api.MapPost("/inventory", (Delegate)Import)
            .WithName("ImportInventory")
            .WithSummary("Set the observed AWS organisation and/or Azure estate from an inventory snapshot as of its takenAt (events newer than it keep their state), mark what it no longer lists as gone, and reconcile drift")
            .Accepts<InventorySnapshot>("application/json")
            .Produces<InventoryImportView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    public static async Task<IResult> Import(HttpContext context, IOptions<InventoryOptions> options, IOptions<JsonOptions> json, BaselineProvider baseline,
        ObservedOrganizationStore store, DriftFindings findings, GovernanceDbContext db, Outbox<GovernanceDbContext> outbox, TimeProvider clock)
    {
        var request = context.Request;
        var limit = options.Value.MaxBytes;
        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
                detail: $"Content-Type '{request.ContentType ?? "(none)"}' is not accepted; send application/json.");
        }
        if (request.ContentLength > limit)
        {
            return TooLarge(limit);
        }
        // Our own count below answers first, with a problem body, instead of the server's bare 413.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + 1;
        }

        InventorySnapshot? snapshot;
        try
        {
            // Streamed: the body is read as it is parsed, never held whole, and stops at the limit.
            await using var body = new CountingStream(request.Body, limit);
            snapshot = await JsonSerializer.DeserializeAsync<InventorySnapshot>(body, json.Value.SerializerOptions, context.RequestAborted);
        }
        catch (BodyTooLargeException)
        {
            return TooLarge(limit);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit);
        }
        catch (JsonException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path] = [ex.Message] },
                title: "Invalid JSON body");
        }
        if (snapshot is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["$"] = ["The body is JSON null; send an inventory snapshot object."] },
                title: "Invalid JSON body");
        }

        var errors = Validate(snapshot, clock.GetUtcNow());
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The inventory snapshot is not valid");
        }

        var snapshotId = $"inventory:{Guid.CreateVersion7(clock.GetUtcNow()):N}";
        var (changes, absences) = InventoryChanges.From(snapshot, (await baseline.CurrentAsync(db, context.RequestAborted))?.Baseline, snapshotId);
        // Announcements go to the outbox in the same transaction: they leave after the commit, never without it.
        var marked = await store.ApplySnapshotAsync(changes, absences, snapshot.TakenAt!.Value, snapshotId,
            cancellationToken => findings.ReconcileAsync(outbox.Publish, cancellationToken),
            context.RequestAborted);
        var open = await db.Findings.CountAsync(f => f.Status == "open", context.RequestAborted);
        return TypedResults.Ok(new InventoryImportView(snapshotId, snapshot.TakenAt.Value,
            snapshot.Aws?.Accounts?.Count ?? 0, snapshot.Aws?.OrganizationalUnits?.Count ?? 0, snapshot.Aws?.Policies?.Count ?? 0,
            snapshot.Azure?.ManagementGroups?.Count ?? 0, snapshot.Azure?.Subscriptions?.Count ?? 0,
            snapshot.Azure?.PolicyAssignments?.Count ?? 0, snapshot.Azure?.PolicyExemptions?.Count ?? 0, marked, open));
    }

    /// <summary>Every fault of the snapshot, named by its JSON path (the first <see cref="MaxErrors"/>).</summary>
    public static Dictionary<string, string[]> Validate(InventorySnapshot snapshot, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        void Fault(string field, string message)
        {
            if (errors.Count < MaxErrors)
            {
                errors.TryAdd(field, [message]);
            }
        }

        if (snapshot.TakenAt is not { } takenAt)
        {
            Fault("takenAt", "when the inventory was read, as an ISO 8601 time with its offset (e.g. 2026-11-28T12:00:00Z)");
        }
        else if (takenAt > now.AddMinutes(5))
        {
            Fault("takenAt", $"{takenAt:O} is in the future: a snapshot from the future would hide every event until then");
        }
        if (snapshot.Aws is null && snapshot.Azure is null)
        {
            Fault("$", "a snapshot lists the AWS organisation (aws), the Azure estate (azure), or both");
        }

        if (snapshot.Aws is { } aws)
        {
            var root = aws.Root?.Id;
            if (root is null || !RootId().IsMatch(root))
            {
                Fault("aws.root.id", "the organisation root's id (r-, then 4 to 32 lower-case letters or digits)");
            }
            var ous = aws.OrganizationalUnits ?? [];
            var parents = ous.Where(o => o.Id is not null).Select(o => o.Id!).Append(root ?? "").ToHashSet(StringComparer.Ordinal);
            Unique(ous.Select(o => o.Id), "aws.organizationalUnits", Fault);
            for (var i = 0; i < ous.Count; i++)
            {
                var path = $"aws.organizationalUnits[{i}]";
                if (ous[i] is null)
                {
                    Fault(path, "an OU is an object with id, name and parentId");
                    continue;
                }
                if (ous[i].Id is not { } id || !OuId().IsMatch(id))
                {
                    Fault($"{path}.id", "the OU's id (ou-, then the root's letters, a dash and 8 to 32 lower-case letters or digits)");
                }
                if (string.IsNullOrWhiteSpace(ous[i].Name))
                {
                    Fault($"{path}.name", "the OU's name");
                }
                if (ous[i].ParentId is not { } parent || !parents.Contains(parent))
                {
                    Fault($"{path}.parentId", $"the root or an OU of this snapshot; '{ous[i].ParentId}' is neither");
                }
            }
            var accounts = aws.Accounts ?? [];
            Unique(accounts.Select(a => a.Id), "aws.accounts", Fault);
            for (var i = 0; i < accounts.Count; i++)
            {
                var path = $"aws.accounts[{i}]";
                if (accounts[i] is null)
                {
                    Fault(path, "an account is an object with id, name, parentId and status");
                    continue;
                }
                if (accounts[i].Id is not { } id || !AccountId().IsMatch(id))
                {
                    Fault($"{path}.id", "the account's 12-digit id, as a string");
                }
                if (accounts[i].ParentId is not { } parent || !parents.Contains(parent))
                {
                    Fault($"{path}.parentId", $"the root or an OU of this snapshot; '{accounts[i].ParentId}' is neither");
                }
            }
            var policies = aws.Policies ?? [];
            Unique(policies.Select(p => p.Id), "aws.policies", Fault);
            for (var i = 0; i < policies.Count; i++)
            {
                var path = $"aws.policies[{i}]";
                if (policies[i] is null)
                {
                    Fault(path, "a policy is an object with id, name, type, content and targets");
                    continue;
                }
                if (policies[i].Id is not { } id || !PolicyId().IsMatch(id))
                {
                    Fault($"{path}.id", "the policy's id (p-, then 8 to 128 lower-case letters, digits or underscores)");
                }
                if (policies[i].Content.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.String or JsonValueKind.Object))
                {
                    Fault($"{path}.content", "the policy document, as describe-policy returns it (a string) or as a JSON object");
                }
                else if (policies[i].Content.ValueKind == JsonValueKind.String && !IsJsonObject(policies[i].Content.GetString()!))
                {
                    Fault($"{path}.content", "the policy document string does not hold a JSON object");
                }
                var targets = policies[i].Targets ?? [];
                for (var t = 0; t < targets.Count; t++)
                {
                    if (string.IsNullOrWhiteSpace(targets[t]))
                    {
                        Fault($"{path}.targets[{t}]", "a root, OU or account id");
                    }
                }
            }
        }

        if (snapshot.Azure is { } azure)
        {
            var groups = azure.ManagementGroups ?? [];
            Unique(groups.Select(g => g.Id?.ToLowerInvariant()), "azure.managementGroups", Fault);
            for (var i = 0; i < groups.Count; i++)
            {
                if (groups[i] is null || string.IsNullOrWhiteSpace(groups[i].Id) || groups[i].Id!.Contains('/', StringComparison.Ordinal))
                {
                    Fault($"azure.managementGroups[{i}].id", "the management group's name (its id's last segment)");
                }
            }
            var subscriptions = azure.Subscriptions ?? [];
            Unique(subscriptions.Select(s => s.Id?.ToLowerInvariant()), "azure.subscriptions", Fault);
            for (var i = 0; i < subscriptions.Count; i++)
            {
                var path = $"azure.subscriptions[{i}]";
                if (subscriptions[i] is null || !Guid.TryParse(subscriptions[i].Id, out _))
                {
                    Fault($"{path}.id", "the subscription id (a GUID)");
                }
                if (string.IsNullOrWhiteSpace(subscriptions[i]?.ManagementGroupId))
                {
                    Fault($"{path}.managementGroupId", "the management group the subscription sits in");
                }
            }
            var assignments = azure.PolicyAssignments ?? [];
            Unique(assignments.Select(a => a.Id?.ToLowerInvariant()), "azure.policyAssignments", Fault);
            for (var i = 0; i < assignments.Count; i++)
            {
                if (assignments[i]?.Id is not { } id || !AssignmentId().IsMatch(id))
                {
                    Fault($"azure.policyAssignments[{i}].id", "the assignment's resource id ({scope}/providers/Microsoft.Authorization/policyAssignments/{name})");
                }
            }
            var exemptions = azure.PolicyExemptions ?? [];
            Unique(exemptions.Select(e => e.Id?.ToLowerInvariant()), "azure.policyExemptions", Fault);
            for (var i = 0; i < exemptions.Count; i++)
            {
                if (exemptions[i]?.Id is not { } id || !ExemptionId().IsMatch(id))
                {
                    Fault($"azure.policyExemptions[{i}].id", "the exemption's resource id ({scope}/providers/Microsoft.Authorization/policyExemptions/{name})");
                }
            }
        }
        return errors;
    }

    private static void Unique(IEnumerable<string?> ids, string path, Action<string, string> fault)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var id in ids)
        {
            if (id is not null && !seen.TryAdd(id, index))
            {
                fault($"{path}[{index}].id", $"'{id}' is listed twice (first at {path}[{seen[id]}])");
            }
            index++;
        }
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static IResult TooLarge(long limit) => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Payload too large", detail: $"The inventory snapshot exceeds the limit of {limit} bytes (Governance:Inventory:MaxBytes); split it by cloud.",
        extensions: new Dictionary<string, object?> { ["limit"] = limit });

    [GeneratedRegex("^r-[0-9a-z]{4,32}$")]
    private static partial Regex RootId();

    [GeneratedRegex("^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")]
    private static partial Regex OuId();

    [GeneratedRegex(@"^\d{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex("^p-[0-9a-zA-Z_]{8,128}$")]
    private static partial Regex PolicyId();

    [GeneratedRegex("^.*/providers/Microsoft\\.Authorization/policyAssignments/[^/]+/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AssignmentId();

    [GeneratedRegex("^.*/providers/Microsoft\\.Authorization/policyExemptions/[^/]+/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExemptionId();
}

/// <summary>What an import did: the snapshot's id (the evidence id of what it set), the rows it listed, how many rows it marked gone, and the findings open after it.</summary>
public sealed record InventoryImportView(string SnapshotId, DateTimeOffset TakenAt, int Accounts, int OrganizationalUnits, int Policies,
    int ManagementGroups, int Subscriptions, int PolicyAssignments, int PolicyExemptions, int MarkedAbsent, int OpenFindings);
