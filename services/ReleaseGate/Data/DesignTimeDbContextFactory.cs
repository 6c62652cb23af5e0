namespace ControlTower.ReleaseGate.Data;

public sealed class DesignTimeDbContextFactory : ServiceDesignTimeDbContextFactory<ReleaseGateDbContext>;
