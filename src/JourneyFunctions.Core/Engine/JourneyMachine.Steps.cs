using JourneyFunctions.Core.Conditions;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Engine;

public static partial class JourneyMachine
{
    /// <summary>What a step method returns when the run now waits on the host (an activity, a wait) or has ended.</summary>
    private const int Stop = -1;

    /// <summary>Executes steps from <paramref name="index"/> until one needs the host or the run ends.</summary>
    private static void Advance(RunDraft draft, int index)
    {
        var journey = draft.Journey;
        var executed = 0;
        while (index != Stop)
        {
            if (index >= journey.End)
            {
                Complete(draft, CompletionReason.Finished, null, DecisionKind.Completed, "the journey is finished: no more steps");
                return;
            }

            var step = journey.Steps[index];
            if (++executed > MaxStepsPerAdvance)
            {
                var loop = $"loop without a wait at step {step.Step.Id}";
                Complete(draft, CompletionReason.Failed, loop, DecisionKind.Completed, $"the run failed: {loop} ({MaxStepsPerAdvance} steps without an email, an action or a wait)", step.Step.Id);
                return;
            }

            draft.CountStep();
            if (step.Error is { } error)
            {
                Complete(draft, CompletionReason.Failed, error, DecisionKind.Completed, $"the run failed at {step.Step.Id}: {error}", step.Step.Id);
                return;
            }

            index = step.Step switch
            {
                EmailStep email => RunEmail(draft, step, email),
                WaitStep wait => RunWait(draft, step, wait),
                WaitForEventStep waitForEvent => RunWaitForEvent(draft, step, waitForEvent),
                BranchStep branch => RunBranch(draft, step, branch),
                SplitStep split => RunSplit(draft, step, split),
                TagsStep tags => RunTags(draft, step, tags),
                SetFieldStep setField => RunSetField(draft, step, setField),
                WebhookStep webhook => RunWebhook(draft, step, webhook),
                ExitStep exit => RunExit(draft, step, exit),
                _ => throw new InvalidOperationException($"Step kind {step.Step.Kind} has no interpreter."),
            };
        }
    }

    /// <summary>An email: skipped when this run sent it already, held while the send window is closed, else sent.</summary>
    private static int RunEmail(RunDraft draft, CompiledStep step, EmailStep email)
    {
        if (ContainsOrdinal(draft.Base.Sent, email.Id))
        {
            draft.Decide(email.Id, DecisionKind.Skipped, "already sent in this run");
            return step.Next;
        }

        if (draft.Journey.Window is { } window && !email.IgnoreSendWindow && !window.IsOpen(draft.Now, draft.Zone))
        {
            var opening = window.NextOpening(draft.Now, draft.Zone);
            IssueWait(draft, email.Id, opening, [], WaitPurpose.SendWindow);
            draft.Decide(email.Id, DecisionKind.Deferred, $"held until {new TimeText.LocalTime(opening, draft.Zone)}: outside the send window");
            return Stop;
        }

        var data = draft.RunData();
        var marketing = draft.Journey.Definition.Category == JourneyCategory.Marketing;
        var run = draft.Base;
        IssueActivity(draft, new SendEmailRequest
        {
            RunId = run.RunId, JourneyId = run.JourneyId, Version = run.Version, ContactId = run.ContactId,
            StepId = email.Id, Sequence = run.Sequence + 1, OperationId = OperationId(run, email.Id, true), Template = email.Template, Marketing = marketing, Data = data,
        });
        draft.Decide(email.Id, DecisionKind.Activity, step.Message!);
        return Stop;
    }

