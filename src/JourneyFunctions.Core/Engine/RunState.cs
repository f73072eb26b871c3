using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// Everything the journey machine needs to continue a run, and nothing else: small JSON a host persists in a table
/// row or passes through ContinueAsNew. A run carries the definition version it started with.
/// </summary>
public sealed record RunState
{
    public required string RunId { get; init; }

    public required string JourneyId { get; init; }

    public required int Version { get; init; }

    public required string ContactId { get; init; }

    /// <summary>The run key for keyed journeys (cart id, order id); null otherwise.</summary>
    public string? Key { get; init; }

    public RunStatus Status { get; init; }

    /// <summary>The step the run is at: executing its activity, or waiting in it. Null once completed.</summary>
    public string? StepId { get; init; }

    /// <summary>Monotonic counter of transitions; waits and activities carry it so a stale timer or result is ignored.</summary>
    public int Sequence { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Id of the event that started the run.</summary>
    public string? TriggerEventId { get; init; }

    /// <summary>Data of the trigger event (refreshed by a newer event with the same key), as <c>trigger.*</c>.</summary>
    public JsonElement? Trigger { get; init; }

    /// <summary>Data of the last event a waitForEvent step received, as <c>event.*</c>.</summary>
    public JsonElement? LastEvent { get; init; }

    /// <summary>
    /// Id of the last contact event that changed this run. A repeat delivery of it (the same event raised again by a
    /// routing repeated after a lost storage race, or a queue message delivered again) is ignored.
    /// </summary>
    public string? LastEventId { get; init; }

    /// <summary>Data of events received by waitForEvent steps, by step id, as <c>events.&lt;stepId&gt;.*</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement> Events { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>What the run waits for, when <see cref="Status"/> is <see cref="RunStatus.Waiting"/>.</summary>
    public RunWait? Wait { get; init; }

    /// <summary>The activity in flight, when <see cref="Status"/> is <see cref="RunStatus.Executing"/>.</summary>
    public PendingActivity? Activity { get; init; }

    /// <summary>Email steps already sent in this run: a step's email goes out at most once per run.</summary>
    public IReadOnlyList<string> Sent { get; init; } = [];

    /// <summary>Email steps whose email the contact opened (ACS engagement), for branch conditions.</summary>
    public IReadOnlyList<string> Opened { get; init; } = [];

    /// <summary>Email steps whose email the contact clicked.</summary>
    public IReadOnlyList<string> Clicked { get; init; } = [];

    /// <summary>
    /// The step whose activity was deferred (frequency cap, rate quota) and is being retried. Its deferral was told once,
    /// so retries that are deferred again add no timeline row; cleared when the activity completes otherwise.
    /// </summary>
    public string? DeferredStepId { get; init; }

    public DateTimeOffset? GoalReachedAt { get; init; }

    /// <summary>Steps executed since the run (or the last ContinueAsNew) began; bounds a busy loop.</summary>
    public int StepsExecuted { get; init; }

    public CompletionReason? Completion { get; init; }

    /// <summary>Step id or event name that ended the run, for reports.</summary>
    public string? CompletionDetail { get; init; }

    public DateTimeOffset? EndedAt { get; init; }
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
