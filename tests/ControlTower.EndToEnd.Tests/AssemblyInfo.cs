using ControlTower.EndToEnd.Tests;
using ControlTower.EndToEnd.Tests.Portal;

[assembly: AssemblyFixture(typeof(SystemFixture))]
[assembly: AssemblyFixture(typeof(PortalBrowser))]