    /// <summary>A wait: until a date in the data (plus an offset), a time of day, or for a duration; a date that has
    /// passed (or is missing, without a fallback duration) goes on at once.</summary>
    private static int RunWait(RunDraft draft, CompiledStep step, WaitStep wait)
    {
        DateTimeOffset until;
        if (wait.RelativeTo is { } path)
        {
            var offsetText = step.Offset is { } o && !o.IsZero ? $"{TimeText.Duration(o with { Negative = false })} {(o.Negative ? "before" : "after")} {path}" : path;
            if (ConditionEvaluator.TryResolve(path, draft.Scope(), out var value)
                && JsonValues.TryGetInstant(value, draft.Zone, out var date)
                && TryOffset(date, step.Offset, draft.Zone, out until))
            {
                if (until <= draft.Now)
                {
                    draft.Decide(wait.Id, DecisionKind.Step, $"{offsetText} ({TimeText.Local(until, draft.Zone)}) has already passed: going on at once");
                    return step.Next;
                }

                IssueWait(draft, wait.Id, until, [], WaitPurpose.Step);
                draft.Decide(wait.Id, DecisionKind.Wait, $"waiting until {offsetText}: {TimeText.Local(until, draft.Zone)}");
                return Stop;
            }

            if (step.Duration is { } fallback)
            {
                until = CalendarAdd.To(fallback, draft.Now, draft.Zone);
                IssueWait(draft, wait.Id, until, [], WaitPurpose.Step);
                draft.Decide(wait.Id, DecisionKind.Wait, $"{path} is missing or not a date: waiting {step.DurationText} instead, until {new TimeText.LocalTime(until, draft.Zone)}");
                return Stop;
            }

            draft.Decide(wait.Id, DecisionKind.Step, $"{path} is missing or not a date and the step has no fallback duration: going on at once");
            return step.Next;
        }

        if (wait.Until is not null)
        {
            until = NextTimeOfDay(step, draft.Now, draft.Zone);
            IssueWait(draft, wait.Id, until, [], WaitPurpose.Step);
            draft.Decide(wait.Id, DecisionKind.Wait, $"waiting until {new TimeText.LocalTime(until, draft.Zone)}");
            return Stop;
        }

        var duration = step.Duration.GetValueOrDefault();
        until = CalendarAdd.To(duration, draft.Now, draft.Zone);
        IssueWait(draft, wait.Id, until, [], WaitPurpose.Step);
        draft.Decide(wait.Id, DecisionKind.Wait, $"waiting {step.DurationText}, until {new TimeText.LocalTime(until, draft.Zone)}");
        return Stop;
    }

    /// <summary>A waitForEvent: waits for the event, up to the timeout.</summary>
    private static int RunWaitForEvent(RunDraft draft, CompiledStep step, WaitForEventStep waitForEvent)
    {
        var until = CalendarAdd.To(step.Duration.GetValueOrDefault(), draft.Now, draft.Zone);
        IssueWait(draft, waitForEvent.Id, until, step.WaitEvents, WaitPurpose.Step);
        draft.Decide(waitForEvent.Id, DecisionKind.Wait, $"waiting up to {step.DurationText} for {waitForEvent.Event}, until {new TimeText.LocalTime(until, draft.Zone)}");
        return Stop;
    }

    private static int RunBranch(RunDraft draft, CompiledStep step, BranchStep branch)
    {
        var holds = ConditionEvaluator.Evaluate(branch.If, draft.Scope(), draft.Now);
        draft.Decide(branch.Id, DecisionKind.Branch, holds ? step.Message! : step.DoneMessage!);
        return holds ? step.Then : step.Else;
    }

    /// <summary>A split: the contact's bucket (a hash of journey, contact and step, so the same contact always takes the
    /// same path) picks the path.</summary>
    private static int RunSplit(RunDraft draft, CompiledStep step, SplitStep split)
    {
        var bucket = SplitBuckets.For(draft.Journey.Definition.Id, draft.Base.ContactId, split.Id);
        var pathIndex = SplitBuckets.PathIndex(split.Paths, bucket);
        var target = step.PathTargets![pathIndex];
        var messages = step.BucketMessages!;
        var message = messages[bucket];
        if (message is null)
        {
            var path = split.Paths[pathIndex];
            message = messages[bucket] = $"{split.Id}: path {path.Label ?? (pathIndex + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)} ({path.Percent}%, bucket {bucket}) -> {draft.Journey.TargetName(target)}";
        }

        draft.Decide(split.Id, DecisionKind.Split, message);
        return target;
    }

    private static int RunTags(RunDraft draft, CompiledStep step, TagsStep tags)
    {
        var run = draft.Base;
        IssueActivity(draft, new ChangeTagsRequest
        {
            RunId = run.RunId, JourneyId = run.JourneyId, Version = run.Version, ContactId = run.ContactId,
            StepId = tags.Id, Sequence = run.Sequence + 1, OperationId = OperationId(run, tags.Id, false), Add = tags.Add, Remove = tags.Remove,
        });
        draft.Decide(tags.Id, DecisionKind.Activity, step.Message!);
        return Stop;
    }

