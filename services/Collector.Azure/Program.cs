var builder = WebApplication.CreateBuilder(args);

// The Azure doors (Event Grid, Activity Log, Monitor alerts) arrive with issue #4; until then this host
// runs with the shared defaults and bus so the system diagram is complete.
builder.AddServiceDefaults();
builder.AddControlTowerBus("collector-azure");

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseGatewayTrust();

app.Run();

public partial class Program;
