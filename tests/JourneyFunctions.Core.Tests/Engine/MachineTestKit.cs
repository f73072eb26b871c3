using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Core.Tests.Engine;

/// <summary>Small journeys written inline and commands summarised as one-line strings, so theories read as tables.</summary>
internal static class MachineTestKit
{
    /// <summary>Monday 23 November 2026 10:00 UTC (11:00 in Madrid).</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    public static JourneyDefinition Journey(string steps, string extra = "") =>
        JourneyJson.DeserializeJourney($$"""{"id":"j","name":"Test","trigger":{"event":"go"}{{(extra.Length == 0 ? "" : "," + extra)}},"steps":[{{steps}}]}""");

    public static Contact Contact(string zone = "UTC", string[]? tags = null, string? fields = null) => new()
    {
        Id = "c",
        Email = "c@example.com",
        TimeZone = zone,
        Tags = new HashSet<string>(tags ?? [], StringComparer.OrdinalIgnoreCase),
        Fields = fields is null
            ? new Dictionary<string, JsonElement>()
            : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(fields)!,
    };

    public static ContactEvent Event(string name, string? data = null, string id = "e-1", DateTimeOffset? at = null) => new()
    {
        Id = id,
        ContactId = "c",
        Name = name,
        Data = data is null ? null : JsonDocument.Parse(data).RootElement.Clone(),
        OccurredAt = at ?? Now,
    };

    public static MachineResult Start(JourneyDefinition journey, Contact contact, DateTimeOffset now, string? triggerData = null)
    {
        var trigger = Event(journey.Trigger.Event ?? "go", triggerData, "t-1", now);
        var entry = JourneyMachine.DecideEntry(journey, contact, trigger, null, now);
        Assert.True(entry.Enter, entry.Reason);
        return JourneyMachine.Start(journey, entry, contact, trigger, now);
    }

    public static string Summary(IEnumerable<MachineCommand> commands) => string.Join(" | ", commands.Select(Summary));

    public static string Summary(MachineCommand command) => command switch
    {
        ExecuteActivity { Request: SendEmailRequest e } => $"email {e.StepId} {e.Template}",
        ExecuteActivity { Request: ChangeTagsRequest t } => $"tags {t.StepId} +{string.Join(",", t.Add)} -{string.Join(",", t.Remove)}",
        ExecuteActivity { Request: SetFieldRequest s } => $"set {s.StepId} {s.Field}={s.Value?.GetRawText()}",
        ExecuteActivity { Request: CallWebhookRequest h } => $"webhook {h.StepId} {h.Method} {h.Url}",
        StartWait { Wait: var w } => $"wait {w.StepId} {w.Purpose} {Utc(w.Until)}{(w.Events.Count == 0 ? "" : " [" + string.Join(",", w.Events) + "]")}",
        RecordGoal g => $"goal {g.EventId}",
        CompleteRun c => $"complete {c.Reason} {c.Detail}",
        _ => command.ToString(),
    };

    public static string Utc(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture) : "-";
}
