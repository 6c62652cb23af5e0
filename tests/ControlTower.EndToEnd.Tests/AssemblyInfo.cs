using ControlTower.EndToEnd.Tests;

[assembly: AssemblyFixture(typeof(SystemFixture))]
