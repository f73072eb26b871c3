using System.Text.Json;
using JourneyFunctions.Core.Conditions;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// The pure journey machine: (definition, run state, input, now) -> (new state, commands, decisions). It never reads a
/// clock, draws a random number, makes a GUID or does I/O, so Durable Functions can replay it, both hosts share it, and
/// the simulator runs a 90-day journey in milliseconds. It advances a run until the run needs the host (an activity,
/// a wait) or ends, and says why at every meaningful point (<see cref="Decision"/>), in the contact's time zone.
/// </summary>
/// <remarks>
/// <para>Inputs that do not fit the run's current state (a stale timer, the result of an activity the run no longer waits
/// for, anything sent to a completed run) are ignored: the state comes back unchanged with no command and no decision,
/// which is what at-least-once delivery needs.</para>
/// <para>This file holds the entry decision and the inputs; <c>JourneyMachine.Steps.cs</c> executes steps (one method
/// per step kind); <c>JourneyMachine.RunDraft.cs</c> is the state of one call in the making.</para>
/// </remarks>
public static partial class JourneyMachine
{
    /// <summary>The most steps one advance may execute without issuing an activity or a wait (a busy-loop guard).</summary>
    public const int MaxStepsPerAdvance = 1000;

    private static readonly MachineCommand[] NoCommands = [];
    private static readonly Decision[] NoDecisions = [];
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>
    /// Does this event start a run of this journey for this contact? Checks the trigger (event and filter, tag added,
    /// inactivity), the run key of keyed journeys, and the re-entry policy against the contact's latest run.
    /// </summary>
    public static EntryDecision DecideEntry(JourneyDefinition journey, Contact contact, ContactEvent trigger, PreviousRun? previous, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(journey);
        ArgumentNullException.ThrowIfNull(contact);
        ArgumentNullException.ThrowIfNull(trigger);
        var zone = ZoneOf(journey, contact);
        if (!MatchTrigger(journey, contact, trigger, zone, now, out var head))
        {
            return No(TriggerMismatch(journey, trigger));
        }

        var keyPath = journey.Trigger.Key;
        if (!TriggerKeys.TryGet(journey, trigger, out var key))
        {
            return No($"{trigger.Name} has no {keyPath}, which keys this journey (one run per {keyPath}): no run started");
        }

        if (previous is not null && ReentryRefusal(CompiledJourney.For(journey), previous, zone, now) is { } refusal)
        {
            return No(refusal, key);
        }

        var generation = (previous?.Generation ?? 0) + 1;
        var started = Started(head ?? trigger.Name, head is null, keyPath, key, previous is null ? 0 : generation);
        return new EntryDecision(true, RunIds.For(journey.Id, contact.Id, key, generation), key, generation, started);
    }

    /// <summary>
    /// How the run started, in one string: "cart.updated started the journey", then " for cartId c-1" for a keyed
    /// run and " again (entry 2)" for a re-entry. <paramref name="head"/> is the trigger event's name when
    /// <paramref name="eventHead"/> (the text is then "&lt;name&gt; started the journey"), else the whole first part.
    /// </summary>
    private static string Started(string head, bool eventHead, string? keyPath, string? key, int entry)
    {
        var verb = eventHead ? " started the journey" : string.Empty;
        return (key, entry) switch
        {
            (null, 0) => eventHead ? string.Concat(head, verb) : head,
            (null, _) => $"{head}{verb} again (entry {entry})",
            (_, 0) => $"{head}{verb} for {keyPath} {key}",
            _ => $"{head}{verb} for {keyPath} {key} again (entry {entry})",
        };
    }

    /// <summary>Starts the run (only after <see cref="DecideEntry"/> said Enter) and advances to the first activity, wait or end.</summary>
    public static MachineResult Start(JourneyDefinition journey, EntryDecision entry, Contact contact, ContactEvent trigger, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(journey);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(contact);
        ArgumentNullException.ThrowIfNull(trigger);
        if (!entry.Enter || entry.RunId is null)
        {
            throw new InvalidOperationException($"The entry decision did not admit the contact ({entry.Reason}); a run cannot start.");
        }

        var state = new RunState
        {
            RunId = entry.RunId,
            JourneyId = journey.Id,
            Version = journey.Version ?? 1,
            ContactId = contact.Id,
            Key = entry.Key,
            Status = RunStatus.Executing,
            StartedAt = now,
            TriggerEventId = trigger.Id,
            Trigger = trigger.Data,
        };
        var draft = RunDraft.Begin(CompiledJourney.For(journey), contact, now, state);
        draft.Decide(null, DecisionKind.Entered, entry.Reason);
        Advance(draft, 0);
        return draft.Result();
    }

