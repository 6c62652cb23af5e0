namespace ControlTower.Collector.Azure.Apis;

/// <summary>What the CloudEvents abuse-protection handshake grants.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Azure:Webhooks";

    /// <summary>Origins whose deliveries are allowed (Event Grid's is <c>eventgrid.azure.net</c>); empty or <c>*</c> allows any.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Requests per minute granted in <c>WebHook-Allowed-Rate</c>; unset grants any (<c>*</c>).</summary>
    public int? AllowedRate { get; set; }
}
