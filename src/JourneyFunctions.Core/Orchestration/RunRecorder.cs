using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Core.Orchestration;

/// <summary>
/// The RecordResult activity of the durable host: writes the run row (what the router, the contact view and "waiting
/// now" read) and the timeline and counters of the transitions since the last record. The orchestration is the only
/// writer of its run row, so there is no race to lose; what remains is the activity being retried:
/// <list type="bullet">
/// <item>a retry after the row was written sees the row already at that state and does nothing (no double counts);</item>
/// <item>the bookkeeping goes before the row, so a crash between them repeats the bookkeeping rather than losing it;</item>
/// <item>a run whose row is gone although it existed before was erased (GDPR): nothing is written back for it.</item>
/// </list>
/// The record is one unit of work on the run's contact (<see cref="IContactWork"/>): the run read, the timeline and the
/// run row are one read and one transaction, and the bookkeeping and the row are then written together.
/// </summary>
public sealed class RunRecorder(IRunStore runs, IContactWork work, RunBookkeeping bookkeeping, ILogger<RunRecorder> logger)
{
    /// <summary>Records the transitions; false when there was nothing to do (a repeat, or an erased run).</summary>
    public async Task<bool> RecordAsync(RunRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var after = record.After;
        await using var scope = work.Begin(after.ContactId);
        var stored = await runs.GetAsync(after.RunId, cancellationToken);
        if (stored is not null && SameTransition(stored.State, after))
        {
            logger.LogDebug("Run {RunId} is already recorded at sequence {Sequence}", after.RunId, after.Sequence);
            return false;
        }

        if (stored is null && record.Before is not null)
        {
            logger.LogInformation("Run {RunId} has no row any more (the contact was erased); nothing recorded", after.RunId);
            return false;
        }

        await bookkeeping.RecordAsync(record.Before, after, record.Results, cancellationToken);
        if (stored is null)
        {
            await runs.CreateAsync(after, cancellationToken);
        }
        else
        {
            await runs.UpdateAsync(after, stored.ETag, cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
        return true;
    }

    private static bool SameTransition(RunState stored, RunState after) =>
        stored.Sequence == after.Sequence
        && stored.Status == after.Status
        && stored.StepsExecuted == after.StepsExecuted
        && string.Equals(stored.StepId, after.StepId, StringComparison.Ordinal);
}
