using ControlTower.Gateway.Apis;
using ControlTower.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UseRequestLimits();
app.MapAdminKeysApi();
app.MapReverseProxy();

app.Run();

public partial class Program;
