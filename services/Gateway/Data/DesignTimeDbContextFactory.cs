namespace ControlTower.Gateway.Data;

public sealed class DesignTimeDbContextFactory : ServiceDesignTimeDbContextFactory<GatewayDbContext>;
