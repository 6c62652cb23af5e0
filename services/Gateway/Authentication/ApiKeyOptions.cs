namespace ControlTower.Gateway.Authentication;

/// <summary>
/// Bootstrap API keys from configuration (the AppHost generates them in development). Only their SHA-256
/// hashes are kept in memory once the gateway has started.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "Gateway:ApiKeys";
    public const int MinimumKeyLength = 24;

    public List<ApiKeyDefinition> Keys { get; set; } = [];
}

public sealed class ApiKeyDefinition
{
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
    public List<string> Scopes { get; set; } = [];
}
