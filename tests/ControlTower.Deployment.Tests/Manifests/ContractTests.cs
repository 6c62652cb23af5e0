namespace ControlTower.Deployment.Tests.Manifests;

/// <summary>The contract table these checks hold the manifests to, against the projects it names.</summary>
public sealed class ContractTests
{
    public static TheoryData<string> Names => [.. Contract.Workloads.Select(w => w.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void TheProjectExistsAndAnyContainerRepositoryItDeclaresIsTheContractsImage(string name)
    {
        var w = Contract.Workloads.Single(w => w.Name == name);
        Assert.True(File.Exists(w.CsprojPath), $"{w.Project} does not exist");
        // The images build sets ContainerRepository in each csproj; until it does, the contract's name stands in.
        if (w.CsprojContainerRepository() is { } repository)
        {
            Assert.Equal(w.Image, repository);
        }
        Assert.Equal(w.Image, w.ExpectedImage);
    }
}
