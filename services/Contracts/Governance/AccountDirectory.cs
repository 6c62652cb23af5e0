namespace ControlTower.Contracts.Governance;

/// <summary>
/// Who owns what, as the current landing-zone baseline says: every AWS account and Azure subscription it names,
/// with owner, team and environment. Governance publishes the whole directory when it starts and whenever the
/// baseline changes; a consumer replaces what it held with the latest <see cref="PublishedAt"/>.
/// </summary>
public record AccountDirectoryPublished
{
    /// <summary>The baseline version the directory comes from.</summary>
    public required int BaselineVersion { get; init; }

    public required DateTimeOffset PublishedAt { get; init; }

    public required IReadOnlyList<DirectoryAccount> Accounts { get; init; }
}

public record DirectoryAccount
{
    /// <summary><c>aws</c> or <c>azure</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>The AWS account id or the Azure subscription id.</summary>
    public required string Account { get; init; }

    public required string Name { get; init; }

    /// <summary>The person who answers for it (an e-mail or OIDC subject), when the baseline names one.</summary>
    public string? Owner { get; init; }

    public string? Team { get; init; }

    /// <summary>e.g. <c>prod</c>, <c>nonprod</c>, <c>sandbox</c>, when the baseline names one.</summary>
    public string? Environment { get; init; }
}
