using System.Text.RegularExpressions;
using ControlTower.Gateway.Authentication;
using ControlTower.Gateway.Data;
using ControlTower.Gateway.Keys;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ControlTower.Gateway.Apis;

/// <summary>Creating, listing, rotating and revoking API keys (scope <c>admin:keys</c>). Secrets are shown once.</summary>
public static partial class AdminKeysApi
{
    public const int MaxGraceHours = 720;

    public static IEndpointRouteBuilder MapAdminKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/keys").WithTags("Admin: API keys").RequireAuthorization(Scopes.AdminKeys);

        api.MapGet("/", ListKeys).WithName("ListApiKeys").WithSummary("Every key, without secrets");
        api.MapPost("/", CreateKey).WithName("CreateApiKey").WithSummary("Create a key; the answer holds its secret, shown once")
            .Accepts<CreateKeyRequest>("application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/{name}/rotate", RotateKey).WithName("RotateApiKey")
            .WithSummary("New primary secret; the old one stays valid as the secondary for graceHours (default 24)");
        api.MapPost("/{name}/revoke", RevokeKey).WithName("RevokeApiKey").WithSummary("Revoke a key: neither secret works any more");

        return app;
    }

    public static async Task<Ok<List<ApiKeyView>>> ListKeys(GatewayDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok((await db.ApiKeys.AsNoTracking().OrderBy(k => k.Name).ToListAsync(cancellationToken)).Select(ApiKeyView.From).ToList());

    public static async Task<IResult> CreateKey(HttpContext context, GatewayDbContext db, WebhookSignatures signatures, TimeProvider clock)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateKeyRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }
        var errors = new Dictionary<string, string[]>();
        if (request!.Name is null || !NamePattern().IsMatch(request.Name))
        {
            errors["name"] = ["name is required: 2 to 128 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."];
        }
        if (request.Scopes is not { Count: > 0 } || request.Scopes.Any(s => !Scopes.All.Contains(s)))
        {
            errors["scopes"] = [$"scopes is required, each one of: {string.Join(", ", Scopes.All)}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var secret = ApiKeySecrets.New();
        var signingSecret = request.Signed == true ? WebhookSignatures.NewSecret() : null;
        var now = clock.GetUtcNow();
        var key = new ApiKey
        {
            SigningSecretProtected = signingSecret is null ? null : signatures.Protect(signingSecret),
            Id = Guid.CreateVersion7(now),
            Name = request.Name!,
            Scopes = request.Scopes!.Distinct().ToList(),
            PrimaryHash = ApiKeySecrets.Hash(secret),
            PrimaryPrefix = ApiKeySecrets.Display(secret),
            ManagedBy = "api",
            CreatedBy = context.User.Identity?.Name ?? "unknown",
            CreatedAt = now,
        };
        db.ApiKeys.Add(key);
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Key name taken",
                detail: $"A key named '{key.Name}' already exists; rotate it, or choose another name.");
        }
        return TypedResults.Created($"/api/admin/keys/{key.Name}", new ApiKeySecretView(ApiKeyView.From(key), secret, signingSecret));
    }

    public static async Task<IResult> RotateKey(string name, int? graceHours, GatewayDbContext db, ApiKeyStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var grace = graceHours ?? 24;
        if (grace is < 0 or > MaxGraceHours)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["graceHours"] = [$"graceHours must be between 0 and {MaxGraceHours}."],
            });
        }
        return await ChangeManageableAsync(db, name, async key =>
        {
            var secret = ApiKeySecrets.New();
            var now = clock.GetUtcNow();
            store.Forget(key.PrimaryHash, key.SecondaryHash);
            if (grace > 0)
            {
                key.SecondaryHash = key.PrimaryHash;
                key.SecondaryPrefix = key.PrimaryPrefix;
                key.SecondaryExpiresAt = now.AddHours(grace);
            }
            else
            {
                key.SecondaryHash = null;
                key.SecondaryPrefix = null;
                key.SecondaryExpiresAt = null;
            }
            key.PrimaryHash = ApiKeySecrets.Hash(secret);
            key.PrimaryPrefix = ApiKeySecrets.Display(secret);
            key.RotatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(new ApiKeySecretView(ApiKeyView.From(key), secret));
        }, cancellationToken);
    }

    public static Task<IResult> RevokeKey(string name, GatewayDbContext db, ApiKeyStore store, TimeProvider clock, CancellationToken cancellationToken) =>
        ChangeManageableAsync(db, name, async key =>
        {
            key.RevokedAt ??= clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            store.Forget(key.PrimaryHash, key.SecondaryHash);
            return TypedResults.Ok(ApiKeyView.From(key));
        }, cancellationToken);

    /// <summary>
    /// Changes a key the admin API may manage, holding its row until the change commits: two rotations at once (on two
    /// gateway replicas, say) then follow one another, where each would otherwise have rotated the same old secret away
    /// and the first caller been handed a secret that no longer works.
    /// </summary>
    private static Task<IResult> ChangeManageableAsync(GatewayDbContext db, string name, Func<ApiKey, Task<IResult>> change,
        CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var held = await db.ApiKeys.FromSql($"SELECT * FROM api_keys WHERE name = {name} FOR UPDATE").ToListAsync(cancellationToken);
            var (key, problem) = Manageable(held.FirstOrDefault(), name);
            if (problem is not null)
            {
                return problem;
            }
            var result = await change(key!);
            await transaction.CommitAsync(cancellationToken);
            return result;
        });

    private static (ApiKey? Key, IResult? Problem) Manageable(ApiKey? key, string name)
    {
        if (key is null)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such key", detail: $"There is no key named '{name}'."));
        }
        if (key.ManagedBy == ApiKeyBootstrapper.ManagedByConfiguration)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Key managed by configuration",
                detail: $"'{name}' comes from Gateway:ApiKeys configuration; change it there and restart the gateway."));
        }
        if (key.RevokedAt is not null)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Key revoked",
                detail: $"'{name}' was revoked at {key.RevokedAt:O}; create a new key instead."));
        }
        return (key, null);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,127}$")]
    private static partial Regex NamePattern();
}

/// <param name="Signed">When true, requests with the key must also carry a Standard Webhooks signature.</param>
public sealed record CreateKeyRequest(string? Name, List<string>? Scopes, bool? Signed);

public sealed record ApiKeyView(
    string Name, IReadOnlyList<string> Scopes, string PrimaryPrefix, string? SecondaryPrefix, DateTimeOffset? SecondaryExpiresAt,
    bool Signed, string ManagedBy, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RotatedAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyView From(ApiKey k) => new(k.Name, k.Scopes, k.PrimaryPrefix, k.SecondaryPrefix, k.SecondaryExpiresAt,
        k.SigningSecretProtected is not null, k.ManagedBy, k.CreatedBy, k.CreatedAt, k.RotatedAt, k.RevokedAt);
}

/// <summary>A key with its secret (and signing secret, for a signed key): returned once, when made.</summary>
public sealed record ApiKeySecretView(ApiKeyView Key, string Secret, string? SigningSecret = null);
