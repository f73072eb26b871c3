using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// Everything the journey machine needs to continue a run, and nothing else: small JSON a host persists in a table
/// row or passes through ContinueAsNew. A run carries the definition version it started with.
/// </summary>
/// <remarks>
/// <para>The machine makes a new state on nearly every transition (<c>with</c>), so the object itself holds only what
/// a transition changes (status, step, sequence, wait, activity, step count). The rest lives in three groups shared
/// by reference between a state and its copies: what the run was started with (<see cref="RunId"/> to
/// <see cref="Trigger"/>), what events brought (<see cref="LastEvent"/>, <see cref="LastEventId"/>,
/// <see cref="Events"/>), and the run's record (emails sent, opened, clicked, deferral, goal, completion). Setting a
/// property of a group in an initializer or a <c>with</c> copies that group once for the new state; nothing else
/// ever changes a group, so sharing is safe. The properties, their order, equality (property by property) and the
/// JSON are what they were when every property was a field of its own.</para>
/// </remarks>
public sealed record RunState
{
    /// <summary>The events of a run that received none (read-only in effect: nothing writes through the interface).</summary>
    private static readonly IReadOnlyDictionary<string, JsonElement> NoEvents = new Dictionary<string, JsonElement>();

    private Identity? _identity;
    private EventData? _data;
    private Record? _record;

    // Whether this state made its own copy of a group (during its initializer or with), so further properties of
    // that group set in the same initializer write to it instead of copying it again.
    private bool _ownsIdentity;
    private bool _ownsData;
    private bool _ownsRecord;

    public RunState()
    {
    }

    /// <summary>The copy a <c>with</c> starts from: the groups are shared until one of their properties is set.</summary>
    private RunState(RunState original)
    {
        _identity = original._identity;
        _data = original._data;
        _record = original._record;
        Status = original.Status;
        StepId = original.StepId;
        Sequence = original.Sequence;
        Wait = original.Wait;
        Activity = original.Activity;
        StepsExecuted = original.StepsExecuted;
    }

    public required string RunId { get => _identity!.RunId; init => OwnIdentity().RunId = value; }

    public required string JourneyId { get => _identity!.JourneyId; init => OwnIdentity().JourneyId = value; }

    public required int Version { get => _identity?.Version ?? 0; init => OwnIdentity().Version = value; }

    public required string ContactId { get => _identity!.ContactId; init => OwnIdentity().ContactId = value; }

    /// <summary>The run key for keyed journeys (cart id, order id); null otherwise.</summary>
    public string? Key { get => _identity?.Key; init => OwnIdentity().Key = value; }

    public RunStatus Status { get; init; }

    /// <summary>The step the run is at: executing its activity, or waiting in it. Null once completed.</summary>
    public string? StepId { get; init; }

    /// <summary>Monotonic counter of transitions; waits and activities carry it so a stale timer or result is ignored.</summary>
    public int Sequence { get; init; }

    public required DateTimeOffset StartedAt { get => _identity?.StartedAt ?? default; init => OwnIdentity().StartedAt = value; }

    /// <summary>Id of the event that started the run.</summary>
    public string? TriggerEventId { get => _identity?.TriggerEventId; init => OwnIdentity().TriggerEventId = value; }

    /// <summary>Data of the trigger event (refreshed by a newer event with the same key), as <c>trigger.*</c>.</summary>
    public JsonElement? Trigger { get => _identity?.Trigger; init => OwnIdentity().Trigger = value; }

    /// <summary>Data of the last event a waitForEvent step received, as <c>event.*</c>.</summary>
    public JsonElement? LastEvent { get => _data?.LastEvent; init => OwnData().LastEvent = value; }

    /// <summary>
    /// Id of the last contact event that changed this run. A repeat delivery of it (the same event raised again by a
    /// routing repeated after a lost storage race, or a queue message delivered again) is ignored.
    /// </summary>
    public string? LastEventId { get => _data?.LastEventId; init => OwnData().LastEventId = value; }

    /// <summary>Data of events received by waitForEvent steps, by step id, as <c>events.&lt;stepId&gt;.*</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement> Events { get => _data?.Events ?? NoEvents; init => OwnData().Events = value; }

    /// <summary>What the run waits for, when <see cref="Status"/> is <see cref="RunStatus.Waiting"/>.</summary>
    public RunWait? Wait { get; init; }

    /// <summary>The activity in flight, when <see cref="Status"/> is <see cref="RunStatus.Executing"/>.</summary>
    public PendingActivity? Activity { get; init; }

