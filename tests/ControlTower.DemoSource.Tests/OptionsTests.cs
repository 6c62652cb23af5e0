using ControlTower.DemoSource.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ControlTower.DemoSource.Tests;

/// <summary>The options refuse what would flood the gateway, never send, or leave the release feed without its key.</summary>
public sealed class OptionsTests
{
    private const string Key = "demo-key-0123456789abcdefghij";

    private static DemoSourceOptions Valid() => new() { ApiKey = Key, PipelineApiKey = Key };

    private static ValidateOptionsResult Validate(DemoSourceOptions options) => new DemoSourceOptionsValidator().Validate(null, options);

    [Fact]
    public void TheDefaultsWithBothKeysAreValid()
    {
        var result = Validate(Valid());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("CloudTrail", "00:00:00")]
    [InlineData("CloudTrail", "00:00:00.050")]
    [InlineData("Organization", "-00:00:01")]
    [InlineData("AzureActivity", "02:00:00")]
    [InlineData("AzureAlerts", "00:00:00.099")]
    [InlineData("Releases", "1.00:00:00")]
    public void AnIntervalOutsideAHundredMillisecondsToAnHourIsRefusedNamingTheFeed(string feed, string interval)
    {
        var options = Valid();
        FeedOf(options, feed).Interval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture);

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains($"DemoSource:{feed}:Interval", result.FailureMessage);
    }

    [Fact]
    public void AnIncidentPeriodShorterThanItsFeedsIntervalIsRefused()
    {
        var options = Valid();
        options.AzureAlerts.Interval = TimeSpan.FromMinutes(1);
        options.AzureAlerts.RestoreAfter = TimeSpan.FromSeconds(30);

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains("DemoSource:AzureAlerts:RestoreAfter", result.FailureMessage);
    }

    [Fact]
    public void TheReleaseFeedNeedsThePipelineKeyUnlessItIsOff()
    {
        var options = Valid();
        options.PipelineApiKey = "";

        Assert.Contains("PipelineApiKey", Validate(options).FailureMessage);

        options.Releases.Enabled = false;
        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void AZeroIntervalInConfigurationStopsTheStart()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DemoSource:ApiKey"] = Key,
            ["DemoSource:PipelineApiKey"] = Key,
            ["DemoSource:Organization:Interval"] = "00:00:00",
        });
        builder.AddApplicationServices();
        using var host = builder.Build();

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<DemoSourceOptions>>().Value);

        Assert.Contains("DemoSource:Organization:Interval", error.Message);
    }

    [Fact]
    public void ConfigurationBindsEachFeedsSettings()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DemoSource:ApiKey"] = Key,
            ["DemoSource:Releases:Enabled"] = "false",
            ["DemoSource:AzureAlerts:IncidentEvery"] = "00:10:00",
            ["DemoSource:Seed"] = "7",
        });
        builder.AddApplicationServices();
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<DemoSourceOptions>>().Value;

        Assert.False(options.Releases.Enabled);
        Assert.Equal(TimeSpan.FromMinutes(10), options.AzureAlerts.IncidentEvery);
        Assert.Equal(TimeSpan.FromSeconds(30), options.AzureAlerts.Interval);
        Assert.Equal(7, options.Seed);
    }

    private static FeedOptions FeedOf(DemoSourceOptions options, string feed) => feed switch
    {
        "CloudTrail" => options.CloudTrail,
        "Organization" => options.Organization,
        "AzureActivity" => options.AzureActivity,
        "AzureAlerts" => options.AzureAlerts,
        _ => options.Releases,
    };
}
