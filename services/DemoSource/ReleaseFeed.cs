using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ControlTower.DemoSource;

/// <summary>
/// A release pipeline, through the gateway with the pipeline key: registers the <see cref="ReleasePlanner"/>'s
/// release, posts its smoke report, truth, approvals and metric samples, asks for a verdict and logs it with its
/// reason. A step the gateway refuses is tried again on the next tick, from where it stopped; the verdict is
/// asked with the plan's id as idempotency key, so a retried ask never makes a second verdict.
/// </summary>
public sealed class ReleaseFeed(DemoGateway gateway, IOptions<DemoSourceOptions> options, DemoSeeds seeds, TimeProvider clock,
    ILogger<ReleaseFeed> logger) : DemoFeed(options.Value.Releases, clock, logger)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly ReleasePlanner planner = new(seeds.For(5));
    private ReleasePlan? plan;
    private string? releaseId;
    private int stepsDone;

    protected override string Name => "Releases";

    public override async Task TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (plan is null)
        {
            plan = planner.Next(now);
            releaseId = null;
            stepsDone = 0;
        }
        var steps = Steps(plan, now);
        while (stepsDone < steps.Count)
        {
            var (what, send) = steps[stepsDone];
            var answer = await send(cancellationToken);
            if (!answer.Ok)
            {
                logger.LogWarning("Release {Service} {Version} to {Environment}: {Step} not taken, tried again next tick: {Answer}",
                    plan.Service, plan.Version, plan.Environment, what, answer);
                if (answer.Status == 409 && stepsDone == 0)
                {
                    // The version is registered already with another build (a restart with the same seed in the same minute): plan another.
                    plan = null;
                }
                return;
            }
            stepsDone++;
            if (what == "verdict")
            {
                using var verdict = JsonDocument.Parse(answer.Body);
                var root = verdict.RootElement;
                logger.LogInformation("Release {Service} {Version} to {Environment} ({Scenario}): {Decision}, GitHub {State}: {Summary}",
                    plan.Service, plan.Version, plan.Environment, plan.Scenario, Text(root, "decision"),
                    root.TryGetProperty("gitHub", out var gitHub) ? Text(gitHub, "state") : null, Text(root, "summary"));
            }
            else
            {
                logger.LogInformation("Release {Service} {Version} to {Environment}: sent {Step}", plan.Service, plan.Version, plan.Environment, what);
            }
        }
        plan = null;
    }

    private List<(string What, Func<CancellationToken, Task<GatewayAnswer>> Send)> Steps(ReleasePlan release, DateTimeOffset now)
    {
        var key = options.Value.PipelineApiKey;
        var steps = new List<(string, Func<CancellationToken, Task<GatewayAnswer>>)>
        {
            ("registration", async ct =>
            {
                var answer = await gateway.PostAsync("/api/releases", DemoGateway.Json(Registration(release)), key, ct);
                if (answer.Ok)
                {
                    using var registered = JsonDocument.Parse(answer.Body);
                    releaseId = Text(registered.RootElement, "id");
                }
                return answer;
            }),
            ($"{release.Smoke.Format} smoke report ({release.Smoke.Cases} cases, {release.Smoke.Failed} failed)", ct =>
                gateway.PostAsync($"/api/releases/{releaseId}/smoke?format={release.Smoke.Format}",
                    DemoGateway.Bytes(release.Smoke.Bytes, release.Smoke.ContentType), key, ct)),
        };
        if (release.Replicas.Count > 0)
        {
            steps.Add(($"truth from {release.Replicas.Count} replicas", ct => gateway.PostAsync($"/api/releases/{releaseId}/truth",
                DemoGateway.Json(Truth(release, now), Web), key, ct)));
        }
        foreach (var approver in release.Approvers)
        {
            steps.Add(($"approval by {approver}", ct => gateway.PostAsync($"/api/releases/{releaseId}/approvals",
                DemoGateway.Json(new { approver, approved = true, comment = "looks good" }, Web), key, ct)));
        }
        if (release.Metrics.Count > 0)
        {
            steps.Add(($"{release.Metrics.Count} metric samples", ct => gateway.PostAsync($"/api/releases/{releaseId}/metrics",
                DemoGateway.Json(new { samples = release.Metrics.Select(m => new { metric = m.Metric, value = m.Value, observedAt = now }) }, Web), key, ct)));
        }
        steps.Add(("verdict", ct => gateway.PostAsync($"/api/releases/{releaseId}/evaluations", DemoGateway.Json(new { }), key, ct,
            idempotencyKey: $"demo-{release.Id}")));
        return steps;
    }

    public static object Registration(ReleasePlan release) => new Dictionary<string, object?>
    {
        ["service"] = release.Service,
        ["environment"] = release.Environment,
        ["version"] = release.Version,
        ["commit"] = release.Commit,
        ["artifactDigests"] = release.ArtifactDigests,
        ["pipelineRun"] = release.PipelineRun,
        ["targets"] = release.Targets,
        ["committedAt"] = release.CommittedAt,
    };

    public static object Truth(ReleasePlan release, DateTimeOffset observedAt) => new
    {
        observations = release.Replicas.Select(r => new { replica = r.Replica, version = r.Version, commit = r.Commit, imageDigest = r.ImageDigest, observedAt }),
    };

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
