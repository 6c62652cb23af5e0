using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using ControlTower.Governance.Apis;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Governance.Tests;

/// <summary>
/// An organisation of 5,000 accounts and 500 OUs (with its baseline) imported through the inventory API, its
/// drift evaluated and the organisation read back, on real PostgreSQL. The elapsed times are printed, not asserted.
/// </summary>
public sealed class InventoryScaleTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task AnOrganisationOf5000AccountsAnd500OusIsImportedAndItsOneMovedAccountFound()
    {
        var organization = new GeneratedOrganization(ous: 500, accounts: 5000);
        var baselinePath = organization.WriteBaseline();
        var output = TestContext.Current.TestOutputHelper!;
        try
        {
            var clock = Stopwatch.StartNew();
            await using var factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb",
                new Dictionary<string, string?> { ["Governance:BaselinePath"] = baselinePath });
            using var client = factory.CreateTrustedClient();
            await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(120));
            output.WriteLine($"service started with a baseline of 5,000 accounts and 500 OUs: {clock.ElapsedMilliseconds} ms");

            var snapshot = organization.Snapshot("2026-11-28T12:00:00Z");
            var moved = organization.Accounts[4321];
            var elsewhere = organization.Ous.First(o => o.ParentId != GeneratedOrganization.Root && o.Id != moved.ParentId).Id;
            snapshot["aws"]!["accounts"]![4321]!["parentId"] = elsewhere;
            var body = snapshot.ToJsonString();

            clock.Restart();
            using var response = await client.PostAsync("/api/governance/inventory", new StringContent(body, Encoding.UTF8, "application/json"),
                TestContext.Current.CancellationToken);
            var imported = await response.Content.ReadFromJsonAsync<InventoryImportView>(TestContext.Current.CancellationToken);
            var importMs = clock.ElapsedMilliseconds;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal((5000, 500, 1, 0, 1), (imported!.Accounts, imported.OrganizationalUnits, imported.Policies, imported.MarkedAbsent, imported.OpenFindings));

            clock.Restart();
            var drift = (await client.GetFromJsonAsync<DriftView>("/api/governance/drift", TestContext.Current.CancellationToken))!;
            var driftMs = clock.ElapsedMilliseconds;
            var finding = Assert.Single(drift.Findings);
            Assert.Equal(("ACCOUNT_MOVED_BETWEEN_OUS", moved.Id, imported.SnapshotId), (finding.Type, finding.Subject, finding.EvidenceEventId));
            Assert.Contains(elsewhere, finding.Observed);

            clock.Restart();
            var observed = (await client.GetFromJsonAsync<ObservedOrganizationView>("/api/governance/organization", TestContext.Current.CancellationToken))!;
            var readMs = clock.ElapsedMilliseconds;
            Assert.Equal(5000, observed.Accounts.Count(a => a.Member == true));
            Assert.Equal(500, observed.OrganizationalUnits.Count(o => !o.Deleted));
            Assert.Equal(elsewhere, observed.Accounts.Single(a => a.AccountId == moved.Id).ParentId);
            var expected = organization.Accounts.ToDictionary(a => a.Id, a => a.ParentId);
            Assert.Equal(4999, observed.Accounts.Count(a => expected[a.AccountId] == a.ParentId));

            // The account moved back in the next snapshot: the finding resolves, nothing else changes.
            snapshot["takenAt"] = "2026-11-28T13:00:00Z";
            snapshot["aws"]!["accounts"]![4321]!["parentId"] = moved.ParentId;
            clock.Restart();
            using var again = await client.PostAsync("/api/governance/inventory", new StringContent(snapshot.ToJsonString(), Encoding.UTF8, "application/json"),
                TestContext.Current.CancellationToken);
            var reimported = await again.Content.ReadFromJsonAsync<InventoryImportView>(TestContext.Current.CancellationToken);
            var reimportMs = clock.ElapsedMilliseconds;
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(0, reimported!.OpenFindings);
            var findings = (await client.GetFromJsonAsync<List<FindingView>>("/api/governance/findings", TestContext.Current.CancellationToken))!;
            Assert.Equal("resolved", Assert.Single(findings).Status);

            output.WriteLine($"snapshot of {Encoding.UTF8.GetByteCount(body):N0} bytes (5,000 accounts, 500 OUs, 1 SCP, the Azure estate)");
            output.WriteLine($"import with drift reconciliation: {importMs} ms; GET /drift: {driftMs} ms; GET /organization: {readMs} ms; re-import resolving the move: {reimportMs} ms");
        }
        finally
        {
            File.Delete(baselinePath);
        }
    }
}
