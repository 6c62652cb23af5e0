using Microsoft.Extensions.Options;

namespace ControlTower.DemoSource;

/// <summary>
/// The estate the demo pretends to run: the accounts, OUs, SCPs, management groups and subscriptions of the
/// development baseline (<c>deploy/landing-zone/baseline.yaml</c>), so that every event lands on something
/// Governance knows and every signal gets an owner.
/// </summary>
public static class DemoLandscape
{
    public const string OrganizationId = "o-exampleorgid";
    public const string Root = "r-ab12";

    public const string ManagementAccount = "111122223333";
    public const string LogArchiveAccount = "222233334444";
    public const string AuditAccount = "333344445555";
    public const string SharedServicesAccount = "444455556666";
    public const string PaymentsProdAccount = "555566667777";
    public const string PaymentsDevAccount = "666677778888";

    public const string SecurityOu = "ou-ab12-sec00001";
    public const string InfrastructureOu = "ou-ab12-inf00001";
    public const string WorkloadsOu = "ou-ab12-wkl00001";
    public const string ProdOu = "ou-ab12-prd00001";
    public const string NonProdOu = "ou-ab12-npd00001";
    public const string SandboxOu = "ou-ab12-sbx00001";
    public const string SuspendedOu = "ou-ab12-sus00001";

    /// <summary>aws-guardrails-protect-logging: attached to Security, Workloads and the log-archive account.</summary>
    public const string ProtectLoggingPolicy = "p-guardrail02";

    /// <summary>region-lock: attached to Workloads and Sandbox.</summary>
    public const string RegionLockPolicy = "p-regionlock";

    public static readonly string[] Accounts =
        [ManagementAccount, LogArchiveAccount, AuditAccount, SharedServicesAccount, PaymentsProdAccount, PaymentsDevAccount];

    public const string AzureTenant = "00000000-0000-0000-0000-00000000aaaa";
    public const string ManagementSubscription = "11111111-2222-3333-4444-555555555555";
    public const string CorpPaymentsSubscription = "22222222-3333-4444-5555-666666666666";
    public const string CorpGroup = "alz-corp";
    public const string SandboxGroup = "alz-sandbox";

    public static readonly string[] Subscriptions = [ManagementSubscription, CorpPaymentsSubscription];

    /// <summary>A GUID drawn from <paramref name="random"/>, so that a seeded run repeats its ids too.</summary>
    public static Guid NewGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}

/// <summary>One <see cref="Random"/> per feed (feeds run at once, and <see cref="Random"/> is not thread-safe), seeded from the options' seed when set.</summary>
public sealed class DemoSeeds(IOptions<DemoSourceOptions> options)
{
    private readonly int seed = options.Value.Seed ?? Random.Shared.Next();

    public Random For(int feed) => new(unchecked(seed + (feed * 7919)));
}
