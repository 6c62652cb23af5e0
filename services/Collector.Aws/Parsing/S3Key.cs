using System.Text.RegularExpressions;

namespace ControlTower.Collector.Aws.Parsing;

/// <summary>
/// The S3 object key of a CloudTrail log file:
/// <c>[prefix/]AWSLogs/[o-orgid/]&lt;account&gt;/CloudTrail/&lt;region&gt;/YYYY/MM/DD/&lt;file&gt;.json[.gz]</c>.
/// </summary>
public sealed partial record S3Key(string Account, string Region, string? OrganizationId, DateOnly Date)
{
    public static bool TryParse(string key, out S3Key parsed)
    {
        parsed = null!;
        var match = Pattern().Match(key);
        if (!match.Success
            || !DateOnly.TryParseExact($"{match.Groups["y"].Value}-{match.Groups["m"].Value}-{match.Groups["d"].Value}", "yyyy-MM-dd", out var date))
        {
            return false;
        }
        parsed = new S3Key(
            match.Groups["account"].Value,
            match.Groups["region"].Value,
            match.Groups["org"].Success ? match.Groups["org"].Value : null,
            date);
        return true;
    }

    [GeneratedRegex(@"(?:^|/)AWSLogs/(?:(?<org>o-[a-z0-9]{10,32})/)?(?<account>\d{12})/CloudTrail/(?<region>[a-z0-9-]+)/(?<y>\d{4})/(?<m>\d{2})/(?<d>\d{2})/[^/]+\.json(?:\.gz)?$")]
    private static partial Regex Pattern();
}
