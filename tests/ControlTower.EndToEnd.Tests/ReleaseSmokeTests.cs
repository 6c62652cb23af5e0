using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using ControlTower.Testing;

namespace ControlTower.EndToEnd.Tests;

/// <summary>
/// deploy/scripts/post_deploy_api_smoke.sh against the system the AppHost starts, as the release workflow runs
/// it: its checks pass, its JUnit report becomes the release's smoke evidence, and the gate (the controltower
/// policy of deploy/release-gates) approves, with a verdict that replays.
/// </summary>
public sealed class ReleaseSmokeTests(SystemFixture system)
{
    [Fact]
    public async Task ThePostDeploySmokeScriptDrivesAReleaseToAnApprovedVerdict()
    {
        var junit = Path.Combine(Path.GetTempPath(), $"smoke-{Guid.NewGuid():N}.xml");
        var version = "1.0." + Random.Shared.Next(1_000_000);
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     Path.Combine(Repository.Root, "deploy", "scripts", "post_deploy_api_smoke.sh"),
                     "--gateway", system.Gateway.BaseAddress!.ToString(), "--service", "controltower", "--environment", "e2e",
                     "--version", version, "--commit", "0123456789abcdef0123456789abcdef01234567", "--junit", junit, "--timeout", "60",
                 })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["CT_RELEASE_KEY"] = system.PipelineKey;
        start.Environment["CT_INGEST_KEY"] = system.IngestKey;
        start.Environment["CT_READ_KEY"] = system.ReaderKey;
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(process.ExitCode == 0, $"the script exited {process.ExitCode}:\n{error}\n{await output}");

            // Every check ran and passed, in the two suites the policy requires.
            var report = XDocument.Load(junit);
            var cases = report.Descendants("testcase").ToList();
            Assert.Equal(7, cases.Count);
            Assert.Empty(report.Descendants("failure"));
            Assert.Empty(report.Descendants("skipped"));
            Assert.Equal(["api-smoke", "ingestion-roundtrip"], report.Descendants("testsuite").Select(s => (string)s.Attribute("name")!).Order());
            Assert.Contains("Verdict ", error, StringComparison.Ordinal);

            // The gate's record: the release, its approved verdict, and a replay to the same digest.
            using var readiness = new HttpRequestMessage(HttpMethod.Get, "/api/releases/readiness");
            readiness.Headers.Add("X-Api-Key", system.PipelineKey);
            using var answer = await system.Gateway.SendAsync(readiness, TestContext.Current.CancellationToken);
            var entry = (await answer.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).EnumerateArray()
                .Single(r => r.GetProperty("service").GetString() == "controltower" && r.GetProperty("environment").GetString() == "e2e");
            Assert.Equal(version, entry.GetProperty("release").GetProperty("version").GetString());
            var verdict = entry.GetProperty("latestVerdict");
            Assert.Equal("approved", verdict.GetProperty("gitHub").GetProperty("state").GetString());
            Assert.Contains(verdict.GetProperty("decision").GetString(), new[] { "Pass", "Warn" });

            using var replay = new HttpRequestMessage(HttpMethod.Post, $"/api/releases/evaluations/{verdict.GetProperty("id").GetGuid()}/replay");
            replay.Headers.Add("X-Api-Key", system.PipelineKey);
            using var replayed = await system.Gateway.SendAsync(replay, TestContext.Current.CancellationToken);
            Assert.True((await replayed.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("matches").GetBoolean());
        }
        finally
        {
            File.Delete(junit);
        }
    }
}