    /// <summary>Feeds one input to a run and advances it.</summary>
    public static MachineResult Handle(JourneyDefinition journey, RunState state, MachineInput input, Contact contact, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(journey);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(contact);
        if (!string.Equals(journey.Id, state.JourneyId, StringComparison.Ordinal) || (journey.Version is { } v && v != state.Version))
        {
            throw new ArgumentException($"Run {state.RunId} belongs to {state.JourneyId} version {state.Version}, not {journey.Id} version {journey.Version}: pass the version the run started with.", nameof(journey));
        }

        if (state.Status == RunStatus.Completed)
        {
            return Unchanged(state);
        }

        // A repeat delivery of the event this run handled last (a routing repeated after a lost storage race, a queue
        // message delivered again), or of the event that started it, is not a second event.
        if (input is EventReceived { Event.Id: { Length: > 0 } eventId }
            && (string.Equals(eventId, state.LastEventId, StringComparison.Ordinal) || string.Equals(eventId, state.TriggerEventId, StringComparison.Ordinal)))
        {
            return Unchanged(state);
        }

        var draft = RunDraft.Begin(CompiledJourney.For(journey), contact, now, state);
        var handled = input switch
        {
            ActivityCompleted completed => OnActivityCompleted(draft, completed),
            TimerFired timer => OnTimerFired(draft, timer),
            EventReceived received => OnEvent(draft, received.Event),
            CancelRequested cancel => Cancel(draft, cancel),
            FailRequested fail => Fail(draft, fail),
            _ => throw new ArgumentException($"Unknown machine input {input.GetType().Name}.", nameof(input)),
        };
        if (!handled)
        {
            draft.Release();
            return Unchanged(state);
        }

        if (input is EventReceived { Event.Id: var handledId } && !string.Equals(draft.LastEventId, handledId, StringComparison.Ordinal))
        {
            draft.State = draft.State with { LastEventId = handledId };
        }

        return draft.Result();
    }

    /// <summary>
    /// Whether the event starts the journey, and how (<paramref name="head"/>: "tag vip was added: the journey
    /// started"; null for an event trigger, whose text "&lt;event&gt; started the journey" <see cref="Started"/> writes).
    /// </summary>
    private static bool MatchTrigger(JourneyDefinition journey, Contact contact, ContactEvent trigger, TimeZoneInfo zone, DateTimeOffset now, out string? head)
    {
        head = null;
        var t = journey.Trigger;
        if (t.Event is { } eventName)
        {
            return string.Equals(trigger.Name, eventName, StringComparison.Ordinal)
                && (t.Filter is not { } filter || ConditionEvaluator.Evaluate(filter, ConditionScope.ForEvent(contact, trigger.Data, zone), now));
        }

        if (t.TagAdded is { } tag)
        {
            if (string.Equals(trigger.Name, SystemEvents.TagAdded, StringComparison.Ordinal)
                && ReadString(trigger.Data, "tag") is { } added && string.Equals(added, tag, StringComparison.OrdinalIgnoreCase))
            {
                head = $"tag {tag} was added: the journey started";
                return true;
            }

            return false;
        }

        if (t.InactiveFor is { } inactiveFor)
        {
            if (!string.Equals(trigger.Name, SystemEvents.Inactive, StringComparison.Ordinal)
                || !string.Equals(ReadString(trigger.Data, "journeyId"), journey.Id, StringComparison.Ordinal))
            {
                return false;
            }

            head = IsoDuration.TryParse(inactiveFor, out var inactive, out _)
                ? $"no activity for {TimeText.Duration(inactive)}: the journey started"
                : "no activity for the set period: the journey started";
            return true;
        }

        return false;
    }

