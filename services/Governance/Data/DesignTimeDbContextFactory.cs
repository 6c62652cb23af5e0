namespace ControlTower.Governance.Data;

public sealed class DesignTimeDbContextFactory : ServiceDesignTimeDbContextFactory<GovernanceDbContext>;
