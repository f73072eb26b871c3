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
/// <item>the timeline and the row are one transaction (one unit of work, <see cref="IContactWork"/>), and the counters are
/// incremented after it commits: a retry never counts twice, a crash right after the commit loses those counts;</item>
/// <item>a run whose row is gone although it existed before was erased (GDPR): nothing is written back for it.</item>
/// </list>
/// The run read costs one range query of the contact's partition and the writes one transaction.
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
