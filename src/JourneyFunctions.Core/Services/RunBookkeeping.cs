using System.Text.Json;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// Turns what the machine decided into the contact's timeline and the journey's counters: entered, visited per step,
/// completions by reason (and the step they ended at, by reason), goals (and the step the run was at), unsubscribes,
/// and the <see cref="StatCounters.Waiting"/> gauge of the steps runs are at now. Both hosts call it after each
/// transition they persist. Inside a unit of work (<see cref="IContactWork"/>) the timeline rows go into its
/// transaction and the counters are incremented once it has committed, so a transition that never lands (a lost race,
/// applied again) is not counted.
/// </summary>
/// <remarks>
/// <para>Every counter can be derived again from what the same transaction stored, so a process killed between the
/// commit and the increments (or with increments still buffered) loses nothing for good: the journey-level counters
/// and the gauge follow from the run rows; the per-step counters of a transition are listed in the
/// <see cref="StatsDataProperty"/> property of the data of its last timeline entry (the "why" of the run, and the
/// fact its counts are reconciled from).</para>
/// </remarks>
public sealed class RunBookkeeping(ITimelineStore timeline, IStatsStore stats, IContactWork work)
{
    /// <summary>The property of a timeline entry's data that lists the per-step counters its transition counted.</summary>
    public const string StatsDataProperty = "stats";

    /// <summary>The cancel reason of a run ended because its contact unsubscribed (see <c>ContactService</c>).</summary>
    public const string UnsubscribedReason = "the contact unsubscribed";

    /// <param name="before">The state before the transitions; null when the run just started.</param>
    /// <param name="after">The state after them.</param>
    /// <param name="results">The machine results, in order.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    public async Task RecordAsync(RunState? before, RunState after, IReadOnlyList<MachineResult> results, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(results);
        var entries = new List<TimelineEntry>();
        var stepCounts = new List<StepCount>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            foreach (var decision in result.Decisions)
            {
                entries.Add(new TimelineEntry(decision.At, "journey", decision.Message, after.JourneyId, after.RunId, decision.StepId));
                if (decision.StepId is not null && decision.Kind is DecisionKind.Step or DecisionKind.Activity or DecisionKind.Wait
                        or DecisionKind.Branch or DecisionKind.Split or DecisionKind.Skipped
                    && visited.Add(decision.StepId))
                {
                    stepCounts.Add(new StepCount(decision.StepId, StatCounters.Visited));
                }

                if (decision is { Kind: DecisionKind.Goal, StepId: { } goalStep })
                {
                    stepCounts.Add(new StepCount(goalStep, StatCounters.Goal));
                }
            }
        }

        var counts = new List<(string? StepId, string Counter, long Delta)>();
        if (before is null)
        {
            counts.Add((null, StatCounters.Entered, 1));
        }

        foreach (var command in results.SelectMany(r => r.Commands))
        {
            switch (command)
            {
                case RecordGoal:
                    counts.Add((null, StatCounters.Goal, 1));
                    break;
                case CompleteRun complete:
                    var counter = CounterFor(complete.Reason);
                    counts.Add((null, counter, 1));
                    if (IsUnsubscribe(complete.Reason, complete.Detail))
                    {
                        counts.Add((null, StatCounters.Unsubscribed, 1));
                    }

                    var atStep = before?.StepId ?? after.StepId;
                    if (atStep is not null && complete.Reason is not CompletionReason.Finished)
                    {
                        stepCounts.Add(new StepCount(atStep, counter));
                        stepCounts.Add(new StepCount(atStep, ExitCounterFor(complete.Reason, complete.Detail)));
                    }

                    break;
            }
        }

        counts.AddRange(stepCounts.Select(c => ((string?)c.Step, c.Counter, 1L)));
        AddGaugeMoves(before, after, counts);

        if (entries.Count > 0)
        {
            if (stepCounts.Count > 0)
            {
                // The per-step counts ride in the same transaction as the rest of the transition: the reconciler
                // counts them again from here when a crash lost the increments.
                entries[^1] = entries[^1] with { Data = JsonSerializer.SerializeToElement(new Dictionary<string, StepCount[]> { [StatsDataProperty] = [.. stepCounts] }, StepCountJson.Options) };
            }

            await timeline.AppendAsync(after.ContactId, entries, cancellationToken);
        }

        if (counts.Count > 0)
        {
            await work.AfterCommitAsync(
                async ct =>
                {
                    foreach (var (stepId, counter, delta) in counts)
                    {
                        await stats.IncrementAsync(after.JourneyId, stepId, counter, delta, ct);
                    }
                },
                cancellationToken);
        }
    }

    /// <summary>The step a run counts in the <see cref="StatCounters.Waiting"/> gauge: where it is while active.</summary>
    public static string? GaugeStep(RunState? state) =>
        state is { Status: not RunStatus.Completed, StepId: { } stepId } ? stepId : null;

    public static string CounterFor(CompletionReason reason) => reason switch
    {
        CompletionReason.Finished => StatCounters.Finished,
        CompletionReason.ExitedByRule => StatCounters.Exited,
        CompletionReason.GoalReached => StatCounters.Exited,
        CompletionReason.Cancelled => StatCounters.Cancelled,
        CompletionReason.Failed => StatCounters.Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>The per-step counter of runs that ended there for this reason (<see cref="StatCounters.ExitReasons"/>).</summary>
    public static string ExitCounterFor(CompletionReason reason, string? detail) => reason switch
    {
        CompletionReason.ExitedByRule => StatCounters.ExitByRule,
        CompletionReason.GoalReached => StatCounters.ExitByGoal,
        CompletionReason.Cancelled when IsUnsubscribe(reason, detail) => StatCounters.ExitByUnsubscribe,
        CompletionReason.Cancelled => StatCounters.ExitByCancel,
        CompletionReason.Failed => StatCounters.ExitByFailure,
        CompletionReason.Finished => StatCounters.Finished,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>Whether a completion is an unsubscribe: the contact withdrew consent and its marketing runs were cancelled.</summary>
    public static bool IsUnsubscribe(CompletionReason reason, string? detail) =>
        reason == CompletionReason.Cancelled && string.Equals(detail, UnsubscribedReason, StringComparison.Ordinal);

    /// <summary>A run that moved from one step to another (or started, or ended) leaves one gauge and joins the next.</summary>
    private static void AddGaugeMoves(RunState? before, RunState after, List<(string? StepId, string Counter, long Delta)> counts)
    {
        var from = GaugeStep(before);
        var to = GaugeStep(after);
        if (string.Equals(from, to, StringComparison.Ordinal))
        {
            return;
        }

        if (from is not null)
        {
            counts.Add((from, StatCounters.Waiting, -1));
        }

        if (to is not null)
        {
            counts.Add((to, StatCounters.Waiting, 1));
        }
    }
}

/// <summary>One per-step counter a transition counted, as stored in its timeline entry.</summary>
public sealed record StepCount(string Step, string Counter);

/// <summary>The JSON of <see cref="StepCount"/> lists in timeline data: camelCase, like the rest of the API.</summary>
public static class StepCountJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>The per-step counts a timeline entry's data lists; empty when it lists none.</summary>
    public static IReadOnlyList<StepCount> Read(JsonElement? data)
    {
        if (data is not { ValueKind: JsonValueKind.Object } element
            || !element.TryGetProperty(RunBookkeeping.StatsDataProperty, out var list)
            || list.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return list.Deserialize<StepCount[]>(Options)?.Where(c => c is { Step.Length: > 0, Counter.Length: > 0 }).ToArray() ?? [];
    }
}
