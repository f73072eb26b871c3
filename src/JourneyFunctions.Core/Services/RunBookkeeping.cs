using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// Turns what the machine decided into the contact's timeline and the journey's counters: entered, visited per step,
/// completions by reason (and the step they ended at), goals. Both hosts call it after each transition they persist.
/// </summary>
public sealed class RunBookkeeping(ITimelineStore timeline, IStatsStore stats)
{
    /// <param name="before">The state before the transitions; null when the run just started.</param>
    /// <param name="after">The state after them.</param>
    /// <param name="results">The machine results, in order.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    public async Task RecordAsync(RunState? before, RunState after, IReadOnlyList<MachineResult> results, CancellationToken cancellationToken = default)
    {
        var entries = new List<TimelineEntry>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            foreach (var decision in result.Decisions)
            {
                entries.Add(new TimelineEntry(decision.At, "journey", decision.Message, after.JourneyId, after.RunId, decision.StepId));
                if (decision.StepId is not null && decision.Kind is DecisionKind.Step or DecisionKind.Activity or DecisionKind.Wait
                        or DecisionKind.Branch or DecisionKind.Split or DecisionKind.Skipped)
                {
                    visited.Add(decision.StepId);
                }
            }
        }

        if (entries.Count > 0)
        {
            await timeline.AppendAsync(after.ContactId, entries, cancellationToken);
        }

        if (before is null)
        {
            await stats.IncrementAsync(after.JourneyId, null, StatCounters.Entered, 1, cancellationToken);
        }

        foreach (var stepId in visited)
        {
            await stats.IncrementAsync(after.JourneyId, stepId, StatCounters.Visited, 1, cancellationToken);
        }

        foreach (var command in results.SelectMany(r => r.Commands))
        {
            switch (command)
            {
                case RecordGoal:
                    await stats.IncrementAsync(after.JourneyId, null, StatCounters.Goal, 1, cancellationToken);
                    break;
                case CompleteRun complete:
                    var counter = CounterFor(complete.Reason);
                    await stats.IncrementAsync(after.JourneyId, null, counter, 1, cancellationToken);
                    var atStep = before?.StepId ?? after.StepId;
                    if (atStep is not null && complete.Reason is not CompletionReason.Finished)
                    {
                        await stats.IncrementAsync(after.JourneyId, atStep, counter, 1, cancellationToken);
                    }

                    break;
            }
        }
    }

    public static string CounterFor(CompletionReason reason) => reason switch
    {
        CompletionReason.Finished => StatCounters.Finished,
        CompletionReason.ExitedByRule => StatCounters.Exited,
        CompletionReason.GoalReached => StatCounters.Exited,
        CompletionReason.Cancelled => StatCounters.Cancelled,
        CompletionReason.Failed => StatCounters.Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