    /// <summary>Email steps already sent in this run: a step's email goes out at most once per run.</summary>
    public IReadOnlyList<string> Sent { get => _record?.Sent ?? []; init => OwnRecord().Sent = value; }

    /// <summary>Email steps whose email the contact opened (ACS engagement), for branch conditions.</summary>
    public IReadOnlyList<string> Opened { get => _record?.Opened ?? []; init => OwnRecord().Opened = value; }

    /// <summary>Email steps whose email the contact clicked.</summary>
    public IReadOnlyList<string> Clicked { get => _record?.Clicked ?? []; init => OwnRecord().Clicked = value; }

    /// <summary>
    /// The step whose activity was deferred (frequency cap, rate quota) and is being retried. Its deferral was told once,
    /// so retries that are deferred again add no timeline row; cleared when the activity completes otherwise.
    /// </summary>
    public string? DeferredStepId { get => _record?.DeferredStepId; init => OwnRecord().DeferredStepId = value; }

    public DateTimeOffset? GoalReachedAt { get => _record?.GoalReachedAt; init => OwnRecord().GoalReachedAt = value; }

    /// <summary>Steps executed since the run (or the last ContinueAsNew) began; bounds a busy loop.</summary>
    public int StepsExecuted { get; init; }

    public CompletionReason? Completion { get => _record?.Completion; init => OwnRecord().Completion = value; }

    /// <summary>Step id or event name that ended the run, for reports.</summary>
    public string? CompletionDetail { get => _record?.CompletionDetail; init => OwnRecord().CompletionDetail = value; }

    public DateTimeOffset? EndedAt { get => _record?.EndedAt; init => OwnRecord().EndedAt = value; }

    /// <summary>
    /// What events brought, as one group: the machine makes it when an event wakes a wait and puts it into the state
    /// with the update that starts the next wait, so that transition copies the state once.
    /// </summary>
    internal EventData Received
    {
        get => _data ?? EventData.Empty;
        init
        {
            _data = value;
            _ownsData = false;
        }
    }

    public bool Equals(RunState? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && string.Equals(RunId, other.RunId, StringComparison.Ordinal)
            && string.Equals(JourneyId, other.JourneyId, StringComparison.Ordinal)
            && Version == other.Version
            && string.Equals(ContactId, other.ContactId, StringComparison.Ordinal)
            && string.Equals(Key, other.Key, StringComparison.Ordinal)
            && Status == other.Status
            && string.Equals(StepId, other.StepId, StringComparison.Ordinal)
            && Sequence == other.Sequence
            && StartedAt.Equals(other.StartedAt)
            && string.Equals(TriggerEventId, other.TriggerEventId, StringComparison.Ordinal)
            && EqualityComparer<JsonElement?>.Default.Equals(Trigger, other.Trigger)
            && EqualityComparer<JsonElement?>.Default.Equals(LastEvent, other.LastEvent)
            && string.Equals(LastEventId, other.LastEventId, StringComparison.Ordinal)
            && EqualityComparer<IReadOnlyDictionary<string, JsonElement>>.Default.Equals(Events, other.Events)
            && EqualityComparer<RunWait?>.Default.Equals(Wait, other.Wait)
            && EqualityComparer<PendingActivity?>.Default.Equals(Activity, other.Activity)
            && EqualityComparer<IReadOnlyList<string>>.Default.Equals(Sent, other.Sent)
            && EqualityComparer<IReadOnlyList<string>>.Default.Equals(Opened, other.Opened)
            && EqualityComparer<IReadOnlyList<string>>.Default.Equals(Clicked, other.Clicked)
            && string.Equals(DeferredStepId, other.DeferredStepId, StringComparison.Ordinal)
            && Nullable.Equals(GoalReachedAt, other.GoalReachedAt)
            && StepsExecuted == other.StepsExecuted
            && Completion == other.Completion
            && string.Equals(CompletionDetail, other.CompletionDetail, StringComparison.Ordinal)
            && Nullable.Equals(EndedAt, other.EndedAt));

    public override int GetHashCode() => HashCode.Combine(RunId, Status, StepId, Sequence, StepsExecuted, Completion);

    private Identity OwnIdentity()
    {
        if (_ownsIdentity && _identity is { } own)
        {
            return own;
        }

        var copy = _identity is { } shared ? (Identity)shared.MemberwiseCopy() : new Identity();
        _identity = copy;
        _ownsIdentity = true;
        return copy;
    }

