using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ControlTower.Contracts.Governance;
using ControlTower.Governance.Apis;
using ControlTower.Governance.Baseline;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Governance.Tests;

/// <summary>
/// The baseline's versions: recorded at start, replaced through the API with a diff, a dry run and If-Match,
/// kept with history, and surviving restarts; through real RabbitMQ and PostgreSQL.
/// </summary>
public sealed class BaselineHistoryTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "ct-baseline-" + Guid.NewGuid().ToString("N"));
    private string database = null!;

    private string BaselineFile => Path.Combine(folder, "baseline.yaml");

    public ValueTask InitializeAsync()
    {
        // A copy of the shipped example, so that a test can change the file as a deploy would.
        var source = Path.Combine(Repository.Root, "deploy", "landing-zone");
        Directory.CreateDirectory(Path.Combine(folder, "policies"));
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(folder, Path.GetRelativePath(source, file)));
        }
        database = infrastructure.Postgres.NewDatabase("governance");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>A Governance host on this test's database and baseline file: a second call is a restart.</summary>
    private async Task<(ServiceFactory<Program> Factory, HttpClient Client)> StartAsync()
    {
        var factory = ServiceFactory<Program>.OnServers(infrastructure, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:governancedb"] = database,
            ["Governance:BaselinePath"] = BaselineFile,
        });
        var client = factory.CreateTrustedClient("release-pipeline");
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        return (factory, client);
    }

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    private static string Moved(string yaml) =>
        // The audit account's home becomes the Workloads OU.
        yaml.Replace("""
                - id: "333344445555"
                  name: audit
                  role: audit
                  ou: ou-ab12-sec00001
            """, """
                - id: "333344445555"
                  name: audit
                  role: audit
                  ou: ou-ab12-wkl00001
            """, StringComparison.Ordinal);

    [Fact]
    public async Task TheFileIsVersionOneAndARestartWithTheSameFileAddsNoVersion()
    {
        var (factory, client) = await StartAsync();
        await using (factory)
        {
            using var response = await client.GetAsync("/api/governance/baseline", TestContext.Current.CancellationToken);
            var view = (await response.Content.ReadFromJsonAsync<BaselineView>(TestContext.Current.CancellationToken))!;
            Assert.Equal((1, "file"), (view.Version, view.Origin));
            Assert.Equal($"\"{view.Hash}\"", response.Headers.ETag?.Tag);
            Assert.Equal(64, view.Hash.Length);
            client.Dispose();
        }

        var (again, againClient) = await StartAsync();
        await using (again)
        {
            var history = (await againClient.GetFromJsonAsync<List<BaselineVersionSummary>>("/api/governance/baseline/history", TestContext.Current.CancellationToken))!;
            var only = Assert.Single(history);
            Assert.Equal((1, "file", "read at start"), (only.Version, only.Origin, only.Reason));
            Assert.True(only.Changes > 10, "the first version adds every OU, account and policy");
            againClient.Dispose();
        }
    }

    [Fact]
    public async Task AReplacementShowsItsDiffReconcilesTheFindingsAndIsKeptWithHistory()
    {
        var (factory, client) = await StartAsync();
        await using var _ = factory;
        using var __ = client;
        await using var resolved = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftResolved), TestContext.Current.CancellationToken);

        // The sample events move the audit account into Workloads: drift against version 1.
        await OrganizationSamples.PublishAsync(factory.Services.GetRequiredService<IBus>(), OrganizationSamples.Events());
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!(await client.GetFromJsonAsync<List<FindingView>>("/api/governance/findings?status=open", timeout.Token))!
                       .Any(f => f.Type == "ACCOUNT_MOVED_BETWEEN_OUS"))
            {
                await Task.Delay(100, timeout.Token);
            }
        }
        using var current = await client.GetAsync("/api/governance/baseline", TestContext.Current.CancellationToken);
        var etag = current.Headers.ETag!.Tag;
        var moved = Moved(await File.ReadAllTextAsync(BaselineFile, TestContext.Current.CancellationToken));

        // A dry run shows the change and changes nothing.
        using var dry = await client.PutAsync("/api/governance/baseline?dryRun=true", Yaml(moved), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        var preview = (await dry.Content.ReadFromJsonAsync<BaselineReplacementView>(TestContext.Current.CancellationToken))!;
        Assert.False(preview.Applied);
        var change = Assert.Single(preview.Changes);
        Assert.Equal(new BaselineChange("account", "333344445555", "changed", "audit (audit) under ou-ab12-sec00001, owner security-ops@example.com", "audit (audit) under ou-ab12-wkl00001, owner security-ops@example.com"), change);
        // It warns of the preventive controls its SCPs would not enforce: nothing denies deleting the log archive bucket.
        Assert.Contains("333344445555", preview.NotEnforced["AWS-GR_AUDIT_BUCKET_DELETION_PROHIBITED"]);
        Assert.Single((await client.GetFromJsonAsync<List<BaselineVersionSummary>>("/api/governance/baseline/history", TestContext.Current.CancellationToken))!);

        // Put in place with the ETag read: version 2, and the account's drift resolves in the same transaction.
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/governance/baseline?reason=audit%20moves%20to%20Workloads") { Content = Yaml(moved) };
        put.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var applied = await client.SendAsync(put, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var replacement = (await applied.Content.ReadFromJsonAsync<BaselineReplacementView>(TestContext.Current.CancellationToken))!;
        Assert.Equal((true, 2), (replacement.Applied, replacement.Version));
        Assert.Equal($"\"{replacement.Hash}\"", applied.Headers.ETag?.Tag);
        var closed = await resolved.WaitForAsync(m => m.GetProperty("type").GetString() == "ACCOUNT_MOVED_BETWEEN_OUS", TimeSpan.FromSeconds(30));
        Assert.Equal("333344445555", closed.GetProperty("subject").GetString());
        var findings = (await client.GetFromJsonAsync<List<FindingView>>("/api/governance/findings", TestContext.Current.CancellationToken))!;
        Assert.Equal("resolved", findings.Single(f => f.Type == "ACCOUNT_MOVED_BETWEEN_OUS").Status);
        var drift = (await client.GetFromJsonAsync<DriftView>("/api/governance/drift", TestContext.Current.CancellationToken))!;
        Assert.Equal(2, drift.BaselineVersion);
        Assert.DoesNotContain(drift.Findings, f => f.Type == "ACCOUNT_MOVED_BETWEEN_OUS");

        // The same ETag again is stale now: 412, and nothing changes.
        using var stale = new HttpRequestMessage(HttpMethod.Put, "/api/governance/baseline") { Content = Yaml(moved + "\n") };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var refused = await client.SendAsync(stale, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains(replacement.Hash, (await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)), StringComparison.Ordinal);

        // The same text again is no new version.
        using var same = await client.PutAsync("/api/governance/baseline", Yaml(moved), TestContext.Current.CancellationToken);
        var unchanged = (await same.Content.ReadFromJsonAsync<BaselineReplacementView>(TestContext.Current.CancellationToken))!;
        Assert.Equal((false, 2), (unchanged.Applied, unchanged.Version));
        Assert.Empty(unchanged.Changes);

        // History: newest first, with who, why and what; each version readable again exactly.
        var history = (await client.GetFromJsonAsync<List<BaselineVersionSummary>>("/api/governance/baseline/history", TestContext.Current.CancellationToken))!;
        Assert.Equal([2, 1], history.Select(v => v.Version));
        Assert.Equal(("api", "release-pipeline", "audit moves to Workloads", 1), (history[0].Origin, history[0].Source, history[0].Reason, history[0].Changes));
        var two = (await client.GetFromJsonAsync<BaselineVersionView>("/api/governance/baseline/history/2", TestContext.Current.CancellationToken))!;
        Assert.Equal(moved, two.Yaml);
        Assert.Equal(["policies/guardrails.json", "policies/protect-logging.json"], two.Files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(change, Assert.Single(two.Changes));
        Assert.Single((await client.GetFromJsonAsync<List<BaselineVersionSummary>>("/api/governance/baseline/history?before=2", TestContext.Current.CancellationToken))!);
        using var missing = await client.GetAsync("/api/governance/baseline/history/99", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task WhoOwnsWhatIsAnnouncedAtStartAndWithEveryNewVersion()
    {
        await using var spy = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(AccountDirectoryPublished), TestContext.Current.CancellationToken);
        var (factory, client) = await StartAsync();
        await using var _ = factory;
        using var __ = client;

        var first = await spy.WaitForAsync(m => m.GetProperty("baselineVersion").GetInt32() == 1, TimeSpan.FromSeconds(30));
        var payments = first.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("account").GetString() == "555566667777");
        Assert.Equal(("payments-lead@example.com", "payments", "prod"),
            (payments.GetProperty("owner").GetString(), payments.GetProperty("team").GetString(), payments.GetProperty("environment").GetString()));

        // A new owner for the payments accounts: version 2 announces it.
        var handedOver = (await File.ReadAllTextAsync(BaselineFile, TestContext.Current.CancellationToken))
            .Replace("owner: payments-lead@example.com", "owner: new-lead@example.com", StringComparison.Ordinal);
        using var put = await client.PutAsync("/api/governance/baseline?reason=new%20lead", Yaml(handedOver), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var replacement = (await put.Content.ReadFromJsonAsync<BaselineReplacementView>(TestContext.Current.CancellationToken))!;
        // The diff shows the hand-over.
        Assert.Contains(replacement.Changes, c => c.Id == "555566667777" && c.After!.Contains("owner new-lead@example.com", StringComparison.Ordinal));
        var second = await spy.WaitForAsync(m => m.GetProperty("baselineVersion").GetInt32() == 2, TimeSpan.FromSeconds(30));
        Assert.Equal("new-lead@example.com", second.GetProperty("accounts").EnumerateArray()
            .Single(a => a.GetProperty("account").GetString() == "555566667777").GetProperty("owner").GetString());
    }

    [Fact]
    public async Task AVersionPutThroughTheApiSurvivesARestartButAChangedFileWins()
    {
        var (factory, client) = await StartAsync();
        var original = await File.ReadAllTextAsync(BaselineFile, TestContext.Current.CancellationToken);
        await using (factory)
        {
            using var put = await client.PutAsync("/api/governance/baseline", Yaml(Moved(original)), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            client.Dispose();
        }

        var (restarted, restartedClient) = await StartAsync();
        await using (restarted)
        {
            var view = (await restartedClient.GetFromJsonAsync<BaselineView>("/api/governance/baseline", TestContext.Current.CancellationToken))!;
            Assert.Equal((2, "api"), (view.Version, view.Origin));
            restartedClient.Dispose();
        }

        // A deploy brings a new file (the region lock drops eu-central-1): it becomes version 3.
        await File.WriteAllTextAsync(BaselineFile, original.Replace("\"eu-west-1\",\"eu-central-1\"", "\"eu-west-1\"", StringComparison.Ordinal),
            TestContext.Current.CancellationToken);
        var (deployed, deployedClient) = await StartAsync();
        await using (deployed)
        {
            var view = (await deployedClient.GetFromJsonAsync<BaselineView>("/api/governance/baseline", TestContext.Current.CancellationToken))!;
            Assert.Equal((3, "file"), (view.Version, view.Origin));
            var three = (await deployedClient.GetFromJsonAsync<BaselineVersionView>("/api/governance/baseline/history/3", TestContext.Current.CancellationToken))!;
            // From version 2: the audit account goes back, and the region lock's document changed.
            Assert.Equal([("account", "333344445555", "changed"), ("policy", "p-regionlock", "changed")],
                three.Changes.Select(c => (c.Kind, c.Id, c.Change)));
            deployedClient.Dispose();
        }
    }

    [Fact]
    public async Task BadBaselinesAreRefusedWithProblemsAndChangeNothing()
    {
        var (factory, client) = await StartAsync();
        await using var _ = factory;
        using var __ = client;
        var original = await File.ReadAllTextAsync(BaselineFile, TestContext.Current.CancellationToken);

        var wrongRole = original.Replace("role: audit", "role: auditor", StringComparison.Ordinal);
        var wrongLine = wrongRole.Split('\n').ToList().FindIndex(l => l.Contains("role: auditor", StringComparison.Ordinal)) + 1;
        using var faulty = await client.PutAsync("/api/governance/baseline", Yaml(wrongRole), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, faulty.StatusCode);
        Assert.Equal("application/problem+json", faulty.Content.Headers.ContentType?.MediaType);
        var errors = (await faulty.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["errors"]!.AsObject();
        var (field, messages) = Assert.Single(errors);
        Assert.Equal("aws.accounts[2].role", field);
        Assert.StartsWith($"line {wrongLine}: ", messages![0]!.GetValue<string>(), StringComparison.Ordinal);

        using var notYaml = await client.PutAsync("/api/governance/baseline", Yaml("version: [1\n"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, notYaml.StatusCode);

        using var escape = await client.PutAsync("/api/governance/baseline",
            Yaml(original.Replace("file: policies/guardrails.json", "file: ../../../../etc/passwd", StringComparison.Ordinal)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, escape.StatusCode);
        Assert.Contains("cannot be read", await escape.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var json = await client.PutAsync("/api/governance/baseline", new StringContent("{}", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);

        using var huge = await client.PutAsync("/api/governance/baseline", Yaml(original + new string('#', (int)BaselineApi.MaxBytes)),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal("application/problem+json", huge.Content.Headers.ContentType?.MediaType);

        using var badLimit = await client.GetAsync("/api/governance/baseline/history?limit=0", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);

        var history = (await client.GetFromJsonAsync<List<BaselineVersionSummary>>("/api/governance/baseline/history", TestContext.Current.CancellationToken))!;
        Assert.Equal([1], history.Select(v => v.Version));
    }
}
