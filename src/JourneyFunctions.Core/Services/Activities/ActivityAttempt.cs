using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services.Activities;

/// <summary>
/// One attempt at an operation the ledger has not seen finish: what an earlier attempt reserved (if any), and the
/// ways the attempt records its end in the ledger (a row is created reserved, then completed) and the timeline.
/// </summary>
public sealed class ActivityAttempt
{
    private readonly ActivityRequest _request;
    private readonly string _kind;
    private readonly ISendLedger _ledger;
    private readonly IStatsStore _stats;
    private readonly ITimelineStore _timeline;
    private readonly TimeProvider _time;

    internal ActivityAttempt(ActivityRequest request, string kind, LedgerEntry? recorded, ISendLedger ledger, IStatsStore stats, ITimelineStore timeline, TimeProvider time)
    {
        this._request = request;
        this._kind = kind;
        Recorded = recorded;
        this._ledger = ledger;
        this._stats = stats;
        this._timeline = timeline;
        this._time = time;
    }

    /// <summary>The row an earlier attempt reserved, or null when this is the first attempt.</summary>
    public LedgerEntry? Recorded { get; private set; }

    /// <summary>The attempt did nothing, for <paramref name="reason"/>: recorded as skipped (a skipped email is counted).</summary>
    public async Task<ActivityOutcome> SkipAsync(string reason, CancellationToken cancellationToken)
    {
        await RecordFinalAsync(Entry(LedgerStatus.Skipped, _time.GetUtcNow(), _request.ContactId) with { Detail = reason }, cancellationToken);
        if (_kind == "email")
        {
            await _stats.IncrementAsync(_request.JourneyId, _request.StepId, StatCounters.EmailsSkipped, 1, cancellationToken);
        }

        return ActivityOutcome.Skipped(reason);
    }

    /// <summary>The effect happened: recorded as done with <paramref name="detail"/>.</summary>
    public Task FinishAsync(string detail, CancellationToken cancellationToken) =>
        RecordFinalAsync(Entry(LedgerStatus.Done, _time.GetUtcNow(), _request.ContactId) with { Detail = detail }, cancellationToken);

    /// <summary>The effect was refused for good: recorded as failed, so a retry does not try again.</summary>
    public Task FailAsync(string detail, CancellationToken cancellationToken) =>
        RecordFinalAsync(Entry(LedgerStatus.Failed, _time.GetUtcNow(), _request.ContactId) with { Detail = detail }, cancellationToken);

    /// <summary>
    /// Reserves the operation before an effect that cannot be taken back (an email). When another attempt reserved it
    /// first, <see cref="Recorded"/> becomes that attempt's row, and its outcome is returned if it already finished.
    /// </summary>
    public async Task<ActivityOutcome?> ReserveAsync(string contactId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (await _ledger.TryReserveAsync(Entry(LedgerStatus.Reserved, at, contactId), cancellationToken))
        {
            return null;
        }

        Recorded = await _ledger.GetAsync(_request.ContactId, _request.RunId, _request.OperationId, cancellationToken);
        return ActivityLedgerGuard.FinishedOutcome(Recorded);
    }

    /// <summary>Completes a reserved row (after <see cref="ReserveAsync"/> or an earlier attempt's reserve).</summary>
    public Task CompleteAsync(LedgerEntry entry, CancellationToken cancellationToken) => _ledger.CompleteAsync(entry, cancellationToken);

    /// <summary>A ledger row of this operation.</summary>
    public LedgerEntry Entry(LedgerStatus status, DateTimeOffset at, string contactId) => new()
    {
        RunId = _request.RunId,
        StepId = _request.StepId,
        OperationId = _request.OperationId,
        JourneyId = _request.JourneyId,
        ContactId = contactId,
        Kind = _kind,
        Status = status,
        At = at,
    };

    /// <summary>Adds what happened to the contact's timeline, attributed to this run and step.</summary>
    public Task AppendTimelineAsync(string contactId, DateTimeOffset at, string timelineKind, string text, CancellationToken cancellationToken) =>
        _timeline.AppendAsync(contactId, [new TimelineEntry(at, timelineKind, text, _request.JourneyId, _request.RunId, _request.StepId)], cancellationToken);

    /// <summary>A ledger row is created reserved and then completed: reserve it first when no earlier attempt did.</summary>
    private async Task RecordFinalAsync(LedgerEntry entry, CancellationToken cancellationToken)
    {
        if (Recorded is null)
        {
            await _ledger.TryReserveAsync(entry with { Status = LedgerStatus.Reserved }, cancellationToken);
        }

        await _ledger.CompleteAsync(entry, cancellationToken);
    }
}
