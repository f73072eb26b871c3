using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Core.Orchestration;

/// <summary>
/// The body of the journey orchestration: turns the pure machine's commands into durable context calls and feeds
/// what happened back to the machine, until the run completes. One instance drives one run (instance id = run id).
/// <list type="bullet">
/// <item>ExecuteActivity: the ExecuteActivity activity (retried by the adapter's policy); a final failure becomes a
/// failed outcome, so the machine ends the run as failed and the failure is recorded.</item>
/// <item>A wait: a durable timer (when the wait has an end) raced against the contact-event and cancel external
/// events; the losers are cancelled. Every contact event reaches a waiting run (it may exit, reach the goal, or wake
/// a waitForEvent step); an irrelevant one leaves the run waiting for the same thing.</item>
/// <item>Before feeding a timer or an event, the contact is loaded again through an activity: the machine decides on
/// the contact as it is now (tags and fields change while a run waits).</item>
/// <item>The run row, timeline and counters are written through the RecordResult activity when the run starts and
/// each time it comes to rest (waits or completes), so the event router finds waiting runs and stats stay current.</item>
/// <item>When a timer fires while the journey is paused, the run holds: it checks again every
/// <see cref="PauseRecheck"/> and feeds the timer once the journey is resumed, as the built-in host's due-timer loop
/// skips paused journeys. Events still reach a paused journey's runs.</item>
/// <item>After <see cref="InputsPerExecution"/> inputs the orchestration continues as new, at a rest point, carrying
/// the run state, so its history stays bounded however long the run lives.</item>
/// </list>
/// Time comes only from the context; the machine is pure; so every replay makes the same calls in the same order.
/// </summary>
public sealed class JourneyOrchestrationDriver
{
    public const int DefaultInputsPerExecution = 50;

    /// <summary>The built-in runner's default (<see cref="Runner.RunnerOptions.PausedRecheck"/>): one option for both engines.</summary>
    public static readonly TimeSpan DefaultPauseRecheck = Runner.RunnerOptions.DefaultPausedRecheck;

