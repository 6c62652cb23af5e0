using ControlTower.Collector.Aws.Apis;
using ControlTower.Collector.Aws.Backfill;
using ControlTower.Collector.Aws.Extensions;

if (args is ["backfill", .. var backfillArgs])
{
    using var interrupted = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; interrupted.Cancel(); };
    return await BackfillCommand.RunAsync(backfillArgs, Console.Out, interrupted.Token);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseGatewayTrust();
app.MapCloudTrailApi();
app.MapOpenApiDocument("/ingest/aws");

app.Run();
return 0;

public partial class Program;
