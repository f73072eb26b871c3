using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Core.Conditions;

/// <summary>
/// What a condition can see: the contact, the run's trigger data, the event being evaluated (or the last waited event),
/// the data of events received by waitForEvent steps, the run's key, and the run's email engagement. Dates without an offset are read
/// as wall-clock times in <see cref="TimeZone"/>, so the same data gives the same answer on every machine.
/// </summary>
/// <remarks>
/// The journey machine keeps one scope per thread and points it at the run of each call (<see cref="Bind"/>) instead
/// of making one per transition; a scope made with an initializer is never rebound.
/// </remarks>
public sealed class ConditionScope
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoEvents = new Dictionary<string, JsonElement>();

    private Contact _contact = null!;
    private JsonElement? _trigger;
    private JsonElement? _event;
    private IReadOnlyDictionary<string, JsonElement> _events = NoEvents;
    private string? _runKey;
    private IReadOnlyList<string> _opened = [];
    private IReadOnlyList<string> _clicked = [];
    private TimeZoneInfo _timeZone = TimeZoneInfo.Utc;

    public ConditionScope()
    {
    }

    [SetsRequiredMembers]
    private ConditionScope(bool unbound)
    {
        _ = unbound;
        Contact = null!;
    }

    public required Contact Contact { get => _contact; init => _contact = value; }

    /// <summary>Data of the trigger event (<c>trigger.*</c>).</summary>
    public JsonElement? Trigger { get => _trigger; init => _trigger = value; }

    /// <summary>Data of the event being evaluated, else of the last waited event (<c>event.*</c>).</summary>
    public JsonElement? Event { get => _event; init => _event = value; }

    /// <summary>Data of events received by waitForEvent steps, by step id (<c>events.&lt;stepId&gt;.*</c>).</summary>
    public IReadOnlyDictionary<string, JsonElement> Events { get => _events; init => _events = value; }

    /// <summary>The run's key (<c>run.key</c>) for a keyed journey's run; null for an unkeyed run or a trigger filter.</summary>
    public string? RunKey { get => _runKey; init => _runKey = value; }

    /// <summary>Email steps of the run whose email was opened.</summary>
    public IReadOnlyList<string> Opened { get => _opened; init => _opened = value; }

    /// <summary>Email steps of the run whose email was clicked.</summary>
    public IReadOnlyList<string> Clicked { get => _clicked; init => _clicked = value; }

    /// <summary>The contact's zone (dates without an offset, durations relative to now). Default UTC.</summary>
    public TimeZoneInfo TimeZone { get => _timeZone; init => _timeZone = value; }

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

    /// <summary>A scope the machine points at a run with <see cref="Bind"/> before each use.</summary>
    internal static ConditionScope CreateReusable() => new(unbound: true);

    /// <summary>Points a reusable scope at a run (what <see cref="ForRun"/> would make, without a new object).</summary>
    internal void Bind(
        Contact contact,
        JsonElement? trigger,
        JsonElement? eventData,
        IReadOnlyDictionary<string, JsonElement> events,
        string? runKey,
        IReadOnlyList<string> opened,
        IReadOnlyList<string> clicked,
        TimeZoneInfo zone)
    {
        _contact = contact;
        _trigger = trigger;
        _event = eventData;
        _events = events;
        _runKey = runKey;
        _opened = opened;
        _clicked = clicked;
        _timeZone = zone;
    }

    /// <summary>Lets go of the run a reusable scope was pointed at.</summary>
    internal void Unbind() => Bind(null!, null, null, NoEvents, null, [], [], TimeZoneInfo.Utc);
}
