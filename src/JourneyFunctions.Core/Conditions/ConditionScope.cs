using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Core.Conditions;

/// <summary>
/// What a condition can see: the contact, the run's trigger data, the event being evaluated (or the last waited event),
/// the data of events received by waitForEvent steps, the run's key, and the run's email engagement. Dates without an offset are read
/// as wall-clock times in <see cref="TimeZone"/>, so the same data gives the same answer on every machine.
/// </summary>
public sealed class ConditionScope
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoEvents = new Dictionary<string, JsonElement>();

    public required Contact Contact { get; init; }

    /// <summary>Data of the trigger event (<c>trigger.*</c>).</summary>
    public JsonElement? Trigger { get; init; }

    /// <summary>Data of the event being evaluated, else of the last waited event (<c>event.*</c>).</summary>
    public JsonElement? Event { get; init; }

    /// <summary>Data of events received by waitForEvent steps, by step id (<c>events.&lt;stepId&gt;.*</c>).</summary>
    public IReadOnlyDictionary<string, JsonElement> Events { get; init; } = NoEvents;

    /// <summary>The run's key (<c>run.key</c>) for a keyed journey's run; null for an unkeyed run or a trigger filter.</summary>
    public string? RunKey { get; init; }

    /// <summary>Email steps of the run whose email was opened.</summary>
    public IReadOnlyList<string> Opened { get; init; } = [];

    /// <summary>Email steps of the run whose email was clicked.</summary>
    public IReadOnlyList<string> Clicked { get; init; } = [];

    /// <summary>The contact's zone (dates without an offset, durations relative to now). Default UTC.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>A scope for a run: trigger, waited events and engagement from the state; <paramref name="eventData"/> as event.* (else the last waited event).</summary>
    public static ConditionScope ForRun(Contact contact, RunState state, JsonElement? eventData, TimeZoneInfo zone) => new()
    {
        Contact = contact,
        Trigger = state.Trigger,
        Event = eventData ?? state.LastEvent,
        Events = state.Events,
        RunKey = state.Key,
        Opened = state.Opened,
        Clicked = state.Clicked,
        TimeZone = zone,
    };

    /// <summary>A scope for an event that has no run yet (trigger filters): the event's data is both trigger.* and event.*.</summary>
    public static ConditionScope ForEvent(Contact contact, JsonElement? eventData, TimeZoneInfo zone) => new()
    {
        Contact = contact,
        Trigger = eventData,
        Event = eventData,
        TimeZone = zone,
    };
}
