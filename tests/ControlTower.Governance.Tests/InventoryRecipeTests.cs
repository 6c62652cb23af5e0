using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using ControlTower.Governance.Apis;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Governance.Tests;

/// <summary>
/// The README's recipe (deploy/landing-zone/inventory.sh) run against stand-ins for the AWS and Azure CLIs that
/// answer as the example landing zone would (tests/TestData/cli), its snapshot imported: the example estate,
/// read through the CLIs, is exactly the example baseline.
/// </summary>
public sealed class InventoryRecipeTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task TheCliRecipesSnapshotOfTheExampleLandingZoneImportsWithoutDrift()
    {
        var snapshot = await RunRecipeAsync();
        await using var factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb", new Dictionary<string, string?>
        {
            ["Governance:BaselinePath"] = Path.Combine(Repository.Root, "deploy", "landing-zone", "baseline.yaml"),
        });
        using var client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        using var response = await client.PostAsync("/api/governance/inventory", new StringContent(snapshot, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var imported = (await response.Content.ReadFromJsonAsync<InventoryImportView>(TestContext.Current.CancellationToken))!;
        Assert.Equal((6, 7, 4, 5, 2, 2, 0), (imported.Accounts, imported.OrganizationalUnits, imported.Policies, imported.ManagementGroups,
            imported.Subscriptions, imported.PolicyAssignments, imported.PolicyExemptions));
        // The snapshot is taken now, after every sample event other tests may publish: none of them can show through.
        var drift = (await client.GetFromJsonAsync<DriftView>("/api/governance/drift", TestContext.Current.CancellationToken))!;
        Assert.Empty(drift.Findings);
        var aws = (await client.GetFromJsonAsync<ObservedOrganizationView>("/api/governance/organization", TestContext.Current.CancellationToken))!;
        Assert.Equal("ou-ab12-wkl00001", aws.OrganizationalUnits.Single(o => o.OuId == "ou-ab12-prd00001").ParentId);
        Assert.Equal(["222233334444", "ou-ab12-sec00001", "ou-ab12-wkl00001"], aws.Policies.Single(p => p.PolicyId == "p-guardrail02").Targets.Order(StringComparer.Ordinal));
        var azure = (await client.GetFromJsonAsync<ObservedAzureView>("/api/governance/azure", TestContext.Current.CancellationToken))!;
        Assert.Equal("alz-corp", azure.Subscriptions.Single(s => s.Name == "corp-payments").ManagementGroupId);
        Assert.Equal("Deny", azure.PolicyAssignments.Single(a => a.Name == "deny-public-ip").Effect);
    }

    private static async Task<string> RunRecipeAsync()
    {
        var bin = Directory.CreateTempSubdirectory("ct-cli-");
        try
        {
            foreach (var cli in new[] { "aws", "az" })
            {
                var wrapper = Path.Combine(bin.FullName, cli);
                await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec bash '{Repository.TestData($"cli/{cli}.sh")}' \"$@\"\n", TestContext.Current.CancellationToken);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
            var start = new ProcessStartInfo("bash", [Path.Combine(Repository.Root, "deploy", "landing-zone", "inventory.sh"), "--aws", "--azure", "alz"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["PATH"] = bin.FullName + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            start.Environment["CT_POLICIES"] = Path.Combine(Repository.Root, "deploy", "landing-zone", "policies");
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"inventory.sh failed (is jq installed? ./ct setup installs it): {await errors}");
            return await output;
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }
}