    /// <summary>Why the event does not start the journey (after <see cref="MatchTrigger"/> said it does not).</summary>
    private static string TriggerMismatch(JourneyDefinition journey, ContactEvent trigger)
    {
        var t = journey.Trigger;
        if (t.Event is { } eventName)
        {
            return !string.Equals(trigger.Name, eventName, StringComparison.Ordinal) || t.Filter is not { } filter
                ? $"{trigger.Name} does not start this journey (it starts on {eventName})"
                : $"{trigger.Name} does not match the trigger filter ({ConditionEvaluator.Describe(filter)})";
        }

        if (t.TagAdded is { } tag)
        {
            return $"{trigger.Name} does not start this journey (it starts when tag {tag} is added)";
        }

        return t.InactiveFor is { } inactiveFor
            ? $"{trigger.Name} does not start this journey (it starts after {inactiveFor} without activity)"
            : "the journey has no trigger";
    }

    /// <summary>Why the contact may not enter again after <paramref name="previous"/>, or null when they may.</summary>
    private static string? ReentryRefusal(CompiledJourney journey, PreviousRun previous, TimeZoneInfo zone, DateTimeOffset now)
    {
        if (previous.EndedAt is not { } endedAt)
        {
            return $"a run is already active ({previous.RunId})";
        }

        if ((journey.Definition.Reentry?.Mode ?? ReentryMode.Never) == ReentryMode.Never)
        {
            return "the contact already went through this journey, which does not allow re-entry";
        }

        if (journey.CooldownError is { } cooldownError)
        {
            return cooldownError;
        }

        if (journey.Cooldown is { } cooldown)
        {
            var allowedAt = cooldown.AddTo(endedAt, zone);
            if (now < allowedAt)
            {
                return $"the previous run ended {TimeText.Local(endedAt, zone)}; re-entry is possible after a cool-down of {TimeText.Duration(cooldown)}, from {TimeText.Local(allowedAt, zone)}";
            }
        }

        return null;
    }

    private static bool Cancel(RunDraft draft, CancelRequested cancel)
    {
        Complete(draft, CompletionReason.Cancelled, cancel.Reason, DecisionKind.Exited, $"the run was cancelled: {cancel.Reason}");
        return true;
    }

    private static bool Fail(RunDraft draft, FailRequested fail)
    {
        Complete(draft, CompletionReason.Failed, fail.Reason, DecisionKind.Completed, $"the run failed: {fail.Reason}");
        return true;
    }

    private static bool OnActivityCompleted(RunDraft draft, ActivityCompleted completed)
    {
        var state = draft.State;
        if (state.Status != RunStatus.Executing || state.Activity is not { } activity || activity.Sequence != completed.Sequence)
        {
            return false;
        }

        if (draft.Journey.Find(activity.StepId) is not { } compiled)
        {
            return MissingStep(draft, activity.StepId);
        }

        var outcome = completed.Outcome;
        var step = compiled.Step;
        var toldDeferral = string.Equals(state.DeferredStepId, step.Id, StringComparison.Ordinal);
        if (state.DeferredStepId is not null && outcome.Status != ActivityStatus.Deferred)
        {
            state = draft.State = state with { DeferredStepId = null };
        }

        switch (outcome.Status)
        {
            case ActivityStatus.Succeeded:
                if (step is EmailStep)
                {
                    draft.State = state with { Sent = Append(state.Sent, step.Id) };
                    draft.Decide(step.Id, DecisionKind.Activity, compiled.DoneMessage!);
                }
                else if (step is WebhookStep && outcome.Output is { } output)
                {
                    draft.State = state with { Events = With(state.Events, step.Id, output) };
                }

                Advance(draft, compiled.Next);
                return true;
            case ActivityStatus.Skipped:
                draft.Decide(step.Id, DecisionKind.Skipped, outcome.Reason ?? $"{step.Kind} step {step.Id} was skipped");
                Advance(draft, compiled.Next);
                return true;
            case ActivityStatus.Deferred:
                var retryAt = outcome.RetryAt ?? draft.Now;
                IssueWait(draft, step.Id, retryAt, [], WaitPurpose.Deferred);
                if (!toldDeferral)
                {
                    // One row per deferred step: a retry deferred again (the cap filled up again) is not news.
                    draft.State = draft.State with { DeferredStepId = step.Id };
                    draft.Decide(step.Id, DecisionKind.Deferred, $"deferred until {TimeText.Local(retryAt, draft.Zone)}: {outcome.Reason ?? "the sender asked to try later"}");
                }

                return true;
            case ActivityStatus.Failed:
                var reason = outcome.Reason ?? $"{step.Kind} step {step.Id} failed";
                Complete(draft, CompletionReason.Failed, reason, DecisionKind.Completed, $"the run failed at {step.Id}: {reason}");
                return true;
            default:
                throw new ArgumentException($"Unknown activity status {outcome.Status}.", nameof(completed));
        }
    }

