namespace ControlTower.Testing;

/// <summary>Where the repository and the test data are, seen from a running test.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>A file under <c>tests/TestData</c> (copied beside the test assembly).</summary>
    public static string TestData(string relativePath) => Path.Combine(AppContext.BaseDirectory, "TestData", relativePath);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ControlTower.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No ControlTower.sln above {AppContext.BaseDirectory}.");
    }
}