    private static int RunSetField(RunDraft draft, CompiledStep step, SetFieldStep setField)
    {
        var run = draft.Base;
        IssueActivity(draft, new SetFieldRequest
        {
            RunId = run.RunId, JourneyId = run.JourneyId, Version = run.Version, ContactId = run.ContactId,
            StepId = setField.Id, Sequence = run.Sequence + 1, OperationId = OperationId(run, setField.Id, false), Field = setField.Field, Value = setField.Value,
        });
        draft.Decide(setField.Id, DecisionKind.Activity, step.Message!);
        return Stop;
    }

    private static int RunWebhook(RunDraft draft, CompiledStep step, WebhookStep webhook)
    {
        var run = draft.Base;
        var data = draft.RunData();
        IssueActivity(draft, new CallWebhookRequest
        {
            RunId = run.RunId, JourneyId = run.JourneyId, Version = run.Version, ContactId = run.ContactId,
            StepId = webhook.Id, Sequence = run.Sequence + 1, OperationId = OperationId(run, webhook.Id, false), Url = webhook.Url, Method = webhook.Method,
            Headers = webhook.Headers, Body = webhook.Body, Data = data,
        });
        draft.Decide(webhook.Id, DecisionKind.Activity, step.Message!);
        return Stop;
    }

    private static int RunExit(RunDraft draft, CompiledStep step, ExitStep exit)
    {
        Complete(draft, CompletionReason.Finished, exit.Reason ?? exit.Id, DecisionKind.Completed, step.Message!, exit.Id);
        return Stop;
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
    private static DateTimeOffset NextTimeOfDay(CompiledStep step, DateTimeOffset now, TimeZoneInfo zone)
    {
        var localDate = TimeZoneInfo.ConvertTime(now, zone).Date;
        var days = step.UntilDays!;
        for (var d = 0; d <= 8; d++)
        {
            var date = localDate.AddDays(d);
            if (!days[(int)date.DayOfWeek])
            {
                continue;
            }

            var candidate = ZonedTime.FromLocal(date + step.UntilTime.ToTimeSpan(), zone);
            if (candidate > now)
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"Step {step.Step.Id} allows no weekday.");
    }

    /// <summary>The idempotency key of the next activity: once per run for an email, once per visit otherwise.</summary>
    private static string OperationId(RunState run, string stepId, bool isEmail) => isEmail
        ? string.Concat(run.RunId, "|", stepId)
        : string.Concat(run.RunId, "|", stepId, "|", (run.Sequence + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static void IssueActivity(RunDraft draft, ActivityRequest request)
    {
        draft.Commands.Add(new ExecuteActivity(request));
        draft.State = draft.Base with
        {
            Status = RunStatus.Executing,
            StepId = request.StepId,
            Sequence = request.Sequence,
            Activity = new PendingActivity { StepId = request.StepId, Sequence = request.Sequence, OperationId = request.OperationId },
            Wait = null,
            StepsExecuted = draft.TakeStepsExecuted(),
            Received = draft.Received,
        };
    }

    private static void IssueWait(RunDraft draft, string stepId, DateTimeOffset? until, IReadOnlyList<string> events, WaitPurpose purpose)
    {
        var wait = new RunWait { StepId = stepId, Sequence = draft.Base.Sequence + 1, Until = until, Events = events, Purpose = purpose };
        draft.Commands.Add(new StartWait(wait));
        draft.State = draft.Base with
        {
            Status = RunStatus.Waiting,
            StepId = stepId,
            Sequence = wait.Sequence,
            Wait = wait,
            Activity = null,
            StepsExecuted = draft.TakeStepsExecuted(),
            Received = draft.Received,
        };
    }

    /// <summary>Ends the run; the decision names <paramref name="atStep"/>, else the step the run was at.</summary>
    private static void Complete(RunDraft draft, CompletionReason reason, string? detail, DecisionKind kind, string message, string? atStep = null)
    {
        var stepId = atStep ?? draft.Base.StepId;
        draft.State = draft.Base with
        {
            Status = RunStatus.Completed,
            StepId = null,
            Wait = null,
            Activity = null,
            Completion = reason,
            CompletionDetail = detail,
            EndedAt = draft.Now,
            StepsExecuted = draft.TakeStepsExecuted(),
            Received = draft.Received,
        };
        draft.Commands.Add(new CompleteRun(reason, detail));
        draft.Decide(stepId, kind, message);
    }

    private static bool MissingStep(RunDraft draft, string stepId)
    {
        var reason = $"step {stepId} is not in version {draft.State.Version} of the journey";
        Complete(draft, CompletionReason.Failed, reason, DecisionKind.Completed, $"the run failed: {reason}");
        return true;
    }
}
