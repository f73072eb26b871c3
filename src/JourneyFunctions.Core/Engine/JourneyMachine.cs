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
/// Inputs that do not fit the run's current state (a stale timer, the result of an activity the run no longer waits
/// for, anything sent to a completed run) are ignored: the state comes back unchanged with no command and no decision,
/// which is what at-least-once delivery needs.
/// </remarks>
public static class JourneyMachine
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
        var j = CompiledJourney.For(journey);
        var zone = ZoneOf(journey, contact);
        var t = journey.Trigger;
        string started;
        if (t.Event is { } eventName)
        {
            if (!string.Equals(trigger.Name, eventName, StringComparison.Ordinal))
            {
                return No($"{trigger.Name} does not start this journey (it starts on {eventName})");
            }

            if (t.Filter is { } filter && !ConditionEvaluator.Evaluate(filter, ConditionScope.ForEvent(contact, trigger.Data, zone), now))
            {
                return No($"{trigger.Name} does not match the trigger filter ({ConditionEvaluator.Describe(filter)})");
            }

            started = $"{trigger.Name} started the journey";
        }
        else if (t.TagAdded is { } tag)
        {
            if (!string.Equals(trigger.Name, SystemEvents.TagAdded, StringComparison.Ordinal)
                || !(ReadString(trigger.Data, "tag") is { } added && string.Equals(added, tag, StringComparison.OrdinalIgnoreCase)))
            {
                return No($"{trigger.Name} does not start this journey (it starts when tag {tag} is added)");
            }

            started = $"tag {tag} was added: the journey started";
        }
        else if (t.InactiveFor is { } inactiveFor)
        {
            if (!string.Equals(trigger.Name, SystemEvents.Inactive, StringComparison.Ordinal)
                || !string.Equals(ReadString(trigger.Data, "journeyId"), journey.Id, StringComparison.Ordinal))
            {
                return No($"{trigger.Name} does not start this journey (it starts after {inactiveFor} without activity)");
            }

            started = IsoDuration.TryParse(inactiveFor, out var inactive, out _)
                ? $"no activity for {TimeText.Duration(inactive)}: the journey started"
                : "no activity for the set period: the journey started";
        }
        else
        {
            return No("the journey has no trigger");
        }

        if (!TriggerKeys.TryGet(journey, trigger, out var key))
        {
            return No($"{trigger.Name} has no {t.Key}, which keys this journey (one run per {t.Key}): no run started");
        }

        if (key is not null)
        {
            started += $" for {t.Key} {key}";
        }

        if (previous is not null)
        {
            if (previous.EndedAt is not { } endedAt)
            {
                return No($"a run is already active ({previous.RunId})", key);
            }

            if ((journey.Reentry?.Mode ?? ReentryMode.Never) == ReentryMode.Never)
            {
                return No("the contact already went through this journey, which does not allow re-entry", key);
            }

            if (j.CooldownError is { } cooldownError)
            {
                return No(cooldownError, key);
            }

            if (j.Cooldown is { } cooldown)
            {
                var allowedAt = cooldown.AddTo(endedAt, zone);
                if (now < allowedAt)
                {
                    return No($"the previous run ended {TimeText.Local(endedAt, zone)}; re-entry is possible after a cool-down of {TimeText.Duration(cooldown)}, from {TimeText.Local(allowedAt, zone)}", key);
                }
            }

            started += $" again (entry {previous.Generation + 1})";
        }

        var generation = (previous?.Generation ?? 0) + 1;
        return new EntryDecision(true, RunIds.For(journey.Id, contact.Id, key, generation), key, generation, started);
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
        var w = new Work(CompiledJourney.For(journey), contact, now, state);
        w.Decide(null, DecisionKind.Entered, entry.Reason);
        Advance(w, 0);
        return w.Result();
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

        var w = new Work(CompiledJourney.For(journey), contact, now, state);
        var handled = input switch
        {
            ActivityCompleted completed => OnActivityCompleted(w, completed),
            TimerFired timer => OnTimerFired(w, timer),
            EventReceived received => OnEvent(w, received.Event),
            CancelRequested cancel => Cancel(w, cancel),
            _ => throw new ArgumentException($"Unknown machine input {input.GetType().Name}.", nameof(input)),
        };
        if (!handled)
        {
            return Unchanged(state);
        }

        if (input is EventReceived changedBy)
        {
            w.LastEventId = changedBy.Event.Id;
        }

        return w.Result();
    }

    private static bool Cancel(Work w, CancelRequested cancel)
    {
        Complete(w, CompletionReason.Cancelled, cancel.Reason, DecisionKind.Exited, $"the run was cancelled: {cancel.Reason}");
        return true;
    }

    private static bool OnActivityCompleted(Work w, ActivityCompleted completed)
    {
        if (w.Status != RunStatus.Executing || w.Activity is not { } activity || activity.Sequence != completed.Sequence)
        {
            return false;
        }

        if (w.J.Find(activity.StepId) is not { } cs)
        {
            return MissingStep(w, activity.StepId);
        }

        var outcome = completed.Outcome;
        var step = cs.Step;
        switch (outcome.Status)
        {
            case ActivityStatus.Succeeded:
                if (step is EmailStep)
                {
                    w.Sent = Append(w.Sent, step.Id);
                    w.Decide(step.Id, DecisionKind.Activity, cs.DoneMessage!);
                }
                else if (step is WebhookStep && outcome.Output is { } output)
                {
                    w.Events = With(w.Events, step.Id, output);
                }

                Advance(w, cs.Next);
                return true;
            case ActivityStatus.Skipped:
                w.Decide(step.Id, DecisionKind.Skipped, outcome.Reason ?? $"{step.Kind} step {step.Id} was skipped");
                Advance(w, cs.Next);
                return true;
            case ActivityStatus.Deferred:
                var retryAt = outcome.RetryAt ?? w.Now;
                IssueWait(w, step.Id, retryAt, [], WaitPurpose.Deferred);
                w.Decide(step.Id, DecisionKind.Deferred, $"deferred until {TimeText.Local(retryAt, w.Zone)}: {outcome.Reason ?? "the sender asked to try later"}");
                return true;
            case ActivityStatus.Failed:
                var reason = outcome.Reason ?? $"{step.Kind} step {step.Id} failed";
                Complete(w, CompletionReason.Failed, reason, DecisionKind.Completed, $"the run failed at {step.Id}: {reason}");
                return true;
            default:
                throw new ArgumentException($"Unknown activity status {outcome.Status}.", nameof(completed));
        }
    }

    private static bool OnTimerFired(Work w, TimerFired timer)
    {
        if (w.Status != RunStatus.Waiting || w.Wait is not { } wait || wait.Sequence != timer.Sequence)
        {
            return false;
        }

        if (w.J.Find(wait.StepId) is not { } cs)
        {
            return MissingStep(w, wait.StepId);
        }

        switch (wait.Purpose)
        {
            case WaitPurpose.SendWindow:
            case WaitPurpose.Deferred:
                // Run the step again: an email re-checks the send window and goes out with the same operation id.
                Advance(w, cs.Index);
                return true;
            default:
                if (cs.Step is WaitForEventStep wfe)
                {
                    w.Decide(wfe.Id, DecisionKind.Timeout, cs.DoneMessage!);
                    Advance(w, cs.OnTimeout);
                }
                else
                {
                    Advance(w, cs.Next);
                }

                return true;
        }
    }

    private static bool OnEvent(Work w, ContactEvent ev)
    {
        var data = ev.Data;
        var changed = false;

        // (1) Engagement with this run's emails: recorded for emailOpened / emailClicked conditions.
        var isOpen = string.Equals(ev.Name, SystemEvents.EmailOpened, StringComparison.Ordinal);
        var isEngagement = isOpen || string.Equals(ev.Name, SystemEvents.EmailClicked, StringComparison.Ordinal)
            || string.Equals(ev.Name, SystemEvents.EmailDelivered, StringComparison.Ordinal)
            || string.Equals(ev.Name, SystemEvents.EmailBounced, StringComparison.Ordinal);
        if (isEngagement && ReadString(data, "runId") is { } engagedRun)
        {
            if (!string.Equals(engagedRun, w.Original.RunId, StringComparison.Ordinal))
            {
                // About another run's email: none of this run's business.
                return false;
            }

            if (ReadString(data, "stepId") is { } engagedStep && ev.Name is SystemEvents.EmailOpened or SystemEvents.EmailClicked)
            {
                var list = isOpen ? w.Opened : w.Clicked;
                if (!ContainsOrdinal(list, engagedStep))
                {
                    if (isOpen)
                    {
                        w.Opened = Append(list, engagedStep);
                    }
                    else
                    {
                        w.Clicked = Append(list, engagedStep);
                    }

                    changed = true;
                }
            }
        }

        var journey = w.J.Definition;
        ConditionScope? scope = null;
        ConditionScope Scope() => scope ??= w.Scope(data ?? EmptyObject);

        // (2) Goal.
        if (journey.Goal is { } goal && w.GoalReachedAt is null && w.J.GoalError is null
            && string.Equals(ev.Name, goal.Event, StringComparison.Ordinal)
            && (goal.Filter is null || ConditionEvaluator.Evaluate(goal.Filter, Scope(), w.Now)))
        {
            var startedAt = w.Original.StartedAt;
            var inWindow = w.J.GoalWithin is not { } within || w.Now <= within.AddTo(startedAt, w.Zone);
            if (inWindow)
            {
                w.GoalReachedAt = w.Now;
                w.Commands.Add(new RecordGoal(ev.Id, w.Now));
                w.Decide(w.StepId, DecisionKind.Goal, $"goal reached: {ev.Name} {TimeText.Elapsed(startedAt, w.Now)} after entry");
                changed = true;
                if (goal.EndsRun)
                {
                    Complete(w, CompletionReason.GoalReached, ev.Name, DecisionKind.Completed, "the goal ends this journey");
                    return true;
                }
            }
        }

        // (3) Exit rules.
        foreach (var rule in journey.ExitWhen)
        {
            if (string.Equals(ev.Name, rule.Event, StringComparison.Ordinal)
                && (rule.Filter is null || ConditionEvaluator.Evaluate(rule.Filter, Scope(), w.Now)))
            {
                Complete(w, CompletionReason.ExitedByRule, ev.Name, DecisionKind.Exited, $"{ev.Name} ends this journey (exit rule)");
                return true;
            }
        }

        // (4) The waitForEvent step the run is in.
        if (w.Status == RunStatus.Waiting && w.Wait is { Purpose: WaitPurpose.Step } wait
            && w.J.Find(wait.StepId) is { Step: WaitForEventStep wfe } cs
            && string.Equals(ev.Name, wfe.Event, StringComparison.Ordinal)
            && (wfe.Filter is null || ConditionEvaluator.Evaluate(wfe.Filter, Scope(), w.Now)))
        {
            var received = data ?? EmptyObject;
            w.Events = With(w.Events, wfe.Id, received);
            w.LastEvent = received;
            w.Decide(wfe.Id, DecisionKind.EventMatched, cs.Message!);
            Advance(w, cs.OnEvent);
            return true;
        }

        // (5) A newer trigger event for the same key (a cart changed again): the run uses the newer data.
        var trigger = journey.Trigger;
        var runKey = w.Original.Key;
        if (trigger.Key is { } keyPath && runKey is not null && trigger.Event is { } triggerEvent
            && string.Equals(ev.Name, triggerEvent, StringComparison.Ordinal)
            && data is { } newData && TriggerKeys.TryGet(journey, ev, out var eventKey)
            && string.Equals(eventKey, runKey, StringComparison.Ordinal)
            && (trigger.Filter is null || ConditionEvaluator.Evaluate(trigger.Filter, ConditionScope.ForEvent(w.Contact, newData, w.Zone), w.Now)))
        {
            w.Trigger = newData;
            w.Decide(w.StepId, DecisionKind.Updated, $"{ev.Name} again for {keyPath} {runKey}: the run now uses the newer data");
            return true;
        }

        return changed;
    }

    /// <summary>Executes steps from <paramref name="index"/> until one needs the host or the run ends.</summary>
    private static void Advance(Work w, int index)
    {
        var j = w.J;
        var executed = 0;
        while (true)
        {
            if (index >= j.End)
            {
                Complete(w, CompletionReason.Finished, null, DecisionKind.Completed, "the journey is finished: no more steps");
                return;
            }

            var cs = j.Steps[index];
            var step = cs.Step;
            if (++executed > MaxStepsPerAdvance)
            {
                var loop = $"loop without a wait at step {step.Id}";
                Complete(w, CompletionReason.Failed, loop, DecisionKind.Completed, $"the run failed: {loop} ({MaxStepsPerAdvance} steps without an email, an action or a wait)", step.Id);
                return;
            }

            w.StepsExecuted++;
            if (cs.Error is { } error)
            {
                Complete(w, CompletionReason.Failed, error, DecisionKind.Completed, $"the run failed at {step.Id}: {error}", step.Id);
                return;
            }

            switch (step)
            {
                case EmailStep email:
                    if (ContainsOrdinal(w.Sent, email.Id))
                    {
                        w.Decide(email.Id, DecisionKind.Skipped, "already sent in this run");
                        index = cs.Next;
                        continue;
                    }

                    SendEmail(w, cs, email);
                    return;
                case WaitStep wait:
                    if (StartWaitStep(w, cs, wait))
                    {
                        return;
                    }

                    index = cs.Next;
                    continue;
                case WaitForEventStep wfe:
                    var timeout = cs.Duration.GetValueOrDefault();
                    var until = timeout.AddTo(w.Now, w.Zone);
                    IssueWait(w, wfe.Id, until, cs.WaitEvents, WaitPurpose.Step);
                    w.Decide(wfe.Id, DecisionKind.Wait, $"waiting up to {cs.DurationText} for {wfe.Event}, until {new TimeText.LocalTime(until, w.Zone)}");
                    return;
                case BranchStep branch:
                    var holds = ConditionEvaluator.Evaluate(branch.If, w.Scope(null), w.Now);
                    index = holds ? cs.Then : cs.Else;
                    w.Decide(branch.Id, DecisionKind.Branch, holds ? cs.Message! : cs.DoneMessage!);
                    continue;
                case SplitStep split:
                    var bucket = SplitBuckets.For(j.Definition.Id, w.Original.ContactId, split.Id);
                    var pathIndex = SplitBuckets.PathIndex(split.Paths, bucket);
                    var path = split.Paths[pathIndex];
                    index = cs.PathTargets![pathIndex];
                    w.Decide(split.Id, DecisionKind.Split, $"{split.Id}: path {path.Label ?? (pathIndex + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)} ({path.Percent}%, bucket {bucket}) -> {j.TargetName(index)}");
                    continue;
                case TagsStep tags:
                    IssueActivity(w, new ChangeTagsRequest
                    {
                        RunId = w.Original.RunId, JourneyId = w.Original.JourneyId, Version = w.Original.Version, ContactId = w.Original.ContactId,
                        StepId = tags.Id, Sequence = w.Sequence + 1, OperationId = OperationId(w, tags.Id, false), Add = tags.Add, Remove = tags.Remove,
                    });
                    w.Decide(tags.Id, DecisionKind.Activity, cs.Message!);
                    return;
                case SetFieldStep set:
                    IssueActivity(w, new SetFieldRequest
                    {
                        RunId = w.Original.RunId, JourneyId = w.Original.JourneyId, Version = w.Original.Version, ContactId = w.Original.ContactId,
                        StepId = set.Id, Sequence = w.Sequence + 1, OperationId = OperationId(w, set.Id, false), Field = set.Field, Value = set.Value,
                    });
                    w.Decide(set.Id, DecisionKind.Activity, cs.Message!);
                    return;
                case WebhookStep hook:
                    var hookData = w.RunData();
                    IssueActivity(w, new CallWebhookRequest
                    {
                        RunId = w.Original.RunId, JourneyId = w.Original.JourneyId, Version = w.Original.Version, ContactId = w.Original.ContactId,
                        StepId = hook.Id, Sequence = w.Sequence + 1, OperationId = OperationId(w, hook.Id, false), Url = hook.Url, Method = hook.Method,
                        Headers = hook.Headers, Body = hook.Body, Data = hookData,
                    });
                    w.Decide(hook.Id, DecisionKind.Activity, cs.Message!);
                    return;
                case ExitStep exit:
                    Complete(w, CompletionReason.Finished, exit.Reason ?? exit.Id, DecisionKind.Completed, cs.Message!, exit.Id);
                    return;
                default:
                    throw new InvalidOperationException($"Step kind {step.Kind} has no interpreter.");
            }
        }
    }

    private static void SendEmail(Work w, CompiledStep cs, EmailStep email)
    {
        if (w.J.Window is { } window && !email.IgnoreSendWindow && !window.IsOpen(w.Now, w.Zone))
        {
            var opening = window.NextOpening(w.Now, w.Zone);
            IssueWait(w, email.Id, opening, [], WaitPurpose.SendWindow);
            w.Decide(email.Id, DecisionKind.Deferred, $"held until {new TimeText.LocalTime(opening, w.Zone)}: outside the send window");
            return;
        }

        var data = w.RunData();
        var marketing = w.J.Definition.Category == JourneyCategory.Marketing;
        IssueActivity(w, new SendEmailRequest
        {
            RunId = w.Original.RunId, JourneyId = w.Original.JourneyId, Version = w.Original.Version, ContactId = w.Original.ContactId,
            StepId = email.Id, Sequence = w.Sequence + 1, OperationId = OperationId(w, email.Id, true), Template = email.Template, Marketing = marketing, Data = data,
        });
        w.Decide(email.Id, DecisionKind.Activity, cs.Message!);
    }

    /// <summary>Starts the wait of a wait step; false when there is nothing to wait for and the run goes on at once.</summary>
    private static bool StartWaitStep(Work w, CompiledStep cs, WaitStep wait)
    {
        DateTimeOffset until;
        if (wait.RelativeTo is { } path)
        {
            var offsetText = cs.Offset is { } o && !o.IsZero ? $"{TimeText.Duration(o with { Negative = false })} {(o.Negative ? "before" : "after")} {path}" : path;
            if (ConditionEvaluator.TryResolve(path, w.Scope(null), out var value)
                && JsonValues.TryGetInstant(value, w.Zone, out var date)
                && TryOffset(date, cs.Offset, w.Zone, out until))
            {
                if (until <= w.Now)
                {
                    w.Decide(wait.Id, DecisionKind.Step, $"{offsetText} ({TimeText.Local(until, w.Zone)}) has already passed: going on at once");
                    return false;
                }

                IssueWait(w, wait.Id, until, [], WaitPurpose.Step);
                w.Decide(wait.Id, DecisionKind.Wait, $"waiting until {offsetText}: {TimeText.Local(until, w.Zone)}");
                return true;
            }

            if (cs.Duration is { } fallback)
            {
                until = fallback.AddTo(w.Now, w.Zone);
                IssueWait(w, wait.Id, until, [], WaitPurpose.Step);
                w.Decide(wait.Id, DecisionKind.Wait, $"{path} is missing or not a date: waiting {cs.DurationText} instead, until {new TimeText.LocalTime(until, w.Zone)}");
                return true;
            }

            w.Decide(wait.Id, DecisionKind.Step, $"{path} is missing or not a date and the step has no fallback duration: going on at once");
            return false;
        }

        if (wait.Until is not null)
        {
            until = NextTimeOfDay(cs, w.Now, w.Zone);
            IssueWait(w, wait.Id, until, [], WaitPurpose.Step);
            w.Decide(wait.Id, DecisionKind.Wait, $"waiting until {new TimeText.LocalTime(until, w.Zone)}");
            return true;
        }

        var duration = cs.Duration.GetValueOrDefault();
        until = duration.AddTo(w.Now, w.Zone);
        IssueWait(w, wait.Id, until, [], WaitPurpose.Step);
        w.Decide(wait.Id, DecisionKind.Wait, $"waiting {cs.DurationText}, until {new TimeText.LocalTime(until, w.Zone)}");
        return true;
    }

    /// <summary>The date plus the offset; false when that falls off the calendar (a date such as 9999-12-31 in the data).</summary>
    private static bool TryOffset(DateTimeOffset date, IsoDuration? offset, TimeZoneInfo zone, out DateTimeOffset result)
    {
        result = date;
        if (offset is not { } o)
        {
            return true;
        }

        try
        {
            result = o.AddTo(date, zone);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>The first instant strictly after <paramref name="now"/> at the step's time of day on an allowed weekday.</summary>
    private static DateTimeOffset NextTimeOfDay(CompiledStep cs, DateTimeOffset now, TimeZoneInfo zone)
    {
        var localDate = TimeZoneInfo.ConvertTime(now, zone).Date;
        var days = cs.UntilDays!;
        for (var d = 0; d <= 8; d++)
        {
            var date = localDate.AddDays(d);
            if (!days[(int)date.DayOfWeek])
            {
                continue;
            }

            var candidate = ZonedTime.FromLocal(date + cs.UntilTime.ToTimeSpan(), zone);
            if (candidate > now)
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"Step {cs.Step.Id} allows no weekday.");
    }

    /// <summary>The idempotency key of the next activity: once per run for an email, once per visit otherwise.</summary>
    private static string OperationId(Work w, string stepId, bool isEmail) => isEmail
        ? string.Concat(w.Original.RunId, "|", stepId)
        : string.Concat(w.Original.RunId, "|", stepId, "|", (w.Sequence + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static void IssueActivity(Work w, ActivityRequest request)
    {
        w.Commands.Add(new ExecuteActivity(request));
        w.Status = RunStatus.Executing;
        w.StepId = request.StepId;
        w.Sequence = request.Sequence;
        w.Activity = new PendingActivity { StepId = request.StepId, Sequence = request.Sequence, OperationId = request.OperationId };
        w.Wait = null;
    }

    private static void IssueWait(Work w, string stepId, DateTimeOffset? until, IReadOnlyList<string> events, WaitPurpose purpose)
    {
        var wait = new RunWait { StepId = stepId, Sequence = w.Sequence + 1, Until = until, Events = events, Purpose = purpose };
        w.Commands.Add(new StartWait(wait));
        w.Status = RunStatus.Waiting;
        w.StepId = stepId;
        w.Sequence = wait.Sequence;
        w.Wait = wait;
        w.Activity = null;
    }

    /// <summary>Ends the run; the decision names <paramref name="atStep"/>, else the step the run was at.</summary>
    private static void Complete(Work w, CompletionReason reason, string? detail, DecisionKind kind, string message, string? atStep = null)
    {
        var stepId = atStep ?? w.StepId;
        w.Status = RunStatus.Completed;
        w.StepId = null;
        w.Wait = null;
        w.Activity = null;
        w.Completion = reason;
        w.CompletionDetail = detail;
        w.EndedAt = w.Now;
        w.Commands.Add(new CompleteRun(reason, detail));
        w.Decide(stepId, kind, message);
    }

    private static bool MissingStep(Work w, string stepId)
    {
        var reason = $"step {stepId} is not in version {w.Original.Version} of the journey";
        Complete(w, CompletionReason.Failed, reason, DecisionKind.Completed, $"the run failed: {reason}");
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

    private static Dictionary<string, JsonElement> With(IReadOnlyDictionary<string, JsonElement> events, string stepId, JsonElement data)
    {
        var copy = new Dictionary<string, JsonElement>(events.Count + 1, StringComparer.Ordinal);
        foreach (var pair in events)
        {
            copy[pair.Key] = pair.Value;
        }

        copy[stepId] = data;
        return copy;
    }

    /// <summary>
    /// The working copy of one call: the run's changing fields, mutated in place while the run advances, and what the
    /// call produced. The new <see cref="RunState"/> is built once, at the end.
    /// </summary>
    private sealed class Work
    {
        public Work(CompiledJourney journey, Contact contact, DateTimeOffset now, RunState state)
        {
            J = journey;
            Contact = contact;
            Now = now;
            Zone = ZoneOf(journey.Definition, contact);
            Original = state;
            Status = state.Status;
            StepId = state.StepId;
            Sequence = state.Sequence;
            Trigger = state.Trigger;
            LastEvent = state.LastEvent;
            LastEventId = state.LastEventId;
            Events = state.Events;
            Wait = state.Wait;
            Activity = state.Activity;
            Sent = state.Sent;
            Opened = state.Opened;
            Clicked = state.Clicked;
            GoalReachedAt = state.GoalReachedAt;
            Completion = state.Completion;
            CompletionDetail = state.CompletionDetail;
            EndedAt = state.EndedAt;
        }

        public CompiledJourney J { get; }

        public Contact Contact { get; }

        public DateTimeOffset Now { get; }

        public TimeZoneInfo Zone { get; }

        /// <summary>The state the call began with (its identity fields never change).</summary>
        public RunState Original { get; }

        public RunStatus Status { get; set; }

        public string? StepId { get; set; }

        public int Sequence { get; set; }

        public JsonElement? Trigger { get; set; }

        public JsonElement? LastEvent { get; set; }

        public string? LastEventId { get; set; }

        public IReadOnlyDictionary<string, JsonElement> Events { get; set; }

        public RunWait? Wait { get; set; }

        public PendingActivity? Activity { get; set; }

        public IReadOnlyList<string> Sent { get; set; }

        public IReadOnlyList<string> Opened { get; set; }

        public IReadOnlyList<string> Clicked { get; set; }

        public DateTimeOffset? GoalReachedAt { get; set; }

        public CompletionReason? Completion { get; set; }

        public string? CompletionDetail { get; set; }

        public DateTimeOffset? EndedAt { get; set; }

        public int StepsExecuted { get; set; }

        public List<MachineCommand> Commands { get; } = new(2);

        public List<Decision> Decisions { get; } = new(3);

        public void Decide(string? stepId, DecisionKind kind, string message) => Decisions.Add(new Decision(Now, stepId, kind, message));


        public RunData RunData() => new() { Trigger = Trigger, Event = LastEvent, Events = Events };

        /// <summary>What conditions see now; <paramref name="eventData"/> is event.* (else the last waited event).</summary>
        public ConditionScope Scope(JsonElement? eventData) => new()
        {
            Contact = Contact,
            Trigger = Trigger,
            Event = eventData ?? LastEvent,
            Events = Events,
            Opened = Opened,
            Clicked = Clicked,
            TimeZone = Zone,
        };

        public MachineResult Result()
        {
            var state = Original with
            {
                Status = Status,
                StepId = StepId,
                Sequence = Sequence,
                Trigger = Trigger,
                LastEvent = LastEvent,
                LastEventId = LastEventId,
                Events = Events,
                Wait = Wait,
                Activity = Activity,
                Sent = Sent,
                Opened = Opened,
                Clicked = Clicked,
                GoalReachedAt = GoalReachedAt,
                Completion = Completion,
                CompletionDetail = CompletionDetail,
                EndedAt = EndedAt,
                StepsExecuted = Original.StepsExecuted + StepsExecuted,
            };
            return new MachineResult(state, Commands, Decisions);
        }
    }
}