    private static bool OnTimerFired(RunDraft draft, TimerFired timer)
    {
        if (draft.State.Status != RunStatus.Waiting || draft.State.Wait is not { } wait || wait.Sequence != timer.Sequence)
        {
            return false;
        }

        if (draft.Journey.Find(wait.StepId) is not { } compiled)
        {
            return MissingStep(draft, wait.StepId);
        }

        if (wait.HeldFrom is { } heldFrom)
        {
            draft.Decide(wait.StepId, DecisionKind.Deferred, HeldWhilePaused(draft, heldFrom));
        }

        switch (wait.Purpose)
        {
            case WaitPurpose.SendWindow:
            case WaitPurpose.Deferred:
                // Run the step again: an email re-checks the send window and goes out with the same operation id.
                Advance(draft, compiled.Index);
                return true;
            default:
                if (compiled.Step is WaitForEventStep waitForEvent)
                {
                    draft.Decide(waitForEvent.Id, DecisionKind.Timeout, compiled.DoneMessage!);
                    Advance(draft, compiled.OnTimeout);
                }
                else
                {
                    Advance(draft, compiled.Next);
                }

                return true;
        }
    }

    /// <summary>
    /// An event for the run's contact, in this order: engagement with this run's emails, the goal, the exit rules, the
    /// waitForEvent step the run is in, a newer trigger event for the run's key. False when none of it concerns the run.
    /// In a keyed run the goal, the exit rules and the waitForEvent step hear an event carrying the key field only
    /// when it carries this run's key (<see cref="KeyMatches"/>), unless they set <c>matchKey: false</c>.
    /// </summary>
    private static bool OnEvent(RunDraft draft, ContactEvent ev)
    {
        if (string.Equals(ev.Name, SystemEvents.JourneyResumed, StringComparison.Ordinal))
        {
            return OnJourneyResumed(draft, ev);
        }

        if (RecordEngagement(draft, ev) is not { } changed)
        {
            // About another run's email: none of this run's business.
            return false;
        }

        switch (CheckGoal(draft, ev))
        {
            case GoalOutcome.EndsRun:
                return true;
            case GoalOutcome.Reached:
                changed = true;
                break;
        }

        if (CheckExitRules(draft, ev))
        {
            return true;
        }

        return WakeWaitForEvent(draft, ev) || RefreshTrigger(draft, ev) || changed;
    }

    /// <summary>
    /// The run's journey was resumed after a pause: a timer that fell due during the pause (held by the built-in host,
    /// <see cref="RunWait.HeldFrom"/>, or simply past due, as the Functions host holds it) fires now. Anything else is
    /// not this run's business (another journey, a timer still to come).
    /// </summary>
    private static bool OnJourneyResumed(RunDraft draft, ContactEvent ev)
    {
        var state = draft.State;
        if (!string.Equals(ReadString(ev.Data, "journeyId"), state.JourneyId, StringComparison.Ordinal)
            || state.Status != RunStatus.Waiting || state.Wait is not { } wait
            || (wait.HeldFrom ?? wait.Until) is not { } dueAt || (wait.HeldFrom is null && dueAt > draft.Now))
        {
            return false;
        }

        // OnTimerFired says "held while paused" for a wait the built-in host held; a past-due one is said here.
        if (wait.HeldFrom is null)
        {
            draft.Decide(wait.StepId, DecisionKind.Deferred, HeldWhilePaused(draft, dueAt));
        }

        return OnTimerFired(draft, new TimerFired(wait.Sequence));
    }

