using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Contracts.Activity;
using ControlTower.Operations.Activity;
using ControlTower.Operations.Apis;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Operations.Tests;

/// <summary>The activity list's filters, paging and counts against real PostgreSQL (a fresh database each test).</summary>
public sealed class ActivityQueryTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddHours(-6);

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

    internal static CloudActivity Sample(
        string eventId, DateTimeOffset time, string account = "111111111111", string provider = "aws",
        string service = "s3.amazonaws.com", string operation = "GetObject", string actor = "arn:aws:iam::111111111111:user/alice",
        ActivityOutcome outcome = ActivityOutcome.Success, string? errorCode = null, string? resourceId = null) => new()
        {
            Provider = provider,
            EventId = eventId,
            Time = time,
            Account = account,
            Service = service,
            Operation = operation,
            Actor = actor,
            Outcome = outcome,
            ErrorCode = errorCode,
            ResourceId = resourceId,
            Raw = $$"""{"eventID":"{{eventId}}"}""",
        };

    internal static async Task StoreAsync(IServiceProvider services, params CloudActivity[] activities)
    {
        await using var scope = services.CreateAsyncScope();
        var batch = new CloudActivityBatch { BatchId = Guid.NewGuid(), Source = "test", ReceivedAt = DateTimeOffset.UtcNow, Activities = activities };
        Assert.Equal(activities.Length, await scope.ServiceProvider.GetRequiredService<ActivityStore>().StoreAsync(batch, TestContext.Current.CancellationToken));
    }

    private async Task<List<string>> AllIdsAsync(string query, int limit = 500)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var url = $"/api/activity?limit={limit}&{query}" + (cursor is null ? "" : "&before=" + Uri.EscapeDataString(cursor));
            var page = await client.GetFromJsonAsync<ActivityPage>(url, TestContext.Current.CancellationToken);
            ids.AddRange(page!.Items.Select(a => a.EventId));
            cursor = page.Next;
        }
        while (cursor is not null);
        return ids;
    }

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    public static TheoryData<string, string[]> Filters => new()
    {
        { "provider=azure", ["a3"] },
        { "provider=AWS", ["a4", "a2", "a1", "a5"] },
        { "account=111111111111", ["a2", "a1", "a5"] },
        { "service=s3.amazonaws.com", ["a4", "a1", "a5"] },
        { "service=s3.amazonaws.com&operation=GetObject", ["a1", "a5"] },
        { "operation=CreateUser", ["a2"] },
        { "actor=arn:aws:iam::111111111111:user/alice", ["a4", "a1", "a5"] },
        { "outcome=failure", ["a4", "a2"] },
        { "outcome=Success&account=222222222222", ["a3"] },
        { "q=AccessDen", ["a2"] },
        { "q=" + "%2Fsubscriptions%2F2222", ["a3"] },
        { "q=arn:aws:iam::111111111111:user/bo", ["a2"] },
        { "q=PutObj", ["a4"] },
        { "q=Get", ["a1", "a5"] },
        { "q=%25%25%25", [] },
        { "q=getobject", [] },
        { "from=" + "{T0+30s}" + "&to=" + "{T0+150s}", ["a3", "a2"] },
        { "from=" + "{T0+30s}" + "&to=" + "{T0+150s}" + "&account=111111111111", ["a2"] },
        { "from=" + "{T0+60s}", ["a4", "a3", "a2"] },
        { "to=" + "{T0+60s}", ["a1", "a5"] },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task EachFilterNarrowsTheListToTheMatchingActivities(string query, string[] expected)
    {
        await StoreAsync(factory.Services,
            Sample("a1", T0),
            Sample("a2", T0.AddMinutes(1), operation: "CreateUser", service: "iam.amazonaws.com", actor: "arn:aws:iam::111111111111:user/bob",
                outcome: ActivityOutcome.Failure, errorCode: "AccessDenied"),
            Sample("a3", T0.AddMinutes(2), account: "222222222222", provider: "azure", service: "Microsoft.Storage",
                operation: "Microsoft.Storage/storageAccounts/write", actor: "carol@example.com", resourceId: "/subscriptions/2222/resourceGroups/rg/x"),
            Sample("a4", T0.AddMinutes(3), account: "222222222222", operation: "PutObject", outcome: ActivityOutcome.Failure, errorCode: "ThrottlingException"),
            // Two days earlier: another partition (or the default one), same filters.
            Sample("a5", T0.AddDays(-2)));

        var resolved = query.Replace("{T0+30s}", Iso(T0.AddSeconds(30)), StringComparison.Ordinal)
            .Replace("{T0+60s}", Iso(T0.AddSeconds(60)), StringComparison.Ordinal)
            .Replace("{T0+150s}", Iso(T0.AddSeconds(150)), StringComparison.Ordinal);

        Assert.Equal(expected, await AllIdsAsync(resolved));
    }

    [Fact]
    public async Task PagingThroughAFilteredSetYieldsEveryActivityOnceNewestFirst()
    {
        var activities = new List<CloudActivity>();
        for (var i = 0; i < 60; i++)
        {
            // Over three days, and i shares its time with i + 3, so partitions and ties on time both matter.
            var time = T0.AddDays(-(i % 3)).AddMinutes(-(i / 6));
            var account = i % 4 == 0 ? "333333333333" : "444444444444";
            activities.Add(Sample($"p-{i:D2}", time, account: account, outcome: i % 5 == 0 ? ActivityOutcome.Failure : ActivityOutcome.Success));
        }
        await StoreAsync(factory.Services, [.. activities]);

        var seen = await AllIdsAsync("account=444444444444&outcome=Success", limit: 7);

        var expected = activities.Where(a => a.Account == "444444444444" && a.Outcome == ActivityOutcome.Success)
            .OrderByDescending(a => a.Time).ThenByDescending(a => a.Provider, StringComparer.Ordinal).ThenByDescending(a => a.EventId, StringComparer.Ordinal)
            .Select(a => a.EventId).ToList();
        Assert.True(expected.Count > 30);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task CountsPerBucketProviderAndOutcomeAddUpToTheActivitiesInRange()
    {
        var activities = new List<CloudActivity>();
        for (var i = 0; i < 200; i++)
        {
            var minutes = i * 97 % 300 - 30; // -30 .. 269 minutes: some before from, some after to
            activities.Add(Sample($"c-{i:D3}", T0.AddMinutes(minutes).AddSeconds(i % 60), provider: i % 3 == 0 ? "azure" : "aws",
                outcome: i % 7 == 0 ? ActivityOutcome.Failure : ActivityOutcome.Success));
        }
        await StoreAsync(factory.Services, [.. activities]);

        // Whole hours (from the hourly counts), partial hours at both ends (hourly counts and activity), a bucket
        // under an hour and an account filter (activity only), and a day bucket with two filters.
        await AssertCountsAsync(T0, T0.AddHours(4), "1h", TimeSpan.FromHours(1), "", _ => true);
        await AssertCountsAsync(T0.AddMinutes(7), T0.AddHours(3).AddMinutes(50), "1h", TimeSpan.FromHours(1), "", _ => true);
        await AssertCountsAsync(T0.AddMinutes(7), T0.AddHours(3).AddMinutes(50), "2h", TimeSpan.FromHours(2), "&provider=azure", a => a.Provider == "azure");
        // Cuts late in the first hour and early in the last (counted from the activity), and both ends in one hour.
        await AssertCountsAsync(T0.AddMinutes(50), T0.AddHours(3).AddMinutes(5), "1h", TimeSpan.FromHours(1), "", _ => true);
        await AssertCountsAsync(T0.AddMinutes(50), T0.AddHours(3).AddMinutes(5), "1h", TimeSpan.FromHours(1), "&outcome=Success", a => a.Outcome == ActivityOutcome.Success);
        await AssertCountsAsync(T0.AddHours(1).AddMinutes(10), T0.AddHours(1).AddMinutes(40), "1h", TimeSpan.FromHours(1), "", _ => true);
        await AssertCountsAsync(T0.AddHours(1).AddMinutes(10), T0.AddHours(2).AddMinutes(40), "1h", TimeSpan.FromHours(1), "", _ => true);
        await AssertCountsAsync(T0.AddMinutes(-20), T0.AddHours(2), "30m", TimeSpan.FromMinutes(30), "", _ => true);
        await AssertCountsAsync(T0, T0.AddHours(4), "1h", TimeSpan.FromHours(1), "&account=111111111111", _ => true);
        await AssertCountsAsync(T0, T0.AddHours(4), "1d", TimeSpan.FromDays(1), "&outcome=Failure&provider=aws",
            a => a.Outcome == ActivityOutcome.Failure && a.Provider == "aws");

        async Task AssertCountsAsync(DateTimeOffset from, DateTimeOffset to, string bucket, TimeSpan width, string query, Func<CloudActivity, bool> filter)
        {
            var counts = await client.GetFromJsonAsync<ActivityCounts>(
                $"/api/activity/counts?bucket={bucket}&from={Iso(from)}&to={Iso(to)}{query}", TestContext.Current.CancellationToken);

            var epoch = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var inRange = activities.Where(a => a.Time >= from && a.Time < to && filter(a)).ToList();
            var expected = inRange
                .GroupBy(a => (Start: epoch + width * Math.Floor((a.Time - epoch) / width), a.Provider, Outcome: a.Outcome.ToString()))
                .ToDictionary(g => g.Key, g => (long)g.Count());
            Assert.True(inRange.Count > 0);
            Assert.Equal(expected.Count, counts!.Counts.Count);
            foreach (var count in counts.Counts)
            {
                Assert.Equal(expected[(count.Start, count.Provider, count.Outcome)], count.Count);
            }
            Assert.Equal(inRange.Count, counts.Counts.Sum(c => c.Count));
        }
    }

    [Theory]
    [InlineData("/api/activity?from=yesterday", "from")]
    [InlineData("/api/activity?to=2026-13-01T00:00:00Z", "to")]
    [InlineData("/api/activity?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "to")]
    [InlineData("/api/activity?provider=gcp", "provider")]
    [InlineData("/api/activity?outcome=maybe", "outcome")]
    [InlineData("/api/activity?outcome=1", "outcome")]
    [InlineData("/api/activity?q=ab", "q")]
    [InlineData("/api/activity?limit=ten", "limit")]
    [InlineData("/api/activity?limit=0", "limit")]
    [InlineData("/api/activity?before=%%%", "before")]
    [InlineData("/api/activity/counts?bucket=2x", "bucket")]
    [InlineData("/api/activity/counts?bucket=0h", "bucket")]
    [InlineData("/api/activity/counts?bucket=1m&from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z", "bucket")]
    [InlineData("/api/activity/counts?bucket=1d&from=2026-09-01T00:00:00Z&to=2026-11-08T00:00:00Z", "from")]
    [InlineData("/api/activity/counts?from=2026-11-08T00:00:00Z&to=2026-11-01T00:00:00Z", "to")]
    [InlineData("/api/activity/counts?provider=gcp", "provider")]
    public async Task BadParameterIsRefusedWithAProblemNamingIt(string url, string parameter)
    {
        using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }
}
