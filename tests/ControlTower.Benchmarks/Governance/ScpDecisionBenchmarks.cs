using System.Text;
using BenchmarkDotNet.Attributes;
using ControlTower.Governance.Scp;

namespace ControlTower.Benchmarks.Governance;

/// <summary>
/// SCP decisions on a five-level path (root, three OUs, account), each level with FullAWSAccess and nine
/// policies of twenty statements with conditions: the largest organisation AWS allows at every level.
/// <see cref="Decide"/> reports the mean time of one decision; <see cref="Parse"/> the time to read all 45 policies.
/// </summary>
[MemoryDiagnoser]
public class ScpDecisionBenchmarks
{
    public const int Requests = 1024;
    private const int Levels = 5;
    private const int PoliciesPerLevel = 9;
    private const int StatementsPerPolicy = 20;

    private static readonly string[] Services = ["s3", "ec2", "iam", "cloudtrail", "config", "kms", "lambda", "rds", "guardduty", "organizations"];
    private static readonly string[] Verbs = ["Create", "Delete", "Put", "Get", "List", "Describe", "Update", "Stop", "Start", "Attach"];
    private static readonly string[] Nouns = ["Bucket", "Instance", "Role", "Trail", "Key", "Function", "Policy", "Detector", "Recorder", "Snapshot"];
    private static readonly string[] Regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2"];

    private string[] documents = [];
    private ScpLevel[] path = [];
    private ScpRequest[] requests = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261128);
        documents = [.. Enumerable.Range(0, Levels * PoliciesPerLevel).Select(i => Document(random, i))];
        path = [.. Enumerable.Range(0, Levels).Select(level => new ScpLevel(
            level == 0 ? "r-root" : level == Levels - 1 ? "111122223333" : $"ou-level-{level}",
            [ScpPolicy.FullAwsAccess, .. documents.Skip(level * PoliciesPerLevel).Take(PoliciesPerLevel)
                .Select((text, i) => ScpParser.Parse($"p-{level}-{i}", $"policy-{level}-{i}", text).Policy
                    ?? throw new InvalidOperationException("a generated policy does not parse"))]))];
        requests = [.. Enumerable.Range(0, Requests).Select(_ => new ScpRequest(
            $"{Pick(random, Services)}:{Pick(random, Verbs)}{Pick(random, Nouns)}",
            $"arn:aws:{Pick(random, Services)}:{Pick(random, Regions)}:111122223333:thing/{random.Next(1000)}",
            [
                KeyValuePair.Create("aws:PrincipalArn", (IReadOnlyList<string>)[$"arn:aws:iam::111122223333:role/{(random.Next(4) == 0 ? "Platform" : "Developer")}{random.Next(10)}"]),
                KeyValuePair.Create("aws:RequestedRegion", (IReadOnlyList<string>)[Pick(random, Regions)]),
                KeyValuePair.Create("aws:MultiFactorAuthPresent", (IReadOnlyList<string>)[random.Next(2) == 0 ? "true" : "false"]),
                KeyValuePair.Create("aws:TagKeys", (IReadOnlyList<string>)["CostCenter", random.Next(3) == 0 ? "Secret" : "Owner"]),
            ]))];
        // Warm the per-action statement caches, as a running service has them.
        Decide();
    }

    [Benchmark(OperationsPerInvoke = Requests, Description = "Decide")]
    public int Decide()
    {
        var denied = 0;
        foreach (var request in requests)
        {
            if (ScpEvaluator.Decide(request, path).Outcome != ScpOutcome.Allowed)
            {
                denied++;
            }
        }
        return denied;
    }

    [Benchmark(Description = "Parse 45 policies")]
    public int Parse()
    {
        var statements = 0;
        foreach (var document in documents)
        {
            statements += ScpParser.Parse("p", "p", document).Policy!.Statements.Count;
        }
        return statements;
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    /// <summary>A policy of <see cref="StatementsPerPolicy"/> statements in the shapes real SCPs use.</summary>
    private static string Document(Random random, int seed)
    {
        var statements = new List<string>();
        for (var i = 0; i < StatementsPerPolicy; i++)
        {
            var action = $"{Pick(random, Services)}:{Pick(random, Verbs)}{(random.Next(3) == 0 ? "*" : Pick(random, Nouns))}";
            var condition = (i % 5) switch
            {
                0 => """{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/Platform*","arn:aws:iam::*:role/BreakGlass"]}}""",
                1 => $$"""{"StringNotEquals":{"aws:RequestedRegion":["{{Pick(random, Regions)}}","{{Pick(random, Regions)}}"]} }""",
                2 => """{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}""",
                3 => """{"ForAnyValue:StringEquals":{"aws:TagKeys":["Secret","Restricted"]}}""",
                _ => """{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Developer*"},"StringEquals":{"aws:RequestedRegion":"us-east-1"}}""",
            };
            statements.Add($$"""{"Sid":"S{{seed}}x{{i}}","Effect":"Deny","Action":["{{action}}"],"Resource":"*","Condition":{{condition}}}""");
        }
        return new StringBuilder("""{"Version":"2012-10-17","Statement":[""").AppendJoin(',', statements).Append("]}").ToString();
    }
}