    private static string HeldWhilePaused(RunDraft draft, DateTimeOffset dueAt) =>
        $"held while paused: the timer due {TimeText.Local(dueAt, draft.Zone)} fires now that the journey is resumed";

    /// <summary>
    /// Records opens and clicks of this run's emails (for emailOpened / emailClicked conditions). Null when the event
    /// is engagement with another run's email; else whether the state changed.
    /// </summary>
    private static bool? RecordEngagement(RunDraft draft, ContactEvent ev)
    {
        var isOpen = string.Equals(ev.Name, SystemEvents.EmailOpened, StringComparison.Ordinal);
        var isEngagement = isOpen || string.Equals(ev.Name, SystemEvents.EmailClicked, StringComparison.Ordinal)
            || string.Equals(ev.Name, SystemEvents.EmailDelivered, StringComparison.Ordinal)
            || string.Equals(ev.Name, SystemEvents.EmailBounced, StringComparison.Ordinal);
        if (!isEngagement || ReadString(ev.Data, "runId") is not { } engagedRun)
        {
            return false;
        }

        if (!string.Equals(engagedRun, draft.State.RunId, StringComparison.Ordinal))
        {
            return null;
        }

        if (ReadString(ev.Data, "stepId") is not { } engagedStep || ev.Name is not (SystemEvents.EmailOpened or SystemEvents.EmailClicked))
        {
            return false;
        }

        var state = draft.State;
        var list = isOpen ? state.Opened : state.Clicked;
        if (ContainsOrdinal(list, engagedStep))
        {
            return false;
        }

        draft.State = isOpen ? state with { Opened = Append(list, engagedStep) } : state with { Clicked = Append(list, engagedStep) };
        return true;
    }

    private enum GoalOutcome
    {
        NotReached,
        Reached,
        EndsRun,
    }

    private static GoalOutcome CheckGoal(RunDraft draft, ContactEvent ev)
    {
        var journey = draft.Journey;
        var state = draft.State;
        if (journey.Definition.Goal is not { } goal || state.GoalReachedAt is not null || journey.GoalError is not null
            || !string.Equals(ev.Name, goal.Event, StringComparison.Ordinal)
            || (goal.MatchKey && !KeyMatches(draft, ev))
            || (goal.Filter is not null && !ConditionEvaluator.Evaluate(goal.Filter, draft.EventScope(ev), draft.Now)))
        {
            return GoalOutcome.NotReached;
        }

        if (journey.GoalWithin is { } within && draft.Now > CalendarAdd.To(within, state.StartedAt, draft.Zone))
        {
            return GoalOutcome.NotReached;
        }

        draft.State = state with { GoalReachedAt = draft.Now };
        draft.Commands.Add(new RecordGoal(ev.Id, draft.Now));
        draft.Decide(state.StepId, DecisionKind.Goal, $"goal reached: {ev.Name} {TimeText.Elapsed(state.StartedAt, draft.Now)} after entry");
        if (!goal.EndsRun)
        {
            return GoalOutcome.Reached;
        }

        Complete(draft, CompletionReason.GoalReached, ev.Name, DecisionKind.Completed, "the goal ends this journey");
        return GoalOutcome.EndsRun;
    }

    private static bool CheckExitRules(RunDraft draft, ContactEvent ev)
    {
        var rules = draft.Journey.Definition.ExitWhen;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (string.Equals(ev.Name, rule.Event, StringComparison.Ordinal)
                && (!rule.MatchKey || KeyMatches(draft, ev))
                && (rule.Filter is null || ConditionEvaluator.Evaluate(rule.Filter, draft.EventScope(ev), draft.Now)))
            {
                Complete(draft, CompletionReason.ExitedByRule, ev.Name, DecisionKind.Exited, $"{ev.Name} ends this journey (exit rule)");
                return true;
            }
        }

