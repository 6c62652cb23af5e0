using ControlTower.ReleaseGate.Policies;

namespace ControlTower.ReleaseGate.Tests.Gates;

/// <summary>Policy YAML: the example file loads, faults name their line and field, and the hash follows meaning, not formatting.</summary>
public sealed class GatePolicyParserTests
{
    private const string Valid = """
        policy: payments-prod
        version: 3
        scope: { service: payments, environment: prod }
        calendars:
          - name: freeze
            timeZone: Europe/London
            windows:
              - { cron: "0 16 * * 5", duration: 64h, reason: weekend }
        rules:
          - id: smoke
            kind: smoke.passRate
            minPassRate: 0.95
            maxAge: 2h
          - id: freeze
            kind: freeze.calendars
          - id: approvals
            kind: approval.required
            count: 2
            severity: warning
        """;

    [Fact]
    public void TheExamplePolicyInDeployLoadsWithEveryRuleKind()
    {
        var yaml = File.ReadAllText(Path.Combine(Gate.RepositoryRoot(), "deploy", "release-gates", "default.yaml"));

        var result = GatePolicyParser.Parse(yaml);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var policy = result.Snapshot!.Policy;
        Assert.Equal("default", policy.Id);
        Assert.Equal(("*", "*"), (policy.Service, policy.Environment));
        Assert.Equal(
            ["approval.required", "findings.maxSeverity", "freeze.calendars", "metric.threshold", "smoke.passRate", "smoke.requiredSuites", "truth.deployment"],
            policy.Rules.Select(r => r.Kind).Distinct().Order(StringComparer.Ordinal));
        Assert.Matches("^[0-9a-f]{64}$", result.Snapshot.Hash);
    }

    [Fact]
    public void DefaultsAreMadeExplicit()
    {
        var policy = GatePolicyParser.Parse(Valid).Snapshot!.Policy;

        var smoke = Assert.IsType<SmokePassRateRule>(policy.Rules[0]);
        Assert.Equal(RuleSeverity.Blocking, smoke.Severity);
        Assert.Equal(NoDataPolicy.Inconclusive, smoke.NoData);
        Assert.Equal(0.95m, smoke.MinPassRate);
        Assert.Equal(TimeSpan.FromHours(2), smoke.MaxAge);
        Assert.Equal(RuleSeverity.Warning, policy.Rules[2].Severity);
        Assert.Equal(TimeSpan.FromHours(64), policy.Calendars[0].Windows[0].Duration);
    }

