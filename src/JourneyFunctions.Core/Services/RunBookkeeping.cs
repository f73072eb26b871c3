using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// Turns what the machine decided into the contact's timeline and the journey's counters: entered, visited per step,
/// completions by reason (and the step they ended at), goals. Both hosts call it after each transition they persist.
/// Inside a unit of work (<see cref="IContactWork"/>) the timeline rows go into its transaction and the counters are
/// incremented once it has committed, so a transition that never lands (a lost race, applied again) is not counted.
/// </summary>
public sealed class RunBookkeeping(ITimelineStore timeline, IStatsStore stats, IContactWork work)
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

        var counts = new List<(string? StepId, string Counter)>();
        if (before is null)
        {
            counts.Add((null, StatCounters.Entered));
        }

        foreach (var stepId in visited)
        {
            counts.Add((stepId, StatCounters.Visited));
        }

        foreach (var command in results.SelectMany(r => r.Commands))
        {
            switch (command)
            {
                case RecordGoal:
                    counts.Add((null, StatCounters.Goal));
                    break;
                case CompleteRun complete:
                    var counter = CounterFor(complete.Reason);
                    counts.Add((null, counter));
                    var atStep = before?.StepId ?? after.StepId;
                    if (atStep is not null && complete.Reason is not CompletionReason.Finished)
                    {
                        counts.Add((atStep, counter));
                    }

                    break;
            }
        }

        if (counts.Count > 0)
        {
            await work.AfterCommitAsync(
                async ct =>
                {
                    foreach (var (stepId, counter) in counts)
                    {
                        await stats.IncrementAsync(after.JourneyId, stepId, counter, 1, ct);
                    }
                },
                cancellationToken);
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
