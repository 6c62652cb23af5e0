using Amazon.SQS;
using ControlTower.Collector.Aws.Sqs;
using ControlTower.Collector.Ingestion;

namespace ControlTower.Collector.Aws.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddIngestion();
        builder.AddControlTowerBus("collector-aws");
        builder.AddSqsPoller();
    }

    /// <summary>The SQS poller runs only where a queue is configured (<c>Sqs:QueueUrl</c>).</summary>
    private static void AddSqsPoller(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SqsOptions>().BindConfiguration(SqsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var sqs = builder.Configuration.GetSection(SqsOptions.SectionName).Get<SqsOptions>();
        if (string.IsNullOrWhiteSpace(sqs?.QueueUrl))
        {
            return;
        }
        builder.Services.AddSingleton<IAmazonSQS>(_ => sqs.ServiceUrl is null
            ? new AmazonSQSClient()
            : new AmazonSQSClient(new AmazonSQSConfig { ServiceURL = sqs.ServiceUrl }));
        builder.Services.AddHostedService<SqsPoller>();
    }
}