    public JourneyOrchestrationDriver(int inputsPerExecution = DefaultInputsPerExecution, TimeSpan? pauseRecheck = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputsPerExecution, 1);
        InputsPerExecution = inputsPerExecution;
        PauseRecheck = pauseRecheck ?? DefaultPauseRecheck;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PauseRecheck, TimeSpan.Zero);
    }

    /// <summary>How often a run whose timer fired while its journey is paused checks whether it was resumed.</summary>
    public TimeSpan PauseRecheck { get; }

    /// <summary>Machine inputs handled in one execution before it continues as new.</summary>
    public int InputsPerExecution { get; }

    /// <summary>
    /// Runs the orchestration. Returns the completed run state, or null when it continued as new (the next execution
    /// carries on with the state).
    /// </summary>
    public async Task<RunState?> RunAsync(IOrchestrationContextPort context, JourneyRunInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var log = context.CreateReplaySafeLogger(typeof(JourneyOrchestrationDriver).FullName!);
        var journey = await context.CallActivityAsync<JourneyDefinition>(
            JourneyOrchestration.LoadJourneyActivity, new JourneyVersionRef(input.JourneyId, input.Version));

        Contact contact;
        MachineResult current;
        RunState? recorded;
        var unrecorded = new List<MachineResult>();
        if (input.Start is { } start)
        {
            contact = start.Contact;
            current = JourneyMachine.Start(journey, start.Entry, contact, start.Trigger, start.At);
            log.LogInformation("Run {RunId} started in {JourneyId} v{Version} for {ContactId}", current.State.RunId, journey.Id, current.State.Version, contact.Id);

            // Recorded at once, before any activity, so the router delivers the contact's events here. RunStartPreparer
            // normally wrote this same state already, and the record is then a no-op.
            await RecordAsync(context, null, current.State, [current]);
            recorded = current.State;
        }
        else
        {
            var state = input.State ?? throw new ArgumentException("The input has neither a start nor a state.", nameof(input));
            contact = input.Contact ?? await LoadContactAsync(context, state.ContactId, null);
            current = new MachineResult(state, [], []);
            recorded = state;
        }

        var inputs = 0;
        DateTimeOffset? holdUntil = null;
        while (true)
        {
            var state = current.State;
            MachineInput next;
            switch (state.Status)
            {
                case RunStatus.Completed:
                    if (unrecorded.Count > 0)
                    {
                        await RecordAsync(context, recorded, state, unrecorded);
                    }

                    context.SetCustomStatus(Progress(state));
                    log.LogInformation("Run {RunId} completed: {Reason} {Detail}", state.RunId, state.Completion, state.CompletionDetail);
                    return state;

                case RunStatus.Executing:
                    var execute = current.Commands.OfType<ExecuteActivity>().SingleOrDefault()
                        ?? throw new InvalidOperationException($"Run {state.RunId} is executing step {state.StepId} but the machine asked for no activity.");
                    next = await ExecuteAsync(context, execute.Request, log);
                    if (execute.Request is ChangeTagsRequest or SetFieldRequest)
                    {
                        contact = await LoadContactAsync(context, state.ContactId, contact);
                    }

                    break;

                case RunStatus.Waiting:
                    var wait = state.Wait ?? throw new InvalidOperationException($"Run {state.RunId} is waiting with nothing to wait for.");
                    if (unrecorded.Count > 0)
                    {
                        await RecordAsync(context, recorded, state, unrecorded);
                        recorded = state;
                        unrecorded.Clear();
                    }

                    MachineInput? buffered = null;
                    if (inputs >= InputsPerExecution)
                    {
                        // Events this execution has received but not yet waited for are not reliably carried over
                        // ContinueAsNew (durabletask-dotnet#387: preserveUnprocessedEvents loses them on some
                        // backends, the in-process test host among them). Feed any such event to the machine first;
                        // continue as new only once none is pending.
                        buffered = TakeBuffered(context);
                        if (buffered is null)
                        {
                            log.LogInformation("Run {RunId} continues as new after {Inputs} inputs", state.RunId, inputs);
                            context.ContinueAsNew(new JourneyRunInput { JourneyId = state.JourneyId, Version = state.Version, State = state, Contact = contact });
                            return null;
                        }
                    }

                    context.SetCustomStatus(Progress(state));
                    next = buffered ?? await WaitAsync(context, wait, holdUntil is { } hold && (wait.Until is null || hold > wait.Until) ? hold : wait.Until);
                    if (next is TimerFired && await context.CallActivityAsync<bool>(JourneyOrchestration.IsJourneyPausedActivity, state.JourneyId))
                    {
                        holdUntil = Now(context) + PauseRecheck;
                        log.LogInformation("Run {RunId}: journey {JourneyId} is paused; the timer holds until {HoldUntil:O}", state.RunId, state.JourneyId, holdUntil);
                        inputs++;
                        continue;
                    }

                    holdUntil = null;
                    if (next is not CancelRequested)
                    {
                        contact = await LoadContactAsync(context, state.ContactId, contact);
                    }

                    break;

                default:
                    throw new InvalidOperationException($"Unknown run status {state.Status}.");
            }

            inputs++;
            var result = JourneyMachine.Handle(journey, state, next, contact, Now(context));
            if (ReferenceEquals(result.State, state) && result.Commands.Count == 0 && result.Decisions.Count == 0)
            {
                // Nothing for this run (an event it does not react to, a stale timer): it keeps waiting as it was.
                current = new MachineResult(state, [], []);
                continue;
            }

            unrecorded.Add(result);
            current = result;
        }
    }

    private static async Task<MachineInput> ExecuteAsync(IOrchestrationContextPort context, ActivityRequest request, ILogger log)
    {
        try
        {
            var outcome = await context.CallActivityAsync<ActivityOutcome>(JourneyOrchestration.ExecuteActivityName, new ExecuteActivityInput(request));
            return new ActivityCompleted(request.Sequence, outcome);
        }
        catch (ActivityFailedException e)
        {
            log.LogWarning("Run {RunId} step {StepId}: activity failed after retries: {Reason}", request.RunId, request.StepId, e.Message);
            return new ActivityCompleted(request.Sequence, ActivityOutcome.Failed(e.Message));
        }
    }

    /// <summary>Races the wait's timer (at <paramref name="until"/>, none when null) against the two external events.</summary>
    private static async Task<MachineInput> WaitAsync(IOrchestrationContextPort context, RunWait wait, DateTimeOffset? until)
    {
        using var losers = new CancellationTokenSource();
        var contactEvent = context.WaitForExternalEvent<ContactEvent>(JourneyOrchestration.ContactEventName, losers.Token);
        var cancel = context.WaitForExternalEvent<string>(JourneyOrchestration.CancelEventName, losers.Token);
        var timer = until is { } at ? context.CreateTimer(at.UtcDateTime, losers.Token) : null;
        var winner = timer is null
            ? await Task.WhenAny(contactEvent, cancel)
            : await Task.WhenAny(contactEvent, cancel, timer);
        // Synchronous on purpose: an orchestrator must stay on its own thread (CancelAsync runs callbacks elsewhere).
        losers.Cancel();

        if (winner == cancel)
        {
            return new CancelRequested(await cancel);
        }

        if (winner == contactEvent)
        {
            return new EventReceived(await contactEvent);
        }

        await timer!;
        return new TimerFired(wait.Sequence);
    }

    /// <summary>
    /// An external event the orchestration already holds (a wait for it completes at once), cancel first; null when
    /// none is pending. Deterministic: the same history holds the same events on every replay.
    /// </summary>
    private static MachineInput? TakeBuffered(IOrchestrationContextPort context)
    {
        using (var probe = new CancellationTokenSource())
        {
            var cancel = context.WaitForExternalEvent<string>(JourneyOrchestration.CancelEventName, probe.Token);
            if (cancel.IsCompletedSuccessfully)
            {
                return new CancelRequested(cancel.Result);
            }

            probe.Cancel();
        }

        using (var probe = new CancellationTokenSource())
        {
            var contactEvent = context.WaitForExternalEvent<ContactEvent>(JourneyOrchestration.ContactEventName, probe.Token);
            if (contactEvent.IsCompletedSuccessfully)
            {
                return new EventReceived(contactEvent.Result);
            }

            probe.Cancel();
        }

        return null;
    }

    private static async Task<Contact> LoadContactAsync(IOrchestrationContextPort context, string contactId, Contact? fallback)
    {
        // An erased contact loads as null: the run carries on (to its cancellation) with an empty profile.
        var contact = await context.CallActivityAsync<Contact?>(JourneyOrchestration.LoadContactActivity, contactId);
        return contact ?? fallback ?? new Contact { Id = contactId };
    }

    private static Task RecordAsync(IOrchestrationContextPort context, RunState? before, RunState after, IReadOnlyList<MachineResult> results) =>
        context.CallActivityAsync<bool>(JourneyOrchestration.RecordResultActivity, new RunRecord(before, after, results.ToList()));

    private static DateTimeOffset Now(IOrchestrationContextPort context) =>
        new(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));

    public static RunProgress Progress(RunState state) =>
        new(state.RunId, state.StepId, state.Status, state.Wait?.Until, state.Wait?.Events ?? [], state.Sequence, state.Completion);
}