    private EventData OwnData()
    {
        if (_ownsData && _data is { } own)
        {
            return own;
        }

        var copy = _data is { } shared ? (EventData)shared.MemberwiseCopy() : new EventData();
        _data = copy;
        _ownsData = true;
        return copy;
    }

    private Record OwnRecord()
    {
        if (_ownsRecord && _record is { } own)
        {
            return own;
        }

        var copy = _record is { } shared ? (Record)shared.MemberwiseCopy() : new Record();
        _record = copy;
        _ownsRecord = true;
        return copy;
    }

    /// <summary>A group of properties shared between a state and its copies (see the remarks on <see cref="RunState"/>).</summary>
    internal abstract class Group
    {
        public object MemberwiseCopy() => MemberwiseClone();
    }

    private sealed class Identity : Group
    {
        public string RunId { get; set; } = null!;

        public string JourneyId { get; set; } = null!;

        public int Version { get; set; }

        public string ContactId { get; set; } = null!;

        public string? Key { get; set; }

        public DateTimeOffset StartedAt { get; set; }

        public string? TriggerEventId { get; set; }

        public JsonElement? Trigger { get; set; }
    }

    /// <summary>What events brought a run; made by the machine for a woken wait, never changed once in a state.</summary>
    internal sealed class EventData : Group
    {
        public static readonly EventData Empty = new();

        public JsonElement? LastEvent { get; set; }

        public string? LastEventId { get; set; }

        public IReadOnlyDictionary<string, JsonElement> Events { get; set; } = NoEvents;
    }

    private sealed class Record : Group
    {
        public IReadOnlyList<string> Sent { get; set; } = [];

        public IReadOnlyList<string> Opened { get; set; } = [];

        public IReadOnlyList<string> Clicked { get; set; } = [];

        public string? DeferredStepId { get; set; }

        public DateTimeOffset? GoalReachedAt { get; set; }

        public CompletionReason? Completion { get; set; }

        public string? CompletionDetail { get; set; }

        public DateTimeOffset? EndedAt { get; set; }
    }
}

[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    /// <summary>An activity was requested and its result is awaited.</summary>
    [JsonStringEnumMemberName("executing")] Executing,

    /// <summary>Waiting for a timer and/or events.</summary>
    [JsonStringEnumMemberName("waiting")] Waiting,

    [JsonStringEnumMemberName("completed")] Completed,
}

[JsonConverter(typeof(JsonStringEnumConverter<CompletionReason>))]
public enum CompletionReason
{
    /// <summary>Walked off the end of the steps or reached an exit step.</summary>
    [JsonStringEnumMemberName("finished")] Finished,

    /// <summary>An exitWhen rule matched an event.</summary>
    [JsonStringEnumMemberName("exited")] ExitedByRule,

    /// <summary>The goal was reached and the goal ends the run.</summary>
    [JsonStringEnumMemberName("goal")] GoalReached,

    /// <summary>Ended from outside: unsubscribe, erase, journey archived.</summary>
    [JsonStringEnumMemberName("cancelled")] Cancelled,

    /// <summary>An activity failed permanently (e.g. a webhook answered 4xx after retries).</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>What a waiting run waits for: a time, events, or both (whichever first).</summary>
public sealed record RunWait
{
    public required string StepId { get; init; }

    /// <summary>Matches <see cref="RunState.Sequence"/> when the wait began; a timer carries it back.</summary>
    public required int Sequence { get; init; }

    public DateTimeOffset? Until { get; init; }

    /// <summary>Event names that wake the run (a waitForEvent step); empty for a pure timer.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];

    public WaitPurpose Purpose { get; init; }

    /// <summary>
    /// When the timer was due, for a timer that fell due while the journey was paused and was put off by the built-in
    /// host (<see cref="Until"/> then holds the next pause check). The run fires it when the journey is resumed and the
    /// timeline says it was held. Null otherwise (and in rows written before pauses were recorded).
    /// </summary>
    public DateTimeOffset? HeldFrom { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<WaitPurpose>))]
public enum WaitPurpose
{
    /// <summary>A wait or waitForEvent step.</summary>
    [JsonStringEnumMemberName("step")] Step,

    /// <summary>An email held until the send window opens.</summary>
    [JsonStringEnumMemberName("sendWindow")] SendWindow,

    /// <summary>An activity deferred by the runtime (frequency cap, rate quota).</summary>
    [JsonStringEnumMemberName("deferred")] Deferred,
}

public sealed record PendingActivity
{
    public required string StepId { get; init; }

    public required int Sequence { get; init; }

    public required string OperationId { get; init; }
}
