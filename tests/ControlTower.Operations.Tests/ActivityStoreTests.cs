using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Contracts.Activity;
using ControlTower.Operations.Activity;
using ControlTower.Operations.Apis;
using ControlTower.Operations.Data;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Operations.Tests;

/// <summary>Operations against real PostgreSQL and RabbitMQ: batches in through the broker, activity out through the API.</summary>
public sealed class ActivityStoreTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "operationsdb");
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    private static CloudActivity Activity(string eventId, DateTimeOffset time, string account = "111122223333") => new()
    {
        Provider = "aws",
        EventId = eventId,
        Time = time,
        Account = account,
        Region = "eu-west-1",
        Service = "iam",
        Operation = "CreateUser",
        Actor = "arn:aws:iam::111122223333:user/test",
        ActorType = "IAMUser",
        Outcome = ActivityOutcome.Success,
        Identity = new ActivityIdentity { Type = "AssumedRole", SessionIssuerArn = "arn:aws:iam::111122223333:role/Admin" },
        Resources = [new ActivityResource { Arn = "arn:aws:s3:::logs", Type = "AWS::S3::Bucket" }],
        Anomalies = ["awsRegion missing; taken from the container (eu-west-1)"],
        OrganizationId = "o-exampleorgid",
        MfaUsed = true,
        Raw = $$"""{"eventID":"{{eventId}}"}""",
    };

    private static CloudActivityBatch Batch(params CloudActivity[] activities) => new()
    {
        BatchId = Guid.NewGuid(),
        Source = "test-source",
        ReceivedAt = DateTimeOffset.UtcNow,
        Activities = activities,
    };

    [Fact]
    public async Task ServiceStartsHealthyWithItsMigrationsApplied()
    {
        // InitializeAsync waited for /health; the schema must then be complete.
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OperationsDbContext>();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration captures: run dotnet ef migrations add");
        // Raw records are compressed with lz4 from 256 bytes on, in every partition (today's and the default one).
        var today = ActivityPartitions.PartitionName(DateOnly.FromDateTime(DateTime.UtcNow));
        foreach (var table in new[] { "activities", "activities_default", today })
        {
            var compression = await db.Database.SqlQueryRaw<string>(
                "SELECT attcompression::text AS \"Value\" FROM pg_attribute WHERE attrelid = {0}::regclass AND attname = 'raw'", table)
                .SingleAsync(TestContext.Current.CancellationToken);
            Assert.Equal("l", compression);
        }
        foreach (var partition in new[] { "activities_default", today })
        {
            var options = await db.Database.SqlQueryRaw<string>(
                "SELECT array_to_string(reloptions, ',') AS \"Value\" FROM pg_class WHERE oid = {0}::regclass", partition)
                .SingleAsync(TestContext.Current.CancellationToken);
            Assert.Contains("toast_tuple_target=256", options);
        }
    }

    [Fact]
    public async Task RedeliveredBatchIsStoredOnce()
    {
        var batch = Batch(Activity(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow), Activity(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow));
        await using var scope = factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ActivityStore>();

        var first = await store.StoreAsync(batch, TestContext.Current.CancellationToken);
        var again = await store.StoreAsync(batch, TestContext.Current.CancellationToken);

        Assert.Equal(2, first);
        Assert.Equal(0, again);
        var db = scope.ServiceProvider.GetRequiredService<OperationsDbContext>();
        var ids = batch.Activities.Select(a => a.EventId).ToList();
        Assert.Equal(2, await db.Activities.CountAsync(a => ids.Contains(a.EventId), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task BatchPublishedOnTheBrokerIsStoredAndReadableThroughTheApi()
    {
        var eventId = Guid.NewGuid().ToString();
        var bus = factory.Services.GetRequiredService<IBus>();

        // Published twice, as a redelivery would: the consumer must store it once.
        var batch = Batch(Activity(eventId, DateTimeOffset.UtcNow));
        await bus.Publish(batch, TestContext.Current.CancellationToken);
        await bus.Publish(batch, TestContext.Current.CancellationToken);

        var detail = await Eventually.ValueAsync(async () =>
        {
            using var response = await client.GetAsync($"/api/activity/aws/{eventId}", TestContext.Current.CancellationToken);
            return response.StatusCode == HttpStatusCode.OK
                ? await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)
                : (JsonElement?)null;
        });
        Assert.Equal("test-source", detail.GetProperty("source").GetString());
        Assert.Equal("arn:aws:iam::111122223333:role/Admin", detail.GetProperty("identity").GetProperty("sessionIssuerArn").GetString());
        Assert.Equal("arn:aws:s3:::logs", detail.GetProperty("resources")[0].GetProperty("arn").GetString());
        Assert.StartsWith("awsRegion missing", detail.GetProperty("anomalies")[0].GetString());
        Assert.Equal("o-exampleorgid", detail.GetProperty("organizationId").GetString());
        Assert.True(detail.GetProperty("mfaUsed").GetBoolean());
        Assert.Contains(eventId, detail.GetProperty("raw").GetString());
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OperationsDbContext>();
        Assert.Equal(1, await db.Activities.CountAsync(a => a.EventId == eventId, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AzureFieldsAreStoredAndReturned()
    {
        var eventId = Guid.NewGuid().ToString();
        const string ResourceId = "/subscriptions/0000/resourceGroups/rg-prod-core/providers/Microsoft.Storage/storageAccounts/logs";
        var activity = Activity(eventId, DateTimeOffset.UtcNow) with
        {
            Provider = "azure",
            ResourceGroup = "rg-prod-core",
            ResourceId = ResourceId,
            CorrelationId = "bd9c66b3-ad3c-4d6d-9a3d-1fa7bc8960a9",
            Level = "Warning",
        };

        await factory.Services.GetRequiredService<IBus>().Publish(Batch(activity), TestContext.Current.CancellationToken);

        var detail = await Eventually.ValueAsync(async () =>
        {
            using var response = await client.GetAsync($"/api/activity/azure/{eventId}", TestContext.Current.CancellationToken);
            return response.StatusCode == HttpStatusCode.OK
                ? await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)
                : (JsonElement?)null;
        });
        Assert.Equal("rg-prod-core", detail.GetProperty("resourceGroup").GetString());
        Assert.Equal(ResourceId, detail.GetProperty("resourceId").GetString());
        Assert.Equal("bd9c66b3-ad3c-4d6d-9a3d-1fa7bc8960a9", detail.GetProperty("correlationId").GetString());
        Assert.Equal("Warning", detail.GetProperty("level").GetString());
    }

    [Fact]
    public async Task ActivityPagesNewestFirstWithoutGapsOrRepeats()
    {
        var account = "9" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        var t0 = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(Random.Shared.Next(1_000_000));
        // Two pairs share a timestamp, so the tie-break on the key matters.
        var activities = new[] { 0, 1, 1, 2, 3, 3, 4 }
            .Select((minute, i) => Activity($"page-{account}-{i}", t0.AddMinutes(minute), account)).ToArray();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ActivityStore>().StoreAsync(Batch(activities), TestContext.Current.CancellationToken);
        }

        var seen = new List<ActivitySummary>();
        string? cursor = null;
        do
        {
            var page = await client.GetFromJsonAsync<ActivityPage>(
                "/api/activity?limit=3" + (cursor is null ? "" : "&before=" + Uri.EscapeDataString(cursor)), TestContext.Current.CancellationToken);
            seen.AddRange(page!.Items.Where(a => a.Account == account));
            cursor = page.Next;
        }
        while (cursor is not null);

        var expected = activities.OrderByDescending(a => a.Time).ThenByDescending(a => a.EventId, StringComparer.Ordinal).Select(a => a.EventId);
        Assert.Equal(expected, seen.Select(a => a.EventId));
    }

    [Theory]
    [InlineData("/api/activity?limit=0", "limit")]
    [InlineData("/api/activity?limit=501", "limit")]
    [InlineData("/api/activity?before=not-a-cursor", "before")]
    public async Task BadQueryIsRefusedNamingTheParameter(string url, string parameter)
    {
        using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task UnknownActivityIsNotFound()
    {
        using var response = await client.GetAsync($"/api/activity/aws/{Guid.NewGuid()}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task CallsThatDidNotComeThroughTheGatewayAreRefused()
    {
        using var direct = factory.CreateClient();
        using var response = await direct.GetAsync("/api/activity", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