    public static TheoryData<string, string, int, string> Faults() => new()
    {
        { "not YAML", "policy: p\nversion: 1\n  bad: x\nrules: []", 3, "(document)" },
        { "duplicate key", "policy: p\npolicy: q\nversion: 1\nrules: []", 2, "(document)" },
        { "no policy id", "version: 1\nrules: []", 1, "policy" },
        { "version zero", "policy: p\nversion: 0\nrules: []", 2, "version" },
        { "no rules key", "policy: p\nversion: 1", 1, "rules" },
        { "unknown root field", "policy: p\nversion: 1\nrulez: []\nrules: []", 3, "rulez" },
        { "unknown kind", "policy: p\nversion: 1\nrules:\n  - id: a\n    kind: smoke.magic", 5, "rules[0].kind" },
        { "pass rate over 1", "policy: p\nversion: 1\nrules:\n  - id: a\n    kind: smoke.passRate\n    minPassRate: 1.5\n    maxAge: 1h", 6, "rules[0].minPassRate" },
        { "pass rate missing", "policy: p\nversion: 1\nrules:\n  - id: a\n    kind: smoke.passRate\n    maxAge: 1h", 4, "rules[0].minPassRate" },
        { "bad duration", "policy: p\nversion: 1\nrules:\n  - id: a\n    kind: smoke.passRate\n    minPassRate: 0.9\n    maxAge: two hours", 7, "rules[0].maxAge" },
        // Found by FuzzTests: more days than a long holds threw an OverflowException.
        { "duration that overflows", "policy: p\nversion: 1\nrules:\n  - id: a\n    kind: smoke.passRate\n    minPassRate: 0.9\n    maxAge: 99999999999999999999d", 7, "rules[0].maxAge" },
        { "misspelt parameter", "policy: p\nversion: 1\nrules:\n  - id: a\n    kind: approval.required\n    count: 1\n    cuont: 2", 7, "rules[0].cuont" },
        { "noData pass refused", "policy: p\nversion: 1\nrules:\n  - id: a\n    kind: approval.required\n    count: 1\n    noData: pass", 7, "rules[0].noData" },
        { "bad severity", "policy: p\nversion: 1\nrules:\n  - id: a\n    kind: approval.required\n    count: 1\n    severity: fatal", 7, "rules[0].severity" },
        { "duplicate rule id", "policy: p\nversion: 1\nrules:\n  - { id: a, kind: approval.required, count: 1 }\n  - { id: a, kind: approval.required, count: 2 }", 5, "rules[1].id" },
        { "bad truth check", "policy: p\nversion: 1\nrules:\n  - { id: a, kind: truth.deployment, check: [colour], maxAge: 1h }", 4, "rules[0].check" },
        { "bad metric operator", "policy: p\nversion: 1\nrules:\n  - { id: a, kind: metric.threshold, metric: m, operator: '=>', value: 1, maxAge: 1h }", 4, "rules[0].operator" },
        { "unknown calendar", "policy: p\nversion: 1\nrules:\n  - { id: a, kind: freeze.calendars, calendars: [xmas] }", 4, "rules[0].calendars" },
        { "unknown time zone", "policy: p\nversion: 1\ncalendars:\n  - name: c\n    timeZone: Mars/Olympus\n    windows: [{ from: '2026-01-01', to: '2026-01-02' }]\nrules: []", 5, "calendars[0].timeZone" },
        { "bad cron", "policy: p\nversion: 1\ncalendars:\n  - name: c\n    timeZone: UTC\n    windows:\n      - { cron: '61 * * * *', duration: 1h }\nrules: []", 7, "calendars[0].windows[0].cron" },
        { "cron without duration", "policy: p\nversion: 1\ncalendars:\n  - name: c\n    timeZone: UTC\n    windows:\n      - { cron: '0 * * * *' }\nrules: []", 7, "calendars[0].windows[0].duration" },
        { "range ending before it starts", "policy: p\nversion: 1\ncalendars:\n  - name: c\n    timeZone: UTC\n    windows:\n      - { from: '2026-01-02', to: '2026-01-01' }\nrules: []", 7, "calendars[0].windows[0].to" },
        { "range with an offset", "policy: p\nversion: 1\ncalendars:\n  - name: c\n    timeZone: UTC\n    windows:\n      - { from: '2026-01-01T00:00+01:00', to: '2026-01-02' }\nrules: []", 7, "calendars[0].windows[0].from" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void AFaultNamesItsLineAndField(string name, string yaml, int line, string field)
    {
        var result = GatePolicyParser.Parse(yaml);

        Assert.False(result.Succeeded, name);
        Assert.Contains(result.Errors, e => e.Line == line && e.Field == field);
        Assert.All(result.Errors, e => Assert.StartsWith($"line {e.Line}, {e.Field}: ", e.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void EveryFaultInAFileIsReportedAtOnce()
    {
        var result = GatePolicyParser.Parse("policy: p\nversion: x\nrules:\n  - { id: a, kind: approval.required, count: 0 }\n  - { id: b, kind: nope }");

        Assert.Equal(["version", "rules[0].count", "rules[1].kind"], result.Errors.Select(e => e.Field));
    }

    [Fact]
    public void AnOversizedPolicyIsRefusedBeforeParsing()
    {
        var result = GatePolicyParser.Parse("policy: p\n#" + new string('x', GatePolicyParser.MaxPolicyChars));

        Assert.Contains("the limit is", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheHashIgnoresKeyOrderQuotingFlowStyleCommentsAndTrailingZeros()
    {
        const string Rewritten = """
            # the same policy, written differently
            rules:
              - { kind: smoke.passRate, maxAge: "2h", id: smoke, minPassRate: 0.950, severity: blocking, noData: inconclusive }
              - kind: freeze.calendars
                id: freeze
              - severity: warning
                count: '2'
                kind: approval.required
                id: approvals
            calendars:
              - windows:
                  - reason: weekend
                    duration: 64h
                    cron: '0 16 * * 5'
                timeZone: "Europe/London"
                name: freeze
            scope:
              environment: prod
              service: payments
            version: 3
            policy: payments-prod
            """;

        Assert.Equal(GatePolicyParser.Parse(Valid).Snapshot!.Hash, GatePolicyParser.Parse(Rewritten).Snapshot!.Hash);
    }

    [Theory]
    [InlineData("minPassRate: 0.95", "minPassRate: 0.96")]
    [InlineData("version: 3", "version: 4")]
    [InlineData("count: 2", "count: 3")]
    [InlineData("severity: warning", "severity: dryRun")]
    [InlineData("severity: warning", "severity: dry-run")]
    [InlineData("duration: 64h", "duration: 63h")]
    [InlineData("timeZone: Europe/London", "timeZone: Europe/Dublin")]
    public void AnyChangeOfMeaningChangesTheHash(string from, string to)
    {
        var changed = Valid.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Valid, changed);

        Assert.NotEqual(GatePolicyParser.Parse(Valid).Snapshot!.Hash, GatePolicyParser.Parse(changed).Snapshot!.Hash);
    }

    [Fact]
    public void DryRunMayBeSpeltEitherWayWithTheSameHash() =>
        Assert.Equal(
            GatePolicyParser.Parse(Valid.Replace("severity: warning", "severity: dryRun", StringComparison.Ordinal)).Snapshot!.Hash,
            GatePolicyParser.Parse(Valid.Replace("severity: warning", "severity: dry-run", StringComparison.Ordinal)).Snapshot!.Hash);

    [Fact]
    public void RuleOrderIsPartOfThePolicyButCalendarOrderIsNot()
    {
        var twoCalendars = "policy: p\nversion: 1\ncalendars:\n  - { name: a, timeZone: UTC, windows: [{ from: '2026-01-01', to: '2026-01-02' }] }\n  - { name: b, timeZone: UTC, windows: [{ from: '2026-02-01', to: '2026-02-02' }] }\nrules: []";
        var swapped = "policy: p\nversion: 1\ncalendars:\n  - { name: b, timeZone: UTC, windows: [{ from: '2026-02-01', to: '2026-02-02' }] }\n  - { name: a, timeZone: UTC, windows: [{ from: '2026-01-01', to: '2026-01-02' }] }\nrules: []";
        var rules = "policy: p\nversion: 1\nrules:\n  - { id: a, kind: approval.required, count: 1 }\n  - { id: b, kind: approval.required, count: 2 }";
        var rulesSwapped = "policy: p\nversion: 1\nrules:\n  - { id: b, kind: approval.required, count: 2 }\n  - { id: a, kind: approval.required, count: 1 }";

        Assert.Equal(GatePolicyParser.Parse(twoCalendars).Snapshot!.Hash, GatePolicyParser.Parse(swapped).Snapshot!.Hash);
        Assert.NotEqual(GatePolicyParser.Parse(rules).Snapshot!.Hash, GatePolicyParser.Parse(rulesSwapped).Snapshot!.Hash);
    }

    [Fact]
    public void TheCatalogPicksTheMostSpecificPolicy()
    {
        GatePolicySnapshot Make(string id, string service, string environment) =>
            GatePolicyParser.Parse($"policy: {id}\nversion: 1\nscope: {{ service: '{service}', environment: '{environment}' }}\nrules: []").Snapshot!;
        var all = new[] { Make("default", "*", "*"), Make("prod", "*", "prod"), Make("billing", "billing", "*"), Make("billing-prod", "billing", "prod") };

        Assert.Equal("billing-prod", GatePolicyCatalog.Select(all, "billing", "prod")!.Policy.Id);
        Assert.Equal("billing", GatePolicyCatalog.Select(all, "billing", "dev")!.Policy.Id);
        Assert.Equal("prod", GatePolicyCatalog.Select(all, "payments", "prod")!.Policy.Id);
        Assert.Equal("default", GatePolicyCatalog.Select(all, "payments", "dev")!.Policy.Id);
        Assert.Null(GatePolicyCatalog.Select(all[1..], "payments", "dev"));
    }
}
