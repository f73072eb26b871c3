using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Core.Orchestration;

/// <summary>
/// Names shared by the orchestrator, its activities and the dispatcher that raises events. Stored in durable history
/// and in running instances: a permanent contract, like the journey JSON.
/// </summary>
public static class JourneyOrchestration
{
    /// <summary>The orchestrator function: one instance per run, instance id = run id.</summary>
    public const string OrchestratorName = "JourneyRun";

    /// <summary>External event carrying a <see cref="ContactEvent"/> for the run's contact.</summary>
    public const string ContactEventName = "contact-event";

    /// <summary>External event carrying the reason (a string) that ends the run from outside.</summary>
    public const string CancelEventName = "cancel";

    public const string LoadJourneyActivity = "LoadJourney";
    public const string LoadContactActivity = "LoadContact";
    public const string ExecuteActivityName = "ExecuteActivity";
    public const string RecordResultActivity = "RecordResult";

    /// <summary>Whether the run's journey is paused: a paused journey's timers hold (events still reach the run).</summary>
    public const string IsJourneyPausedActivity = "IsJourneyPaused";
}

/// <summary>
/// The orchestration's input: how the run starts (first execution) or the state it carries over ContinueAsNew.
/// Exactly one of <see cref="Start"/> and <see cref="State"/> is set.
/// </summary>
public sealed record JourneyRunInput
{
    public required string JourneyId { get; init; }

    /// <summary>The definition version the run is pinned to.</summary>
    public required int Version { get; init; }

    public RunStart? Start { get; init; }

    public RunState? State { get; init; }

    /// <summary>The last contact snapshot the run used (carried over ContinueAsNew).</summary>
    public Contact? Contact { get; init; }
}

/// <summary>
/// What the router decided when it started the run, and when: the machine starts the run at <see cref="At"/> (not at
/// the orchestration's first episode), so the state the orchestration computes equals the run row
/// <see cref="RunStartPreparer"/> wrote before scheduling it.
/// </summary>
public sealed record RunStart(EntryDecision Entry, Contact Contact, ContactEvent Trigger, DateTimeOffset At);

/// <summary>Input of the LoadJourney activity: the pinned definition version.</summary>
public sealed record JourneyVersionRef(string JourneyId, int Version);

/// <summary>
/// Input of the ExecuteActivity activity. The envelope types <see cref="Request"/> as the polymorphic base, so the
/// serializer writes its <c>activity</c> discriminator and the activity can read the concrete request back.
/// </summary>
public sealed record ExecuteActivityInput(ActivityRequest Request);

/// <summary>Input of the RecordResult activity: the transitions since the last record, to persist and account for.</summary>
public sealed record RunRecord(RunState? Before, RunState After, IReadOnlyList<MachineResult> Results);

/// <summary>The orchestration's custom status: where the run is and what it waits for.</summary>
public sealed record RunProgress(string RunId, string? StepId, RunStatus Status, DateTimeOffset? WaitingUntil, IReadOnlyList<string> WaitingFor, int Sequence, CompletionReason? Completion);
