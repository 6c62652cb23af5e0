using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ControlTower.ReleaseGate.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running database.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ReleaseGateDbContext>
{
    public ReleaseGateDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ReleaseGateDbContext>()
            .UseNpgsql("Host=localhost;Database=releasegatedb")
            .UseSnakeCaseNamingConvention()
            .Options);
}
