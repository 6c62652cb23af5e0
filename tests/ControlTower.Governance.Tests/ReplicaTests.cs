using System.Net;
using System.Net.Http.Json;
using System.Text;
using ControlTower.Governance.Apis;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Governance.Tests;

/// <summary>Governance replicas on one database: what one puts in place, every other answers with at once.</summary>
public sealed class ReplicaTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string folder = Path.Combine(Path.GetTempPath(), "ct-replicas-" + Guid.NewGuid().ToString("N"));

    public ValueTask InitializeAsync()
    {
        var source = Path.Combine(Repository.Root, "deploy", "landing-zone");
        Directory.CreateDirectory(Path.Combine(folder, "policies"));
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(folder, Path.GetRelativePath(source, file)));
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task TheControlsOfABaselinePutThroughOneReplicaAreWhatAnotherReplicaShows()
    {
        var ct = TestContext.Current.CancellationToken;
        var baselineFile = Path.Combine(folder, "baseline.yaml");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:governancedb"] = infrastructure.Postgres.NewDatabase("governance"),
            ["Governance:BaselinePath"] = baselineFile,
        };
        // One after the other, as a rollout would: the first migrates the database and records the file.
        await using var first = ServiceFactory<Program>.OnServers(infrastructure, settings: settings);
        await first.WaitUntilHealthyAsync(Timeout);
        await using var second = ServiceFactory<Program>.OnServers(infrastructure, settings: settings);
        await second.WaitUntilHealthyAsync(Timeout);
        using var one = first.CreateTrustedClient("portal");
        using var other = second.CreateTrustedClient("portal");
        const string Control = "/api/governance/controls/GOV.MACIE.1";
        Assert.Contains("ou-ab12-prd00001", (await other.GetFromJsonAsync<ControlView>(Control, ct))!.EnabledOn);

        // Prod no longer enables Macie.
        var yaml = await File.ReadAllTextAsync(baselineFile, ct);
        var changed = yaml.Replace("controls: [AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA, GOV.IAM.1, GOV.MACIE.1]",
            "controls: [AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA, GOV.IAM.1]", StringComparison.Ordinal);
        Assert.NotEqual(yaml, changed);
        using var put = await one.PutAsync("/api/governance/baseline", new StringContent(changed, Encoding.UTF8, "application/yaml"), ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        Assert.DoesNotContain("ou-ab12-prd00001", (await one.GetFromJsonAsync<ControlView>(Control, ct))!.EnabledOn);
        Assert.DoesNotContain("ou-ab12-prd00001", (await other.GetFromJsonAsync<ControlView>(Control, ct))!.EnabledOn);
        var listed = (await other.GetFromJsonAsync<List<ControlView>>("/api/governance/controls?provider=aws", ct))!;
        Assert.DoesNotContain("ou-ab12-prd00001", listed.Single(c => c.Id == "GOV.MACIE.1").EnabledOn);
    }
}
