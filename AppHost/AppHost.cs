using System.Diagnostics;
using ControlTower.AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var startedAt = Stopwatch.StartNew();
var builder = DistributedApplication.CreateBuilder(args);

// Infrastructure: containers where a container runtime answers, the OS-packaged servers where none does,
// or existing servers when connection strings are configured. See Infrastructure/InfrastructureExtensions.cs.
var infrastructure = builder.AddControlTowerInfrastructure();

// Development secrets are generated on first run and kept in the AppHost's user secrets, never in the repo.
var internalToken = builder.AddGeneratedSecret("internal-token");
var demoSourceKey = builder.AddGeneratedSecret("demo-source-api-key");
var readerKey = builder.AddGeneratedSecret("reader-api-key");
var adminKey = builder.AddGeneratedSecret("admin-api-key");
var pipelineKey = builder.AddGeneratedSecret("pipeline-api-key");

var operations = builder.AddProject<Projects.ControlTower_Operations>("operations")
    .WithMessaging(infrastructure)
    .WithDatabase(infrastructure.OperationsDb)
    .WithDeadLetterMonitoring(infrastructure)
    .WithServiceDefaults(internalToken);

var governance = builder.AddProject<Projects.ControlTower_Governance>("governance")
    .WithMessaging(infrastructure)
    .WithDatabase(infrastructure.GovernanceDb)
    .WithServiceDefaults(internalToken)
    .WithEnvironment("Governance__BaselinePath",
        builder.Configuration["Governance:BaselinePath"] ?? Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "deploy", "landing-zone", "baseline.yaml")));

var releaseGate = builder.AddProject<Projects.ControlTower_ReleaseGate>("releasegate")
    .WithMessaging(infrastructure)
    .WithDatabase(infrastructure.ReleaseGateDb)
    .WithServiceDefaults(internalToken)
    .WithEnvironment("ReleaseGate__PoliciesPath",
        builder.Configuration["ReleaseGate:PoliciesPath"] ?? Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "deploy", "release-gates")));

// Collectors open only once the consumers have bound their queues: a batch published before that would
// have nowhere to go (the collectors publish as mandatory and answer 503 rather than lose it).
var collectorAws = builder.AddProject<Projects.ControlTower_Collector_Aws>("collector-aws")
    .WithMessaging(infrastructure)
    .WithServiceDefaults(internalToken)
    .WaitFor(operations).WaitFor(governance);

var collectorAzure = builder.AddProject<Projects.ControlTower_Collector_Azure>("collector-azure")
    .WithMessaging(infrastructure)
    .WithServiceDefaults(internalToken)
    .WaitFor(operations).WaitFor(governance);

var gateway = builder.AddProject<Projects.ControlTower_Gateway>("gateway")
    .WithReference(collectorAws).WaitFor(collectorAws)
    .WithReference(collectorAzure).WaitFor(collectorAzure)
    .WithReference(operations).WaitFor(operations)
    .WithReference(governance).WaitFor(governance)
    .WithReference(releaseGate).WaitFor(releaseGate)
    .WithDatabase(infrastructure.GatewayDb)
    // Audit entries of every write go out on the bus (through the gateway's outbox).
    .WithMessaging(infrastructure)
    .WithServiceDefaults(internalToken)
    .WithApiKey(0, "demo-source", demoSourceKey, "ingest:aws", "ingest:azure")
    // Read-only scripts and dashboards (the portal itself calls the gateway as the signed-in person, never with a key of its own).
    .WithApiKey(1, "reader", readerKey, "activity:read", "alerts:read", "signals:read", "governance:read", "releases:read")
    .WithApiKey(2, "admin", adminKey, "admin:keys", "admin:messages", "audit:read", "governance:write", "governance:suppress", "releases:waive")
    // Release pipelines: register releases, post evidence, ask for verdicts and read them.
    .WithApiKey(3, "pipeline", pipelineKey, "releases:read", "releases:write")
    .WithExternalHttpEndpoints();

var web = builder.AddProject<Projects.ControlTower_Web>("web")
    .WithReference(gateway).WaitFor(gateway)
    // Only the keys that encrypt its sign-in cookie, shared by every replica.
    .WithDatabase(infrastructure.PortalDb)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

// People's sign-in: set Authentication:Oidc:Authority and :ClientId (and :Audience, :RoleClaimType, :Scopes if needed) in
// the AppHost's configuration, and the client secret as the parameter oidc-client-secret in its user secrets. The portal
// signs people in with the same provider and calls the gateway with their access token.
if (builder.Configuration.GetSection("Authentication:Oidc") is { } oidc && !string.IsNullOrWhiteSpace(oidc["Authority"]))
{
    var oidcSecret = builder.AddParameter("oidc-client-secret", secret: true);
    foreach (var resource in new IResourceBuilder<IResourceWithEnvironment>[] { gateway, web })
    {
        foreach (var setting in oidc.AsEnumerable(makePathsRelative: true).Where(s => s.Value is not null && s.Key != "ClientSecret"))
        {
            resource.WithEnvironment($"Authentication__Oidc__{setting.Key.Replace(":", "__", StringComparison.Ordinal)}", setting.Value);
        }
        resource.WithEnvironment("Authentication__Oidc__ClientSecret", oidcSecret);
    }
}

// The one line a newcomer looks for: where the portal is, once everything behind it is healthy.
builder.Eventing.Subscribe<ResourceReadyEvent>(web.Resource, (ready, _) =>
{
    ready.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ControlTower").LogInformation(
        "Control Tower is ready after {Seconds:F1} s. Portal: {Portal}  Gateway: {Gateway}  "
        + "API keys (demo-source: ingest, reader: read, admin: key management and inventory imports, pipeline: releases): dotnet user-secrets list --project AppHost",
        startedAt.Elapsed.TotalSeconds, web.GetEndpoint("http").Url, gateway.GetEndpoint("http").Url);
    return Task.CompletedTask;
});

if (builder.Configuration.GetValue("ControlTower:DemoSource", defaultValue: builder.Environment.IsDevelopment()))
{
    builder.AddProject<Projects.ControlTower_DemoSource>("demo-source")
        .WithReference(gateway).WaitFor(gateway)
        .WithEnvironment("DemoSource__ApiKey", demoSourceKey).WithEnvironment("DemoSource__PipelineApiKey", pipelineKey);
}

// Telemetry goes to the dashboard's OTLP endpoint, which Aspire names even when a test or the bench runs without the
// dashboard. Nothing listens there then, and every service kept serialising, failing and retrying its exports: a tenth
// of Governance's CPU under load (dotnet-trace). ControlTower:ExportTelemetry=false leaves the exporters out.
if (!builder.Configuration.GetValue("ControlTower:ExportTelemetry", defaultValue: true))
{
    foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
    {
        builder.CreateResourceBuilder(project).WithEnvironment(context =>
        {
            foreach (var name in context.EnvironmentVariables.Keys.Where(k => k.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal)).ToList())
            {
                context.EnvironmentVariables.Remove(name);
            }
        });
    }
}

builder.Build().Run();
