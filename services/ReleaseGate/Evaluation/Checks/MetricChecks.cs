using ControlTower.ReleaseGate.Policies;
using static ControlTower.ReleaseGate.Evaluation.Checks.CheckResult;
using static ControlTower.ReleaseGate.Evaluation.Checks.Words;

namespace ControlTower.ReleaseGate.Evaluation.Checks;

/// <summary><c>metric.threshold</c>: the newest sample of the metric, if fresh and not empty, satisfies the comparison.</summary>
public static class MetricChecks
{
    public static CheckResult Threshold(MetricThresholdRule rule, CheckContext context)
    {
        var op = Operator(rule.Comparison);
        var expected = Facts(("metric", rule.Metric), ("condition", $"{op} {Number(rule.Threshold)}"), ("maxAge", Words.Duration(rule.MaxAge)));
        var sample = context.Metrics.FirstOrDefault(m => m.Metric == rule.Metric);
        if (sample is null)
        {
            return new CheckResult(NoData(rule), "NoMetricSample", $"no sample of {rule.Metric} has been posted", Facts(), expected, []);
        }
        var age = context.Age(sample.CollectedAt);
        var observed = Facts(("age", Words.Duration(age)));
        if (age > rule.MaxAge)
        {
            return new CheckResult(NoData(rule), "EvidenceStale",
                $"the newest sample of {rule.Metric} is {Words.Duration(age)} old; the limit is {Words.Duration(rule.MaxAge)}", observed, expected, [sample.Id]);
        }
        if (sample.Value is not { } value)
        {
            return new CheckResult(NoData(rule), "NoMetricValue", $"the newest sample of {rule.Metric} has no value", observed, expected, [sample.Id]);
        }
        observed["value"] = Number(value);
        var holds = rule.Comparison switch
        {
            MetricComparison.LessThan => value < rule.Threshold,
            MetricComparison.LessThanOrEqual => value <= rule.Threshold,
            MetricComparison.GreaterThan => value > rule.Threshold,
            MetricComparison.GreaterThanOrEqual => value >= rule.Threshold,
            _ => value == rule.Threshold,
        };
        return holds
            ? new CheckResult(GateOutcome.Pass, "ThresholdMet", $"{rule.Metric} is {Number(value)}, which is {op} {Number(rule.Threshold)}", observed, expected, [sample.Id])
            : new CheckResult(GateOutcome.Fail, "ThresholdBreached", $"{rule.Metric} is {Number(value)}, which is not {op} {Number(rule.Threshold)}", observed, expected, [sample.Id]);
    }

    public static string Operator(MetricComparison comparison) => comparison switch
    {
        MetricComparison.LessThan => "<",
        MetricComparison.LessThanOrEqual => "<=",
        MetricComparison.GreaterThan => ">",
        MetricComparison.GreaterThanOrEqual => ">=",
        _ => "==",
    };
}
