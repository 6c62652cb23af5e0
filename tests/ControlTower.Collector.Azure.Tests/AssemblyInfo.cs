using ControlTower.Testing.Infrastructure;

[assembly: AssemblyFixture(typeof(InfrastructureFixture))]
