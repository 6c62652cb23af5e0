using System.Net.Http.Json;
using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Alerts;
using ControlTower.Contracts.Governance;
using ControlTower.Contracts.Operations;
using ControlTower.Contracts.Releases;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Operations.Tests;

/// <summary>Every source through the broker: what creates, counts, clears, reopens or starts anew a signal.</summary>
public sealed class SignalSourceTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private SignalsHost host = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        host = await SignalsHost.StartAsync(infrastructure);
        client = host.Client();
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await host.DisposeAsync();
    }

    private static MonitorAlert Alert(string alertId, string rule, AlertCondition condition, DateTimeOffset firedAt, DateTimeOffset? resolvedAt = null) => new()
    {
        Provider = "azure",
        AlertId = alertId,
        Condition = condition,
        Rule = rule,
        Severity = "Sev1",
        Account = "0000-sub",
        Targets = ["/subscriptions/0000-sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"],
        FiredAt = firedAt,
        ResolvedAt = resolvedAt,
        Raw = RawJson.FromText("{}"),
    };

    private Task PublishAlerts(params MonitorAlert[] alerts) => host.Publish(new MonitorAlertBatch
    {
        BatchId = Guid.NewGuid(), Source = "azure-monitor", ReceivedAt = DateTimeOffset.UtcNow, Alerts = alerts,
    });

    [Fact]
    public async Task AlertsCountWhileOpenKeepTheirStatusWhenClearedAndStartANewSignalAfterAnOperatorResolvedThem()
    {
        var rule = "cpu-" + Guid.NewGuid().ToString("N")[..8];
        var key = $"alert:azure:{rule}:/subscriptions/0000-sub/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1";
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-30);
        string A = "/alerts/" + Guid.NewGuid(), B = "/alerts/" + Guid.NewGuid(), C = "/alerts/" + Guid.NewGuid();

        await PublishAlerts(Alert(A, rule, AlertCondition.Fired, t0));
        var first = await host.WaitForSignal(client, key);
        Assert.Equal(("alert", "new", "firing", 1), (first.Kind, first.Status, first.Condition, first.Count));
        Assert.Equal(("high", "Sev1", "0000-sub"), (first.Severity, first.OriginalSeverity, first.Account));

        // A redelivered fired notification and another instance of the same rule on the same target.
        await PublishAlerts(Alert(A, rule, AlertCondition.Fired, t0));
        await PublishAlerts(Alert(B, rule, AlertCondition.Fired, t0.AddMinutes(1)));
        var counted = await host.WaitForSignal(client, key, s => s.Count >= 2);
        Assert.Equal(2, counted.Count);
        Assert.Equal(first.Id, counted.Id);

        await PublishAlerts(Alert(A, rule, AlertCondition.Resolved, t0, t0.AddMinutes(5)));
        var cleared = await host.WaitForSignal(client, key, s => s.Condition == "resolved");
        Assert.Equal("new", cleared.Status);

        using (var resolve = await SignalsHost.Act(client, cleared.Id, "resolve", new { classification = "truePositive" }, cleared.ETag))
        {
            resolve.EnsureSuccessStatusCode();
        }
        await PublishAlerts(Alert(C, rule, AlertCondition.Fired, t0.AddMinutes(20)));
        var again = await host.WaitForSignal(client, key, count: 2);
        Assert.NotEqual(first.Id, again.Id);
        Assert.Equal(("new", "firing", 1), (again.Status, again.Condition, again.Count));
        var all = await host.Signals(client, key);
        Assert.Equal("resolved", all.Single(s => s.Id == first.Id).Status);
    }

    [Fact]
    public async Task AResolvedNotificationArrivingBeforeItsFiredOneLeavesNoOpenSignal()
    {
        var rule = "late-" + Guid.NewGuid().ToString("N")[..8];
        var key = $"alert:azure:{rule}:/subscriptions/0000-sub/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1";
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-30);
        var id = "/alerts/" + Guid.NewGuid();

        await PublishAlerts(Alert(id, rule, AlertCondition.Resolved, t0, t0.AddMinutes(5)));
        await PublishAlerts(Alert(id, rule, AlertCondition.Fired, t0));
        // A sentinel on the same queue, after both.
        var sentinelRule = "sentinel-" + Guid.NewGuid().ToString("N")[..8];
        await PublishAlerts(Alert("/alerts/" + Guid.NewGuid(), sentinelRule, AlertCondition.Fired, t0));
        await host.WaitForSignal(client, $"alert:azure:{sentinelRule}:/subscriptions/0000-sub/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1");

        Assert.Empty(await host.Signals(client, key));
    }

    [Fact]
    public async Task DriftFindingsResolveThemselvesAndReopenToNewWhenTheyReturn()
    {
        var finding = Guid.NewGuid();
        var key = $"drift:{finding}";
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        DriftDetected Detected(int occurrence, DateTimeOffset at) => new()
        {
            FindingId = finding, Occurrence = occurrence, Type = "ACCOUNT_MOVED_BETWEEN_OUS", Subject = "111122223333", Severity = "high",
            Expected = "ou-prod", Observed = "ou-sandbox", Repair = "move it back", DetectedAt = at,
        };

        await host.Publish(Detected(1, t0));
        var opened = await host.WaitForSignal(client, key);
        Assert.Equal(("drift", "new", "high", "111122223333"), (opened.Kind, opened.Status, opened.Severity, opened.Account));

        await host.Publish(new DriftResolved { FindingId = finding, Occurrence = 1, Type = "ACCOUNT_MOVED_BETWEEN_OUS", Subject = "111122223333", ResolvedAt = t0.AddMinutes(1) });
        var resolved = await host.WaitForSignal(client, key, s => s.Status == "resolved");
        Assert.Equal(("resolved", "undetermined"), (resolved.Condition, resolved.Classification));

        // A redelivery of the first detection changes nothing; the second occurrence reopens the same signal.
        await host.Publish(Detected(1, t0));
        await host.Publish(Detected(2, t0.AddMinutes(2)));
        var reopened = await host.WaitForSignal(client, key, s => s.Status == "new");
        Assert.Equal(opened.Id, reopened.Id);
        Assert.Equal(2, reopened.Count);
        Assert.Null(reopened.Classification);
        Assert.Single(await host.Signals(client, key));

        var (detail, _) = await host.Detail(client, reopened.Id);
        var statuses = detail.Timeline.Where(t => t.Type == "status").Select(t => $"{t.From}->{t.To}").ToList();
        Assert.Equal(["new->resolved", "resolved->new"], statuses);
        Assert.All(detail.Timeline, t => Assert.Equal("system", t.Actor));
    }

    [Fact]
    public async Task GuardrailViolationsCountOncePerEvidenceEvent()
    {
        var finding = Guid.NewGuid();
        GuardrailViolated Violation(int occurrence, string eventId) => new()
        {
            FindingId = finding, Occurrence = occurrence, ControlId = "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", Subject = "trail/main",
            Severity = "critical", Provider = "aws", Account = "444455556666", EvidenceEventId = eventId,
            EventTime = DateTimeOffset.UtcNow.AddMinutes(-occurrence), DetectedAt = DateTimeOffset.UtcNow,
        };

        await host.Publish(Violation(1, "e1"));
        await host.Publish(Violation(1, "e1"));
        await host.Publish(Violation(2, "e2"));
        var signal = await host.WaitForSignal(client, $"guardrail:{finding}", s => s.Count >= 2);

        Assert.Equal(("guardrail", "critical", "aws", 2), (signal.Kind, signal.Severity, signal.Provider, signal.Count));
    }

    [Fact]
    public async Task ResolvingAGuardrailSignalAsksGovernanceToCloseTheFindingAndItsAnswerClearsTheCondition()
    {
        await using var asked = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(SignalResolved), TestContext.Current.CancellationToken);
        var finding = Guid.NewGuid();
        await host.Publish(new GuardrailViolated
        {
            FindingId = finding, Occurrence = 3, ControlId = "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", Subject = "trail/main", Severity = "critical",
            Provider = "aws", Account = "444455556666", EvidenceEventId = "e3", EventTime = DateTimeOffset.UtcNow, DetectedAt = DateTimeOffset.UtcNow,
        });
        var signal = await host.WaitForSignal(client, $"guardrail:{finding}");
        var (_, etag) = await host.Detail(client, signal.Id);

        using var resolve = await SignalsHost.Act(client, signal.Id, "resolve", new { classification = "truePositive", text = "trail restarted" }, etag);
        Assert.Equal(System.Net.HttpStatusCode.OK, resolve.StatusCode);

        // Through the outbox, after the commit: the finding and the occurrence the person saw.
        var message = await asked.WaitForAsync(m => m.GetProperty("sourceId").GetString() == finding.ToString(), TimeSpan.FromSeconds(30));
        Assert.Equal((signal.Id, "guardrail", "governance", 3, "TruePositive", "ana@example.com"), (message.GetProperty("signalId").GetInt64(),
            message.GetProperty("kind").GetString(), message.GetProperty("source").GetString(), message.GetProperty("sourceOccurrence").GetInt32(),
            message.GetProperty("classification").GetString(), message.GetProperty("resolvedBy").GetString()));

        // Governance's answer clears the source condition; the person's resolution stands.
        await host.Publish(new GuardrailResolved
        {
            FindingId = finding, Occurrence = 3, ControlId = "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", Subject = "trail/main", Account = "444455556666",
            ResolvedBy = "ana@example.com", Classification = "TruePositive", ResolvedAt = DateTimeOffset.UtcNow.AddSeconds(1),
        });
        var cleared = await host.WaitForSignal(client, $"guardrail:{finding}", s => s.Condition == "resolved");
        Assert.Equal(("resolved", "truePositive"), (cleared.Status, cleared.Classification));
    }

    [Fact]
    public async Task TheSummaryCountsOpenSignalsBySeveritySourceEnvironmentStatusAndKind()
    {
        var before = (await client.GetFromJsonAsync<Apis.SignalSummary>("/api/signals/summary", TestContext.Current.CancellationToken))!;
        var (finding, service, queue) = (Guid.NewGuid(), "svc-" + Guid.NewGuid().ToString("N")[..8], "q-" + Guid.NewGuid().ToString("N")[..8] + "_error");
        await host.Publish(new AccountDirectoryPublished
        {
            BaselineVersion = 1, PublishedAt = DateTimeOffset.UtcNow,
            Accounts = [new DirectoryAccount { Provider = "aws", Account = "777788889999", Name = "shop-prod", Owner = "lee@example.com", Environment = "prod" }],
        });
        await Eventually.ValueAsync<bool>(async () =>
            await host.WithDb(db => db.DirectoryAccounts.AnyAsync(a => a.Account == "777788889999", TestContext.Current.CancellationToken)) ? true : null);
        await host.Publish(new GuardrailViolated
        {
            FindingId = finding, Occurrence = 1, ControlId = "GOV.EC2.1", Subject = "777788889999/vol-1", Severity = "critical", Provider = "aws",
            Account = "777788889999", EvidenceEventId = "e-" + finding, EventTime = DateTimeOffset.UtcNow, DetectedAt = DateTimeOffset.UtcNow,
        });
        await host.Publish(new ReleaseVerdictIssued
        {
            EvaluationId = Guid.NewGuid(), ReleaseId = Guid.NewGuid(), Service = service, Environment = "staging", Version = "1.0.0", Commit = "abc",
            Decision = "Fail", RawOutcome = "Fail", GitHub = "rejected", PolicyId = "default", PolicyVersion = 1, PolicyHash = "h", Digest = "d",
            EvaluatedAt = DateTimeOffset.UtcNow, Summary = "Fail: smoke failed",
        });
        await host.Publish(new DeadLettersObserved { Queue = queue, Count = 2, ObservedAt = DateTimeOffset.UtcNow });
        await host.WaitForSignal(client, $"guardrail:{finding}", s => s.Owner == "lee@example.com");
        await host.WaitForSignal(client, $"release:{service}:staging");

        var after = await client.GetUntilAsync<Apis.SignalSummary>("/api/signals/summary", s => s.Open >= before.Open + 3);

        int Delta(Func<Apis.SignalSummary, IReadOnlyDictionary<string, int>> by, string key) =>
            by(after).GetValueOrDefault(key) - by(before).GetValueOrDefault(key);
        Assert.Equal(3, after.Open - before.Open);
        Assert.Equal(3, after.New - before.New);
        Assert.Equal((1, 1, 1), (Delta(s => s.BySource, "aws"), Delta(s => s.BySource, "pipelines"), Delta(s => s.BySource, "platform")));
        Assert.Equal(1, Delta(s => s.BySeverity, "critical"));
        Assert.Equal((1, 1), (Delta(s => s.ByEnvironment, "prod"), Delta(s => s.ByEnvironment, "staging")));
        Assert.Equal((1, 1, 1), (Delta(s => s.ByKind, "guardrail"), Delta(s => s.ByKind, "release"), Delta(s => s.ByKind, "dead-letter")));
        // The guardrail signal has its account's owner; the other two have nobody yet.
        Assert.Equal(2, after.Unassigned - before.Unassigned);
        Assert.NotNull(after.OldestOpenSince);
    }

    [Fact]
    public async Task AFailedReleaseVerdictFiresAndALaterPassForTheSameServiceAndEnvironmentResolvesIt()
    {
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        var key = $"release:{service}:prod";
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        ReleaseVerdictIssued Verdict(string decision, DateTimeOffset at, string environment = "prod") => new()
        {
            EvaluationId = Guid.NewGuid(), ReleaseId = Guid.NewGuid(), Service = service, Environment = environment, Version = "1.2.3",
            Commit = "abc", Decision = decision, RawOutcome = decision, GitHub = "rejected", PolicyId = "default", PolicyVersion = 1,
            PolicyHash = "h", Digest = "d", EvaluatedAt = at, Summary = $"{decision}: smoke failed",
        };

        await host.Publish(Verdict("Pass", t0));
        await host.Publish(Verdict("Fail", t0.AddMinutes(1)));
        var failed = await host.WaitForSignal(client, key);
        Assert.Equal(("release", "new", "firing", "high", "Fail"), (failed.Kind, failed.Status, failed.Condition, failed.Severity, failed.OriginalSeverity));
        Assert.Equal("prod", failed.Environment);

        // A pass in another environment is not this one's.
        await host.Publish(Verdict("Pass", t0.AddMinutes(2), "staging"));
        await host.Publish(Verdict("PassWithWaiver", t0.AddMinutes(3)));
        var passed = await host.WaitForSignal(client, key, s => s.Condition == "resolved");
        Assert.Equal("resolved", passed.Status);

        await host.Publish(Verdict("Inconclusive", t0.AddMinutes(4)));
        var again = await host.WaitForSignal(client, key, s => s.Status == "new");
        Assert.Equal((failed.Id, "medium", 2), (again.Id, again.Severity, again.Count));
    }

    [Fact]
    public async Task AnErrorQueueWithMessagesFiresAndItsEmptyingResolves()
    {
        var queue = "operations-" + Guid.NewGuid().ToString("N")[..8] + "_error";
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);

        await host.Publish(new DeadLettersObserved { Queue = queue, Count = 3, Error = "boom", ObservedAt = t0 });
        var firing = await host.WaitForSignal(client, $"dead-letter:{queue}");
        Assert.Equal(("dead-letter", "firing", queue), (firing.Kind, firing.Condition, firing.Resource));
        Assert.Contains("3 message", firing.Title);

        await host.Publish(new DeadLettersObserved { Queue = queue, Count = 0, ObservedAt = t0.AddMinutes(1) });
        var emptied = await host.WaitForSignal(client, $"dead-letter:{queue}", s => s.Condition == "resolved");
        Assert.Equal("resolved", emptied.Status);
    }

    [Fact]
    public async Task ANewSignalTakesItsOwnerTeamAndEnvironmentFromTheAccountDirectory()
    {
        var account = Random.Shared.NextInt64(100000000000, 999999999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await host.Publish(new AccountDirectoryPublished
        {
            BaselineVersion = 3,
            PublishedAt = DateTimeOffset.UtcNow,
            Accounts = [new DirectoryAccount { Provider = "aws", Account = account, Name = "payments-prod", Owner = "bo@example.com", Team = "payments", Environment = "prod" }],
        });
        await Eventually.ValueAsync<bool>(async () =>
            await host.WithDb(db => db.DirectoryAccounts.AnyAsync(a => a.Account == account, TestContext.Current.CancellationToken)) ? true : null);

        var finding = Guid.NewGuid();
        await host.Publish(new GuardrailViolated
        {
            FindingId = finding, Occurrence = 1, ControlId = "AWS-GR_ROOT_ACCESS_KEY", Subject = account, Severity = "high", Provider = "aws",
            Account = account, EvidenceEventId = "e-" + finding, EventTime = DateTimeOffset.UtcNow, DetectedAt = DateTimeOffset.UtcNow,
        });
        var signal = await host.WaitForSignal(client, $"guardrail:{finding}");

        Assert.Equal(("bo@example.com", "payments", "prod"), (signal.Owner, signal.Team, signal.Environment));
        var mine = await host.Client("bo@example.com").GetUntilAsync<Apis.SignalPage>("/api/signals?mine=true", p => p.Items.Count > 0);
        Assert.Contains(mine.Items, s => s.Id == signal.Id);
        Assert.All(mine.Items, s => Assert.Equal("bo@example.com", s.Owner));
    }

    [Fact]
    public async Task ASignalRaisedBeforeTheDirectoryNamedItsAccountGetsItsOwnerWhenItArrives()
    {
        var account = Random.Shared.NextInt64(100000000000, 999999999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (unknown, assigned) = (Guid.NewGuid(), Guid.NewGuid());
        foreach (var finding in new[] { unknown, assigned })
        {
            await host.Publish(new GuardrailViolated
            {
                FindingId = finding, Occurrence = 1, ControlId = "AWS-GR_ROOT_ACCESS_KEY", Subject = account + "/" + finding, Severity = "high",
                Provider = "aws", Account = account, EvidenceEventId = "e-" + finding, EventTime = DateTimeOffset.UtcNow, DetectedAt = DateTimeOffset.UtcNow,
            });
        }
        var before = await host.WaitForSignal(client, $"guardrail:{unknown}");
        var other = await host.WaitForSignal(client, $"guardrail:{assigned}");
        Assert.Equal(((string?)null, (string?)null, (string?)null), (before.Owner, before.Team, before.Environment));
        // A person took the second one already: their assignment must survive the directory.
        await host.WithDb(db => db.Signals.Where(x => x.Id == other.Id).ExecuteUpdateAsync(set => set.SetProperty(x => x.Owner, "oncall@example.com"), TestContext.Current.CancellationToken));

        await host.Publish(new AccountDirectoryPublished
        {
            BaselineVersion = 9, PublishedAt = DateTimeOffset.UtcNow,
            Accounts = [new DirectoryAccount { Provider = "aws", Account = account, Name = "late", Owner = "late@example.com", Team = "ledger", Environment = "staging" }],
        });

        var after = await host.WaitForSignal(client, $"guardrail:{unknown}", x => x.Owner is not null);
        Assert.Equal(("late@example.com", "ledger", "staging"), (after.Owner, after.Team, after.Environment));
        var kept = await host.WaitForSignal(client, $"guardrail:{assigned}", x => x.Team is not null);
        Assert.Equal(("oncall@example.com", "ledger", "staging"), (kept.Owner, kept.Team, kept.Environment));
    }

    [Fact]
    public async Task AnOlderDirectoryNeverReplacesANewerOne()
    {
        var account = "dir-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        AccountDirectoryPublished Directory(int version, DateTimeOffset at, string owner) => new()
        {
            BaselineVersion = version, PublishedAt = at,
            Accounts = [new DirectoryAccount { Provider = "azure", Account = account, Name = "n", Owner = owner }],
        };

        await host.Publish(Directory(5, now, "new-owner"));
        await host.Publish(Directory(4, now.AddMinutes(-5), "old-owner"));
        var sentinel = "dir-" + Guid.NewGuid().ToString("N")[..8];
        await host.Publish(new AccountDirectoryPublished
        {
            BaselineVersion = 6, PublishedAt = now.AddMinutes(1),
            Accounts = [new DirectoryAccount { Provider = "azure", Account = account, Name = "n", Owner = "newest" }, new DirectoryAccount { Provider = "azure", Account = sentinel, Name = "s" }],
        });
        await Eventually.ValueAsync<bool>(async () =>
            await host.WithDb(db => db.DirectoryAccounts.AnyAsync(a => a.Account == sentinel, TestContext.Current.CancellationToken)) ? true : null);

        var owner = await host.WithDb(db => db.DirectoryAccounts.Where(a => a.Account == account).Select(a => a.Owner).SingleAsync(TestContext.Current.CancellationToken));
        Assert.Equal("newest", owner);
    }

    private static CloudActivity Activity(string account, string operation, string? actorType = null, ActivityOutcome outcome = ActivityOutcome.Success,
        string? actor = null) => new()
    {
        Provider = "aws", EventId = Guid.NewGuid().ToString(), Time = DateTimeOffset.UtcNow.AddMinutes(-1), Account = account,
        Service = operation == "ConsoleLogin" ? "signin" : "cloudtrail", Operation = operation, ActorType = actorType, Actor = actor,
        Outcome = outcome, SourceIp = "198.51.100.4", Raw = RawJson.FromText("{}"),
    };

    private Task PublishActivities(params CloudActivity[] activities) => host.Publish(new CloudActivityBatch
    {
        BatchId = Guid.NewGuid(), Source = "cloudtrail", ReceivedAt = DateTimeOffset.UtcNow, Activities = activities,
    });

    [Fact]
    public async Task NotableActivityRaisesSignalsForRootSignInTrailStoppedAndABurstOfFailedSignIns()
    {
        var account = Random.Shared.NextInt64(100000000000, 999999999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await PublishActivities(Activity(account, "ConsoleLogin", "Root", actor: "root"), Activity(account, "CreateUser"),
            Activity(account, "StopLogging"));
        var root = await host.WaitForSignal(client, $"activity:root-sign-in:aws:{account}");
        var trail = await host.WaitForSignal(client, $"activity:trail-stopped:aws:{account}");
        Assert.Equal(("activity", "high"), (root.Kind, root.Severity));
        Assert.Equal("critical", trail.Severity);

        // Four failures, then the same batch redelivered: still under the threshold of five.
        var failures = Enumerable.Range(0, 4).Select(_ => Activity(account, "ConsoleLogin", "IAMUser", ActivityOutcome.Failure, "mallory")).ToArray();
        var batch = new CloudActivityBatch { BatchId = Guid.NewGuid(), Source = "cloudtrail", ReceivedAt = DateTimeOffset.UtcNow, Activities = failures };
        await host.Publish(batch);
        await host.Publish(batch);
        await PublishActivities(Activity(account, "ConsoleLogin", "Root", actor: "root"));
        await host.WaitForSignal(client, $"activity:root-sign-in:aws:{account}", s => s.Count >= 2);
        var burstKey = $"activity:failed-console-logins:aws:{account}:mallory";
        Assert.Empty(await host.Signals(client, burstKey));

        await PublishActivities(Activity(account, "ConsoleLogin", "IAMUser", ActivityOutcome.Failure, "mallory"));
        var burst = await host.WaitForSignal(client, burstKey);
        Assert.Equal(("activity", "medium", "mallory"), (burst.Kind, burst.Severity, burst.Resource));
    }
}
