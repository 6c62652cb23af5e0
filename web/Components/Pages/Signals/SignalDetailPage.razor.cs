using System.Text.Json;
using ControlTower.Web.Gateway;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.Signals;

/// <summary>
/// One signal: its fields, evidence and timeline, and the triage actions. Every action sends the ETag the page read; when
/// someone else changed the signal first (412) the page says so, reads the latest version and lists what changed.
/// </summary>
public sealed partial class SignalDetailPage
{
    private readonly List<string> changedMeanwhile = [];
    private bool busy;
    private string? etag;
    private string? comment;
    private string? owner;
    private string? team;
    private string? note;
    private string? suppressReason;
    private string? classification = "";
    private string? done;
    private string actionContext = "Loading the signal";
    private DateTime? snoozeUntil = DateTime.UtcNow.AddHours(4).Date.AddHours(DateTime.UtcNow.AddHours(4).Hour);
    private DateTime? suppressUntil = DateTime.UtcNow.Date.AddDays(7);
    private GatewayProblem? problem;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Parameter]
    public long Id { get; set; }

    [PersistentState]
    public SignalDetail? Detail { get; set; }

    /// <summary>The ETag <see cref="Detail"/> was read at: what the next action's If-Match says.</summary>
    [PersistentState]
    public string? DetailETag { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (Detail?.Signal.Id == Id && DetailETag is not null)
        {
            etag = DetailETag;
            return;
        }
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            var read = await Gateway.GetVersionedAsync<SignalDetail>($"/api/signals/{Id}", CancellationToken.None);
            Detail = read.Value;
            etag = DetailETag = read.ETag ?? read.Value.Signal.ETag;
        }
        catch (GatewayProblemException ex)
        {
            problem = ex.Problem;
        }
    }

    private async Task ReloadAsync()
    {
        problem = null;
        changedMeanwhile.Clear();
        done = null;
        await LoadAsync();
    }

    private async Task ActAsync(string action, TriageBody body)
    {
        busy = true;
        done = null;
        changedMeanwhile.Clear();
        actionContext = Context(action);
        try
        {
            await Gateway.SendAsync<SignalSummary>(HttpMethod.Post, $"/api/signals/{Id}/{action}", body, etag, CancellationToken.None);
            problem = null;
            done = $"{Context(action)}: done.";
            if (action == "notes")
            {
                note = null;
            }
            comment = null;
            await LoadAsync();
        }
        catch (GatewayProblemException ex)
        {
            problem = ex.Problem;
            if (ex.Status is 412 or 409)
            {
                // Someone else was first: show what they did, so the person decides again on what is there now.
                var before = Detail?.Signal;
                await LoadAsync();
                if (before is not null && Detail is not null)
                {
                    changedMeanwhile.AddRange(Differences(before, Detail.Signal));
                }
            }
        }
        finally
        {
            busy = false;
        }
    }

    /// <summary>What differs between the version the person acted on and the latest, in words.</summary>
    public static IEnumerable<string> Differences(SignalSummary before, SignalSummary after)
    {
        static string Show(object? value) => value switch
        {
            null => "nothing",
            DateTimeOffset time => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString()!,
        };
        var fields = new (string Name, object? Before, object? After)[]
        {
            ("status", before.Status, after.Status),
            ("owner", before.Owner, after.Owner),
            ("team", before.Team, after.Team),
            ("classification", before.Classification, after.Classification),
            ("until", before.Until, after.Until),
            ("source condition", before.Condition, after.Condition),
            ("severity", before.Severity, after.Severity),
            ("count", before.Count, after.Count),
            ("incident", before.IncidentId, after.IncidentId),
        };
        foreach (var (name, was, now) in fields)
        {
            if (!Equals(was, now))
            {
                yield return $"{name}: {Show(was)} → {Show(now)}";
            }
        }
    }

    private static string Context(string action) => action switch
    {
        "acknowledge" => "Acknowledging",
        "assign" => "Assigning",
        "snooze" => "Snoozing",
        "suppress" => "Suppressing",
        "resolve" => "Resolving",
        "reopen" => "Reopening",
        "notes" => "Adding the note",
        _ => action,
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    private static string Pretty(JsonElement json) => JsonSerializer.Serialize(json, PrettyJson);

    // Shown as text (Blazor encodes it for HTML), so nothing needs \u escapes here.
    private static readonly JsonSerializerOptions PrettyJson = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
