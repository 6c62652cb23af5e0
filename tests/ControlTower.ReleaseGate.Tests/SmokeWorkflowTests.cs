using System.Diagnostics;
using System.Text.RegularExpressions;
using ControlTower.Testing;
using YamlDotNet.RepresentationModel;

namespace ControlTower.ReleaseGate.Tests;

/// <summary>
/// The post-deploy smoke script and the two workflows that run it: they parse, run it with only the options it
/// accepts and with every one it requires, and the script refuses a wrong call before touching anything.
/// </summary>
public sealed partial class SmokeWorkflowTests
{
    private static readonly string Script = Path.Combine(Repository.Root, "deploy", "scripts", "post_deploy_api_smoke.sh");
    private static readonly string[] Required = ["--gateway", "--service", "--environment", "--version", "--commit"];

    /// <summary>The options the script's argument loop accepts (its <c>--name)</c> case labels).</summary>
    private static HashSet<string> Accepted() =>
        [.. OptionLabel().Matches(File.ReadAllText(Script)).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^\s+(--[a-z-]+)\)", RegexOptions.Multiline)]
    private static partial Regex OptionLabel();

    [GeneratedRegex(@"(?<=\s|^)(--[a-z-]+)")]
    private static partial Regex OptionUse();

    private static YamlMappingNode Workflow(string name)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Repository.Root, ".github", "workflows", name))));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static IEnumerable<string> ScriptCalls(YamlMappingNode workflow) =>
        ((YamlMappingNode)workflow["jobs"]).Children.Values.Cast<YamlMappingNode>()
            .Where(job => job.Children.ContainsKey("steps"))
            .SelectMany(job => ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>())
            .Where(step => step.Children.TryGetValue("run", out var run) && run.ToString().Contains("post_deploy_api_smoke.sh", StringComparison.Ordinal))
            .Select(step => step["run"].ToString());

    [Theory]
    [InlineData("release-smoke-controltower.yml", "deployment_status")]
    [InlineData("scheduled-smoke-regression-controltower.yml", "schedule")]
    public void TheWorkflowRunsTheScriptWithOptionsItAccepts(string name, string trigger)
    {
        var workflow = Workflow(name);
        Assert.True(((YamlMappingNode)workflow["on"]).Children.ContainsKey(trigger), $"{name} runs on {trigger}");

        var call = Assert.Single(ScriptCalls(workflow));
        var used = OptionUse().Matches(call).Select(m => m.Groups[1].Value).ToList();

        Assert.All(used, option => Assert.Contains(option, Accepted()));
        Assert.All(Required, option => Assert.Contains(option, used));
        Assert.Equal(used.Count, used.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void TheScheduledRunAsksTheGateWhatIsRunningBeforeItChecksIt()
    {
        var schedule = ((YamlSequenceNode)((YamlMappingNode)Workflow("scheduled-smoke-regression-controltower.yml")["on"])["schedule"]).Children;
        Assert.Matches(@"^[\d*/,-]+ [\d*/,-]+ [\d*/,-]+ [\d*/,-]+ [\d*/,-]+$", ((YamlMappingNode)schedule.Single())["cron"].ToString());
        var steps = ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)Workflow("scheduled-smoke-regression-controltower.yml")["jobs"])["smoke"])["steps"])
            .Children.Cast<YamlMappingNode>().Select(s => s.Children.TryGetValue("run", out var run) ? run.ToString() : "").ToList();
        var readiness = steps.FindIndex(s => s.Contains("/api/releases/readiness", StringComparison.Ordinal));
        var smoke = steps.FindIndex(s => s.Contains("post_deploy_api_smoke.sh", StringComparison.Ordinal));
        Assert.InRange(readiness, 0, smoke - 1);
    }

    [Theory]
    [InlineData(new string[0], "--gateway is required")]
    [InlineData(new[] { "--gateway", "http://127.0.0.1:9", "--service", "s", "--environment", "e", "--version", "1", "--commit", "c" }, "--release-key is required")]
    [InlineData(new[] { "--bogus" }, "unknown argument '--bogus'")]
    [InlineData(new[] { "--gateway", "http://127.0.0.1:9", "--service", "s", "--environment", "e", "--version", "1", "--commit", "c", "--release-key", "k", "--timeout", "soon" },
        "--timeout takes whole seconds")]
    public async Task AWrongCallIsRefusedWithUsageAndExitCode2(string[] arguments, string message)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Remove("CT_RELEASE_KEY");
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains("post_deploy_api_smoke.sh --gateway", error, StringComparison.Ordinal);
    }
}
