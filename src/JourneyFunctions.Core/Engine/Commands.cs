using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Engine;

/// <summary>What a host feeds the machine.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ActivityCompleted), "activityCompleted")]
[JsonDerivedType(typeof(TimerFired), "timerFired")]
[JsonDerivedType(typeof(EventReceived), "eventReceived")]
[JsonDerivedType(typeof(CancelRequested), "cancel")]
public abstract record MachineInput;

/// <summary>The activity of the pending step finished. <see cref="Sequence"/> must match the pending activity.</summary>
public sealed record ActivityCompleted(int Sequence, ActivityOutcome Outcome) : MachineInput;

/// <summary>A timer the machine asked for fired. <see cref="Sequence"/> must match the wait; stale timers are ignored.</summary>
public sealed record TimerFired(int Sequence) : MachineInput;

/// <summary>An event for the run's contact arrived (any event: it may exit, reach the goal, or wake a wait).</summary>
public sealed record EventReceived(ContactEvent Event) : MachineInput;

/// <summary>Ends the run from outside (unsubscribe, erase).</summary>
public sealed record CancelRequested(string Reason) : MachineInput;

/// <summary>The result of an activity, as the machine needs it.</summary>
public sealed record ActivityOutcome
{
    public required ActivityStatus Status { get; init; }

    /// <summary>Why it was skipped, deferred or failed, for the timeline.</summary>
    public string? Reason { get; init; }

    /// <summary>For <see cref="ActivityStatus.Deferred"/>: when to try again.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>Optional output (a webhook's JSON response), available to later steps as events.&lt;stepId&gt;.</summary>
    public JsonElement? Output { get; init; }

    public static ActivityOutcome Succeeded(JsonElement? output = null) => new() { Status = ActivityStatus.Succeeded, Output = output };

    public static ActivityOutcome Skipped(string reason) => new() { Status = ActivityStatus.Skipped, Reason = reason };

    public static ActivityOutcome Deferred(DateTimeOffset retryAt, string reason) => new() { Status = ActivityStatus.Deferred, RetryAt = retryAt, Reason = reason };

    public static ActivityOutcome Failed(string reason) => new() { Status = ActivityStatus.Failed, Reason = reason };
}

[JsonConverter(typeof(JsonStringEnumConverter<ActivityStatus>))]
public enum ActivityStatus
{
    [JsonStringEnumMemberName("succeeded")] Succeeded,

    /// <summary>Not done and not to be retried (suppressed address, no consent): the run moves on.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,

    /// <summary>Not done yet (frequency cap, rate quota): the machine waits until RetryAt, then asks again.</summary>
    [JsonStringEnumMemberName("deferred")] Deferred,

    /// <summary>Failed for good after the host's retries: the run ends as failed.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>What the machine asks a host to do.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ExecuteActivity), "execute")]
[JsonDerivedType(typeof(StartWait), "wait")]
[JsonDerivedType(typeof(RecordGoal), "goal")]
[JsonDerivedType(typeof(CompleteRun), "complete")]
public abstract record MachineCommand;

/// <summary>Run an activity and feed back <see cref="ActivityCompleted"/> with the same sequence.</summary>
public sealed record ExecuteActivity(ActivityRequest Request) : MachineCommand;

/// <summary>Sleep until <see cref="RunWait.Until"/> (if set) or until an event (the run receives every contact event).</summary>
public sealed record StartWait(RunWait Wait) : MachineCommand;

/// <summary>The goal was reached (counted once per run).</summary>
public sealed record RecordGoal(string EventId, DateTimeOffset At) : MachineCommand;

/// <summary>The run is over.</summary>
public sealed record CompleteRun(CompletionReason Reason, string? Detail) : MachineCommand;

/// <summary>
/// An effect the run needs. <see cref="OperationId"/> is deterministic and is the idempotency key: executing the same
/// request twice has the effect of once (the send ledger enforces it). Email: <c>{runId}|{stepId}</c> (once per run);
/// other activities: <c>{runId}|{stepId}|{sequence}</c> (once per visit of the step).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "activity")]
[JsonDerivedType(typeof(SendEmailRequest), "sendEmail")]
[JsonDerivedType(typeof(ChangeTagsRequest), "changeTags")]
[JsonDerivedType(typeof(SetFieldRequest), "setField")]
[JsonDerivedType(typeof(CallWebhookRequest), "webhook")]
public abstract record ActivityRequest
{
    public required string RunId { get; init; }

    public required string JourneyId { get; init; }

    public required int Version { get; init; }

    public required string ContactId { get; init; }

    public required string StepId { get; init; }

    public required int Sequence { get; init; }

    public required string OperationId { get; init; }
}

/// <summary>Data of the run that templates and webhooks see: trigger.*, event.*, events.&lt;stepId&gt;.*.</summary>
public sealed record RunData
{
    public JsonElement? Trigger { get; init; }

    public JsonElement? Event { get; init; }

    public IReadOnlyDictionary<string, JsonElement> Events { get; init; } = new Dictionary<string, JsonElement>();
}

public sealed record SendEmailRequest : ActivityRequest
{
    public required string Template { get; init; }

    /// <summary>Marketing email: honours marketing consent and carries one-click unsubscribe.</summary>
    public bool Marketing { get; init; } = true;

    public RunData Data { get; init; } = new();
}

public sealed record ChangeTagsRequest : ActivityRequest
{
    public IReadOnlyList<string> Add { get; init; } = [];

    public IReadOnlyList<string> Remove { get; init; } = [];
}

public sealed record SetFieldRequest : ActivityRequest
{
    public required string Field { get; init; }

    public JsonElement? Value { get; init; }
}

public sealed record CallWebhookRequest : ActivityRequest
{
    public required string Url { get; init; }

    public string Method { get; init; } = "POST";

    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public JsonElement? Body { get; init; }

    public RunData Data { get; init; } = new();
}

/// <summary>Why the machine did what it did, for the contact timeline and the simulator.</summary>
public sealed record Decision(DateTimeOffset At, string? StepId, DecisionKind Kind, string Message);

[JsonConverter(typeof(JsonStringEnumConverter<DecisionKind>))]
public enum DecisionKind
{
    [JsonStringEnumMemberName("entered")] Entered,
    [JsonStringEnumMemberName("notEntered")] NotEntered,
    [JsonStringEnumMemberName("step")] Step,
    [JsonStringEnumMemberName("branch")] Branch,
    [JsonStringEnumMemberName("split")] Split,
    [JsonStringEnumMemberName("wait")] Wait,
    [JsonStringEnumMemberName("deferred")] Deferred,
    [JsonStringEnumMemberName("eventMatched")] EventMatched,
    [JsonStringEnumMemberName("timeout")] Timeout,
    [JsonStringEnumMemberName("activity")] Activity,
    [JsonStringEnumMemberName("skipped")] Skipped,
    [JsonStringEnumMemberName("goal")] Goal,
    [JsonStringEnumMemberName("exited")] Exited,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("updated")] Updated,
}

/// <summary>The machine's answer: the new state, what to do, and why.</summary>
public sealed record MachineResult(RunState State, IReadOnlyList<MachineCommand> Commands, IReadOnlyList<Decision> Decisions);

/// <summary>What a host knows about the contact's latest run of a journey (for the re-entry policy).</summary>
public sealed record PreviousRun(string RunId, int Generation, DateTimeOffset StartedAt, DateTimeOffset? EndedAt);

/// <summary>Whether an event starts a run, the deterministic run id if so, and why.</summary>
public sealed record EntryDecision(bool Enter, string? RunId, string? Key, int Generation, string Reason);
