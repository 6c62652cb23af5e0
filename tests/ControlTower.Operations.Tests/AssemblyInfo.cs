using ControlTower.Testing.Infrastructure;

[assembly: AssemblyFixture(typeof(InfrastructureFixture))]

// One test at a time: every host a test starts binds a queue to the same message exchanges of the assembly's
// broker, so tests running side by side would receive (and store) each other's messages and count them.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
