using static ControlTower.DemoSource.DemoLandscape;

namespace ControlTower.DemoSource;

/// <summary>One record to send, with the line the feed logs for it.</summary>
public sealed record DemoEvent(string Description, Dictionary<string, object?> Record);

/// <summary>
/// AWS Organizations changes and guardrail breaks against the development baseline: every so often an incident
/// (an account moved to an OU the baseline does not put it in, an SCP attached where the baseline does not
/// declare it or detached from where it does, now and then CloudTrail stopped or deleted, or a root sign-in
/// without MFA), and some minutes later the call that puts things back where one exists, so that drift both
/// opens and closes. Guardrail findings stay open until a person resolves them. Deterministic for a seed.
/// </summary>
public sealed class OrganizationGenerator
{
    /// <summary>An incident: the call that breaks the baseline, and the one that restores it (null when nothing can).</summary>
    public sealed record Incident(string Id, int Weight, Func<OrganizationGenerator, DateTimeOffset, DemoEvent> Break,
        Func<OrganizationGenerator, DateTimeOffset, DemoEvent>? Restore);

    public static readonly IReadOnlyList<Incident> Incidents =
    [
        new("move-payments-dev", 3,
            (g, t) => g.MoveAccount(t, PaymentsDevAccount, NonProdOu, SandboxOu, "drift: payments-dev moved from NonProd to Sandbox"),
            (g, t) => g.MoveAccount(t, PaymentsDevAccount, SandboxOu, NonProdOu, "restore: payments-dev moved back to NonProd")),
        new("move-payments-prod", 2,
            (g, t) => g.MoveAccount(t, PaymentsProdAccount, ProdOu, NonProdOu, "drift: payments-prod moved from Prod to NonProd"),
            (g, t) => g.MoveAccount(t, PaymentsProdAccount, NonProdOu, ProdOu, "restore: payments-prod moved back to Prod")),
        new("attach-regionlock-infrastructure", 3,
            (g, t) => g.Policy(t, "AttachPolicy", RegionLockPolicy, InfrastructureOu, "drift: region-lock attached to Infrastructure, which the baseline does not declare"),
            (g, t) => g.Policy(t, "DetachPolicy", RegionLockPolicy, InfrastructureOu, "restore: region-lock detached from Infrastructure")),
        new("detach-protect-logging-log-archive", 2,
            (g, t) => g.Policy(t, "DetachPolicy", ProtectLoggingPolicy, LogArchiveAccount, "drift: aws-guardrails-protect-logging detached from log-archive"),
            (g, t) => g.Policy(t, "AttachPolicy", ProtectLoggingPolicy, LogArchiveAccount, "restore: aws-guardrails-protect-logging attached to log-archive again")),
        new("detach-regionlock-sandbox", 2,
            (g, t) => g.Policy(t, "DetachPolicy", RegionLockPolicy, SandboxOu, "drift: region-lock detached from Sandbox"),
            (g, t) => g.Policy(t, "AttachPolicy", RegionLockPolicy, SandboxOu, "restore: region-lock attached to Sandbox again")),
        new("stop-logging-audit", 1,
            (g, t) => g.Trail(t, AuditAccount, "StopLogging", "guardrail: CloudTrail logging stopped in audit"),
            (g, t) => g.Trail(t, AuditAccount, "StartLogging", "restore: CloudTrail logging started again in audit")),
        new("delete-trail-shared-services", 1,
            (g, t) => g.Trail(t, SharedServicesAccount, "DeleteTrail", "guardrail: a CloudTrail trail deleted in shared-services"),
            (g, t) => g.Trail(t, SharedServicesAccount, "CreateTrail", "restore: the trail created again in shared-services")),
        new("root-sign-in-audit", 1, (g, t) => g.RootSignIn(t, AuditAccount, "guardrail: root console sign-in without MFA in audit"), null),
    ];

    private static readonly int TotalWeight = Incidents.Sum(i => i.Weight);

    private readonly Random random;
    private readonly IncidentSchedule<Incident> schedule;

    public OrganizationGenerator(Random random, IncidentFeedOptions options)
    {
        this.random = random;
        schedule = new IncidentSchedule<Incident>(random, options.IncidentEvery, options.RestoreAfter);
    }

    /// <summary>What to send at <paramref name="now"/>: the restores that are due, then a new incident when one is due.</summary>
    public List<DemoEvent> Next(DateTimeOffset now)
    {
        var restored = schedule.DueEndings(now);
        var events = restored.Select(incident => incident.Restore!(this, now)).ToList();
        if (schedule.StartDue(now))
        {
            // Never the same incident twice at once (its restore would undo both), nor in the tick that restores it
            // (the two calls would carry the same time, and which one counts would be down to their event ids).
            var open = schedule.Pending.Concat(restored).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
            var incident = Pick(open);
            events.Add(incident.Break(this, now));
            if (incident.Restore is not null)
            {
                schedule.EndLater(now, incident);
            }
        }
        return events;
    }

    private Incident Pick(HashSet<string> open)
    {
        var candidates = Incidents.Where(i => !open.Contains(i.Id)).ToList();
        var roll = random.Next(candidates.Sum(i => i.Weight));
        foreach (var incident in candidates)
        {
            if ((roll -= incident.Weight) < 0)
            {
                return incident;
            }
        }
        return candidates[0];
    }

    /// <summary>How often each incident comes, out of every incident.</summary>
    public static double Share(Incident incident) => (double)incident.Weight / TotalWeight;

    private DemoEvent MoveAccount(DateTimeOffset now, string account, string from, string to, string description) =>
        new(description, Organizations(now, "MoveAccount", new Dictionary<string, object?>
        {
            ["accountId"] = account,
            ["sourceParentId"] = from,
            ["destinationParentId"] = to,
        }));

    private DemoEvent Policy(DateTimeOffset now, string operation, string policy, string target, string description) =>
        new(description, Organizations(now, operation, new Dictionary<string, object?> { ["policyId"] = policy, ["targetId"] = target }));

    private Dictionary<string, object?> Organizations(DateTimeOffset now, string operation, Dictionary<string, object?> request) =>
        CloudTrailGenerator.Record(random, now, ManagementAccount, "us-east-1", "organizations.amazonaws.com", operation,
            CloudTrailGenerator.Administrator(ManagementAccount, "jordan.platform"), request);

    private DemoEvent Trail(DateTimeOffset now, string account, string operation, string description)
    {
        var trail = $"arn:aws:cloudtrail:eu-west-1:{account}:trail/local-audit-trail";
        return new(description, CloudTrailGenerator.Record(random, now, account, "eu-west-1", "cloudtrail.amazonaws.com", operation,
            CloudTrailGenerator.Administrator(account, "sam.contractor"), new Dictionary<string, object?> { ["name"] = trail }));
    }

    private DemoEvent RootSignIn(DateTimeOffset now, string account, string description)
    {
        var identity = new Dictionary<string, object?>
        {
            ["type"] = "Root",
            ["principalId"] = account,
            ["arn"] = $"arn:aws:iam::{account}:root",
            ["accountId"] = account,
        };
        var record = CloudTrailGenerator.Record(random, now, account, "us-east-1", "signin.amazonaws.com", "ConsoleLogin", identity,
            responseElements: new Dictionary<string, object?> { ["ConsoleLogin"] = "Success" }, eventType: "AwsConsoleSignIn");
        record["additionalEventData"] = new Dictionary<string, object?>
        {
            ["LoginTo"] = "https://console.aws.amazon.com/console/home",
            ["MobileVersion"] = "No",
            ["MFAUsed"] = "No",
        };
        return new(description, record);
    }
}