        return false;
    }

    /// <summary>The waitForEvent step the run is in receives its event: the data is kept and the run goes on.</summary>
    private static bool WakeWaitForEvent(RunDraft draft, ContactEvent ev)
    {
        var state = draft.State;
        if (state.Status != RunStatus.Waiting || state.Wait is not { Purpose: WaitPurpose.Step } wait
            || draft.Journey.Find(wait.StepId) is not { Step: WaitForEventStep waitForEvent } compiled
            || !string.Equals(ev.Name, waitForEvent.Event, StringComparison.Ordinal)
            || (waitForEvent.MatchKey && !KeyMatches(draft, ev))
            || (waitForEvent.Filter is not null && !ConditionEvaluator.Evaluate(waitForEvent.Filter, draft.EventScope(ev), draft.Now)))
        {
            return false;
        }

        var received = ev.Data ?? EmptyObject;

        // The data and the handled event's id (see Handle) are held by the draft and go into the state with the update
        // that starts the next wait or activity, so waking a wait and waiting again copies the state once.
        draft.Wake(waitForEvent.Id, received, ev.Id);
        draft.Decide(waitForEvent.Id, DecisionKind.EventMatched, compiled.Message!);
        Advance(draft, compiled.OnEvent);
        return true;
    }

    /// <summary>
    /// Whether an event may concern this run as far as the run key goes: true for a run without a key, and for an
    /// event that carries no usable value at the trigger's key path (it concerns every run of the contact, as before
    /// keys were matched); else only when the event's key is the run's (compared exactly, as run ids are made).
    /// </summary>
    private static bool KeyMatches(RunDraft draft, ContactEvent ev) =>
        draft.State.Key is not { } runKey
        || !TriggerKeys.TryGet(draft.Journey.Definition, ev, out var eventKey)
        || eventKey is null
        || string.Equals(eventKey, runKey, StringComparison.Ordinal);

    /// <summary>A newer trigger event for the same key (a cart changed again): the run uses the newer data.</summary>
    private static bool RefreshTrigger(RunDraft draft, ContactEvent ev)
    {
        var journey = draft.Journey.Definition;
        var trigger = journey.Trigger;
        var runKey = draft.State.Key;
        if (trigger.Key is not { } keyPath || runKey is null || trigger.Event is not { } triggerEvent
            || !string.Equals(ev.Name, triggerEvent, StringComparison.Ordinal)
            || ev.Data is not { } newData || !TriggerKeys.TryGet(journey, ev, out var eventKey)
            || !string.Equals(eventKey, runKey, StringComparison.Ordinal)
            || (trigger.Filter is not null && !ConditionEvaluator.Evaluate(trigger.Filter, ConditionScope.ForEvent(draft.Contact, newData, draft.Zone), draft.Now)))
        {
            return false;
        }

        draft.State = draft.State with { Trigger = newData };
        draft.Decide(draft.State.StepId, DecisionKind.Updated, $"{ev.Name} again for {keyPath} {runKey}: the run now uses the newer data");
        return true;
    }

    private static TimeZoneInfo ZoneOf(JourneyDefinition journey, Contact contact) =>
        ZonedTime.Resolve(contact.TimeZone, journey.SendWindow?.TimeZone);

    private static EntryDecision No(string reason, string? key = null) => new(false, null, key, 0, reason);

    private static MachineResult Unchanged(RunState state) => new(state, NoCommands, NoDecisions);

    private static string? ReadString(JsonElement? data, string property) =>
        data is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static bool ContainsOrdinal(IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], item, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string[] Append(IReadOnlyList<string> list, string item)
    {
        var result = new string[list.Count + 1];
        for (var i = 0; i < list.Count; i++)
        {
            result[i] = list[i];
        }

        result[^1] = item;
        return result;
    }

    private static IReadOnlyDictionary<string, JsonElement> With(IReadOnlyDictionary<string, JsonElement> events, string stepId, JsonElement data)
    {
        if (EventDictionary.With(events, stepId, data) is { } small)
        {
            return small;
        }

        var copy = new Dictionary<string, JsonElement>(events.Count + 1, StringComparer.Ordinal);
        if (events is Dictionary<string, JsonElement> dictionary)
        {
            // The usual case (the machine's own copies, deserialised states): its struct enumerator allocates nothing.
            foreach (var pair in dictionary)
            {
                copy[pair.Key] = pair.Value;
            }
        }
        else
        {
            foreach (var pair in events)
            {
                copy[pair.Key] = pair.Value;
            }
        }

        copy[stepId] = data;
        return copy;
    }
}
