using ControlTower.DemoSource;

var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddOptions<DemoSourceOptions>()
    .BindConfiguration(DemoSourceOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddHttpClient(CloudTrailPusher.GatewayClient, client => client.BaseAddress = new Uri("http://gateway"));
builder.Services.AddHostedService<CloudTrailPusher>();

builder.Build().Run();
