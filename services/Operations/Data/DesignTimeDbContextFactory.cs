namespace ControlTower.Operations.Data;

public sealed class DesignTimeDbContextFactory : ServiceDesignTimeDbContextFactory<OperationsDbContext>;
