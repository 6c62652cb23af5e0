namespace ControlTower.EndToEnd.Tests;

/// <summary>
/// Without a dashboard nothing receives telemetry, and a service that kept exporting would spend its CPU serialising and
/// retrying into nothing. The fixture starts the AppHost with ControlTower:ExportTelemetry=false, as the bench does.
/// </summary>
public sealed class TelemetryTests(SystemFixture system)
{
    [Theory]
    [InlineData("operations")]
    [InlineData("governance")]
    [InlineData("releasegate")]
    [InlineData("collector-aws")]
    [InlineData("collector-azure")]
    [InlineData("gateway")]
    [InlineData("web")]
    public void ServicesAreStartedWithoutAnExporterWhenTelemetryExportIsOff(string resource)
    {
        var environment = system.ProcessEnvironment(resource);

        // The rest of Aspire's telemetry settings are still given: only the exporter's are taken away.
        Assert.Equal(resource, environment.GetValueOrDefault("OTEL_SERVICE_NAME"));
        Assert.DoesNotContain(environment.Keys, name => name.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal));
    }
}
