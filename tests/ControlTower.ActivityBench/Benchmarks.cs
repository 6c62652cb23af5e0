using System.Diagnostics;
using ControlTower.Contracts.Activity;
using ControlTower.Operations.Activity;
using ControlTower.Operations.Apis;
using ControlTower.Operations.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.ActivityBench;

/// <summary>Times the service's own code against a database: the ingest path and the activity API's handlers.</summary>
public static class Benchmarks
{
    public static OperationsDbContext Context(string connectionString) =>
        new(new DbContextOptionsBuilder<OperationsDbContext>().UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options);

    /// <summary>
    /// Batches through <see cref="ActivityStore"/> (the consumer's path) from <paramref name="concurrency"/> tasks,
    /// as the consumers' concurrent message limit would; prints rows/s.
    /// </summary>
    /// <param name="cloudTrail">Activities from the load driver's CloudTrail files through the collector's normaliser (what
    /// <c>./ct bench</c>'s ingest stores), rather than the seeder's generator.</param>
    public static async Task IngestAsync(string connectionString, int batches, int batchSize, int concurrency, CancellationToken cancellationToken, bool cloudTrail = false)
    {
        await using (var db = Context(connectionString))
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        var prepared = new List<CloudActivityBatch>();
        var generator = new ActivityGenerator(seed: Environment.TickCount);
        var files = new LoadDriver.CloudTrailFileGenerator(new Random(Environment.TickCount));
        var now = DateTimeOffset.UtcNow;
        for (var b = 0; b < batches; b++)
        {
            List<CloudActivity> activities;
            if (cloudTrail)
            {
                using var file = System.Text.Json.JsonDocument.Parse(files.NextFile(batchSize));
                var (normalized, errors) = Collector.Aws.Parsing.CloudTrailNormalizer.NormalizeAll(
                    file.RootElement.GetProperty("Records"), Collector.Aws.Parsing.RecordContext.None);
                activities = errors.Count == 0 ? normalized : throw new InvalidOperationException($"the generated file has {errors.Count} bad records");
            }
            else
            {
                activities = Enumerable.Range(0, batchSize).Select(i => generator.Next(now.AddMilliseconds(-(b * batchSize + i)))).ToList();
            }
            prepared.Add(new CloudActivityBatch { BatchId = Guid.NewGuid(), Source = "bench", ReceivedAt = now, Activities = activities });
        }

        var next = -1;
        var stored = 0L;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, concurrency), cancellationToken, async (_, token) =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < prepared.Count)
            {
                await using var db = Context(connectionString);
                Interlocked.Add(ref stored, await new ActivityStore(db).StoreAsync(prepared[index], token));
            }
        });
        var elapsed = clock.Elapsed;
        Console.WriteLine($"ingest: {stored:N0} rows stored in {batches} batches of {batchSize}, {concurrency} at a time: {elapsed.TotalSeconds:N1} s, {stored / elapsed.TotalSeconds:N0} rows/s");
    }

    /// <summary>One scenario's timings in milliseconds.</summary>
    public sealed record QueryTiming(string Scenario, int Rows, double P50, double P95, double P99, double Max);

    public static async Task<IReadOnlyList<QueryTiming>> QueryAsync(string connectionString, int iterations, CancellationToken cancellationToken)
    {
        var random = new Random(11);
        var pick = new ActivityGenerator(seed: 3);
        DateTimeOffset newest;
        await using (var db = Context(connectionString))
        {
            // The signals tables too, for the overview's scenario, on a database seeded before they existed.
            await db.Database.MigrateAsync(cancellationToken);
            newest = await db.Activities.MaxAsync(a => a.Time, cancellationToken);
        }
        Console.WriteLine($"query: {iterations} timed runs a scenario after 3 warm-up runs, newest activity {newest:O}");

        string Account() => ActivityGenerator.Accounts[pick.Skewed(ActivityGenerator.Accounts.Length)];
        string Actor() => ActivityGenerator.Actors[pick.Skewed(ActivityGenerator.Actors.Length)];
        string Iso(DateTimeOffset t) => t.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        var scenarios = new (string Name, Func<OperationsDbContext, Task<int>> Run)[]
        {
            ("newest page (50)", db => List(db, new ActivityQuery())),
            ("account", db => List(db, new ActivityQuery(Account: Account()))),
            ("account + service", db => List(db, new ActivityQuery(Account: Account(), Service: "s3.amazonaws.com"))),
            ("service + operation", db => List(db, new ActivityQuery(Service: "iam.amazonaws.com", Operation: "CreateUser"))),
            ("actor", db => List(db, new ActivityQuery(Actor: Actor()))),
            ("6 h range + outcome=failure", db =>
            {
                var from = newest.AddHours(-random.Next(6, 24 * 28));
                return List(db, new ActivityQuery(From: Iso(from), To: Iso(from.AddHours(6)), Outcome: "Failure"));
            }),
            ("q=AccessDenied", db => List(db, new ActivityQuery(Q: "AccessDenied"))),
            ("q=<actor minus last 2 chars>", db => List(db, new ActivityQuery(Q: Actor()[..^2]))),
            ("q=Describe", db => List(db, new ActivityQuery(Q: "Describe"))),
            ("second page via cursor", async db =>
            {
                var first = await ActivityApi.ListActivity(db, new ActivityQuery(), null, null, cancellationToken);
                var next = ((Ok<ActivityPage>)first.Result).Value!.Next;
                return await List(db, new ActivityQuery(), next);
            }),
            ("account, second page via cursor", async db =>
            {
                var query = new ActivityQuery(Account: Account());
                var first = await ActivityApi.ListActivity(db, query, null, null, cancellationToken);
                var next = ((Ok<ActivityPage>)first.Result).Value!.Next;
                return next is null ? 0 : await List(db, query, next);
            }),
            ("counts 1h x 7 days", db => Counts(db, new ActivityQuery(From: Iso(newest.AddDays(-7)), To: Iso(newest)))),
            ("counts 1h x 7 days, account", db => Counts(db, new ActivityQuery(From: Iso(newest.AddDays(-7)), To: Iso(newest), Account: Account()))),
            // What the gateway's overview asks Operations for, at once: the last 24 hours by hour (from the top of the hour,
            // as the overview asks) and the open signals' summary.
            ("overview: activity 24 h + signals", async db =>
            {
                var from = new DateTimeOffset(newest.Year, newest.Month, newest.Day, newest.Hour, 0, 0, TimeSpan.Zero).AddHours(-24);
                await using var other = Context(connectionString);
                var counts = Counts(db, new ActivityQuery(From: Iso(from)));
                var summary = SignalSummaryApi.GetSummary(other, cancellationToken);
                await Task.WhenAll(counts, summary);
                return await counts + (await summary).Open;
            }),
        };

        var timings = new List<QueryTiming>();
        Console.WriteLine($"{"scenario",-34} {"rows",6} {"p50 ms",9} {"p95 ms",9} {"p99 ms",9} {"max ms",9}");
        foreach (var (name, run) in scenarios)
        {
            var times = new List<double>();
            var rows = 0;
            for (var i = -3; i < iterations; i++)
            {
                await using var db = Context(connectionString);
                var clock = Stopwatch.StartNew();
                rows = await run(db);
                if (i >= 0)
                {
                    times.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            times.Sort();
            Console.WriteLine($"{name,-34} {rows,6} {Percentile(times, 0.50),9:N1} {Percentile(times, 0.95),9:N1} {Percentile(times, 0.99),9:N1} {times[^1],9:N1}");
            timings.Add(new QueryTiming(name, rows, Percentile(times, 0.50), Percentile(times, 0.95), Percentile(times, 0.99), times[^1]));
        }
        return timings;

        async Task<int> List(OperationsDbContext db, ActivityQuery query, string? before = null)
        {
            var result = await ActivityApi.ListActivity(db, query, null, before, cancellationToken);
            return result.Result is Ok<ActivityPage> ok ? ok.Value!.Items.Count : throw new InvalidOperationException($"{query} was refused");
        }

        async Task<int> Counts(OperationsDbContext db, ActivityQuery query)
        {
            var result = await ActivityApi.CountActivity(db, TimeProvider.System, query, "1h", cancellationToken);
            return result.Result is Ok<ActivityCounts> ok ? ok.Value!.Counts.Count : throw new InvalidOperationException($"{query} was refused");
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
