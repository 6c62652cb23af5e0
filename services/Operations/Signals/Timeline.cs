using ControlTower.Operations.Data;

namespace ControlTower.Operations.Signals;

public static class Timeline
{
    public const string Signal = "signal";
    public const string Incident = "incident";

    public static TimelineEntryRecord Entry(string targetType, long targetId, DateTimeOffset at, string actor, string type,
        string? from = null, string? to = null, string? text = null) => new()
    {
        TargetType = targetType,
        TargetId = targetId,
        At = at,
        Actor = actor,
        Type = type,
        From = from,
        To = to,
        Text = text,
    };
}
