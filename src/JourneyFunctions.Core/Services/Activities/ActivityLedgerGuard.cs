using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services.Activities;

/// <summary>
/// The exactly-once guard every activity runs behind: the send ledger is read under the operation's deterministic id
/// first, and an operation an earlier attempt finished returns that attempt's outcome instead of acting again.
/// Otherwise the handler runs with an <see cref="ActivityAttempt"/> that records how it ended.
/// </summary>
public sealed class ActivityLedgerGuard(ISendLedger ledger, IStatsStore stats, ITimelineStore timeline, TimeProvider time)
{
    public async Task<ActivityOutcome> RunAsync<TRequest>(TRequest request, IActivityHandler<TRequest> handler, CancellationToken cancellationToken)
        where TRequest : ActivityRequest
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(handler);
        var recorded = await ledger.GetAsync(request.ContactId, request.RunId, request.OperationId, cancellationToken);
        if (FinishedOutcome(recorded) is { } done)
        {
            return done;
        }

        return await handler.ExecuteAsync(request, new ActivityAttempt(request, handler.Kind, recorded, ledger, stats, timeline, time), cancellationToken);
    }

    /// <summary>The outcome of an operation whose ledger row says it finished; null when it did not (no row, or reserved).</summary>
    internal static ActivityOutcome? FinishedOutcome(LedgerEntry? entry) => entry?.Status switch
    {
        LedgerStatus.Done or LedgerStatus.Delivered or LedgerStatus.Bounced => ActivityOutcome.Succeeded(),
        LedgerStatus.Failed when entry.Kind == "email" => ActivityOutcome.Failed(entry.Detail ?? "refused earlier"),
        LedgerStatus.Skipped or LedgerStatus.Failed => ActivityOutcome.Skipped(entry.Detail ?? "skipped earlier"),
        _ => null,
    };
}
