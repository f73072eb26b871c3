using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Runner;
using JourneyFunctions.Core.Serialization;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Runs in Table Storage:
/// <list type="bullet">
/// <item>the run is row <c>r|{run id}</c> of its contact's partition of <c>Contacts</c> (see <see cref="ContactRows"/>;
/// a run id made by <see cref="RunIds.For"/> names its contact, so <see cref="GetAsync"/> is a point read): the state
/// JSON in <c>Data</c> (split across columns when large), plus journey, contact, key, generation, start, end, status,
/// due time and the key of its timer row as columns. The per-contact listings and the re-entry lookup are one range
/// query of the partition, served from the unit of work's snapshot when one is open.</item>
/// <item><c>RunTimers</c>: PK = due minute (<c>yyyyMMddHHmm</c> UTC), RK = due ticks + run id, stamped with the
/// writer's time on the host's <see cref="TimeProvider"/>. Every write of a waiting run stores the row of its timer
/// before the run row itself (inside a unit of work: before its commit, which waits for it), so a run is never due
/// without a timer row. Concurrent inputs' timer rows for one due minute share one transaction (group commit), so
/// under load a timer row costs a fraction of a request. When a write inside a unit of work moves a run off a timer
/// (an event, a fire, completion), the old row is deleted once the commit has succeeded, with the other moved-on rows
/// of that due minute in one transaction at the start of the next scan, so no input waits for it. Rows are still
/// hints: <see cref="ListDueAsync"/> checks each against the run and deletes rows of runs that have moved on (left by
/// a crash, by another instance or by a write outside a unit of work) once they are older than
/// <see cref="StorageOptions.StaleTimerGrace"/>. The scan reads the due runs' partitions a few at a time
/// (<see cref="StreamDueAsync"/>), so firing starts with the first run read. Since due rows are consumed, the range
/// scan up to now starts at the oldest pending timer, never at the beginning of time.</item>
/// </list>
/// </summary>
public sealed class TableRunStore : IRunStore, IDueRunStream
{
    private const string TimersTable = "RunTimers";
    private const string Completed = "completed";

    /// <summary>The run row's column with the row key of its current timer row.</summary>
    private const string TimerColumn = "Timer";

    /// <summary>The timer row's column with the time its writer stored it, on the host's clock.</summary>
    private const string WrittenAtColumn = "WrittenAt";

    /// <summary>Partition reads in flight at once in <see cref="ListDueAsync"/>.</summary>
    private const int ListReadAhead = 8;

    /// <summary>Bound on remembered timer rows of runs handed out as due; past it the memory starts over.</summary>
    private const int MaxHandedOut = 100_000;

    /// <summary>Bound on moved-on timer rows waiting for the next scan; past it they are left to the stale clean-up.</summary>
    private const int MaxMovedOn = 100_000;

    private readonly StorageTables _tables;
    private readonly TimeProvider _timeProvider;

    /// <summary>See <see cref="StorageOptions.StaleTimerGrace"/>.</summary>
    private readonly TimeSpan _staleGrace;

    /// <summary>The timer row (with its ETag) of each run <see cref="ListDueAsync"/> handed out, until the run moves on.</summary>
    private readonly ConcurrentDictionary<string, TableEntity> _handedOut = new(StringComparer.Ordinal);

    /// <summary>Timer rows written by concurrent inputs share transactions per due minute (see <see cref="TableGroupCommit"/>).</summary>
    private readonly TableGroupCommit _timerWrites = new();

    /// <summary>Timer rows of runs that moved on (committed), deleted in transactions by the next scan.</summary>
    private readonly ConcurrentDictionary<(string Pk, string Rk), TableEntity> _movedOn = new();

    public TableRunStore(StorageTables tables, TimeProvider timeProvider)
        : this(tables, timeProvider, Options.Create(new StorageOptions()))
    {
    }

    public TableRunStore(StorageTables tables, TimeProvider timeProvider, IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _tables = tables;
        _timeProvider = timeProvider;
        _staleGrace = options.Value.StaleTimerGrace;
    }

    public async Task<StoredRun?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (RunIds.ContactIdOf(runId) is not { } contactId)
        {
            return null;
        }

        var row = await PartitionRows.GetAsync(_tables, contactId, ContactRows.Run(runId), cancellationToken);
        return row is null ? null : ToStored(row);
    }

    public async Task<StoredRun> CreateAsync(RunState state, CancellationToken cancellationToken = default)
    {
        CheckId(state);
        await WriteTimerAsync(state, _tables.ScopeFor(state.ContactId), cancellationToken);
        try
        {
            var etag = await PartitionRows.WriteAsync(_tables, state.ContactId, ToEntity(state), RowWrite.Insert, null, cancellationToken);
            return new StoredRun(state, etag);
        }
        catch (ConcurrencyException ex)
        {
            throw new ConcurrencyException($"Run '{state.RunId}' exists already.", ex);
        }
    }

    public async Task<StoredRun> UpdateAsync(RunState state, string etag, CancellationToken cancellationToken = default)
    {
        CheckId(state);
        ArgumentNullException.ThrowIfNull(etag);
        var scope = _tables.ScopeFor(state.ContactId);

        // The timer the run waits on now, as the unit of work sees the row (its snapshot: no request).
        var before = scope is null ? null : await scope.GetStringAsync(ContactRows.Run(state.RunId), TimerColumn, cancellationToken);
        await WriteTimerAsync(state, scope, cancellationToken);
        var written = await PartitionRows.WriteAsync(_tables, state.ContactId, ToEntity(state), RowWrite.Replace, etag, cancellationToken);
        if (scope is null)
        {
            ForgetFiredTimer(state);
        }
        else
        {
            DropMovedOnTimer(scope, state, before);
        }

        return new StoredRun(state, written);
    }

    /// <remarks>
    /// Rows whose <c>Status</c> column says completed are skipped without parsing their state (a contact's finished runs
    /// stay in its working set, and every input asks for the active ones).
    /// </remarks>
    public async Task<IReadOnlyList<StoredRun>> ListActiveForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var rows = await PartitionRows.RangeAsync(_tables, contactId, ContactRows.RunPrefix, null, cancellationToken);
        return Newest(rows.Where(r => !string.Equals(r.GetString("Status"), Completed, StringComparison.Ordinal)).Select(ToStored).Where(r => r.State.Status != RunStatus.Completed));
    }

    public async Task<IReadOnlyList<StoredRun>> ListForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var rows = await PartitionRows.RangeAsync(_tables, contactId, ContactRows.RunPrefix, null, cancellationToken);
        return Newest(rows.Select(ToStored));
    }

    private static List<StoredRun> Newest(IEnumerable<StoredRun> runs) =>
        [.. runs.OrderByDescending(r => r.State.StartedAt).ThenByDescending(r => r.State.RunId, StringComparer.Ordinal)];

    public async Task<IReadOnlyList<StoredRun>> ListDueAsync(DateTimeOffset dueBy, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var due = new List<StoredRun>();
        await foreach (var run in StreamDueAsync(dueBy, max, ListReadAhead, cancellationToken))
        {
            due.Add(run);
        }

        return due;
    }

    /// <remarks>
    /// Each due row's run is read with the rest of its contact's working set (one range query, as a point read costs),
    /// which then serves the unit of work that fires the timer; up to <paramref name="readAhead"/> of those reads are
    /// in flight while the caller fires what was yielded. Rows are yielded in scan order (due time).
    /// </remarks>
    public async IAsyncEnumerable<StoredRun> StreamDueAsync(DateTimeOffset dueBy, int max, int readAhead, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        readAhead = Math.Max(1, readAhead);
        var timers = await _tables.GetAsync(TimersTable, cancellationToken);
        await DeleteStaleAsync(timers, TakeMovedOn(), cancellationToken);
        var scan = new DueScan(this, dueBy, _timeProvider.GetUtcNow() - _staleGrace, cancellationToken);
        var pending = new Queue<DueCandidate>();
        var yielded = 0;
        try
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey le {Bucket(dueBy)}");
            var select = new[] { "PartitionKey", "RowKey", "RunId", WrittenAtColumn };
            await foreach (var row in timers.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(1000, Math.Max(max * 2, 32)), select: select, cancellationToken: cancellationToken))
            {
                if (scan.Candidate(row) is not { } candidate)
                {
                    continue;
                }

                pending.Enqueue(candidate);
                while (pending.Count >= readAhead)
                {
                    if (await scan.ResolveAsync(pending.Dequeue()) is { } run)
                    {
                        yield return run;
                        if (++yielded >= max)
                        {
                            yield break;
                        }
                    }
                }
            }

            while (pending.Count > 0)
            {
                if (await scan.ResolveAsync(pending.Dequeue()) is { } run)
                {
                    yield return run;
                    if (++yielded >= max)
                    {
                        yield break;
                    }
                }
            }
        }
        finally
        {
            // Reads started for rows past the last one handed out: their failures are of no interest.
            foreach (var left in pending)
            {
                _ = left.Rows?.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            try
            {
                await DeleteStaleAsync(timers, scan.Stale, CancellationToken.None);
            }
            catch (RequestFailedException)
            {
                // Left for the next scan: the rows stay stale, and a failure here must not hide the scan's own outcome.
            }
        }
    }

    public async Task<PreviousRun?> GetLatestAsync(string journeyId, string contactId, string? key, CancellationToken cancellationToken = default)
    {
        var rows = await PartitionRows.RangeAsync(
            _tables, contactId, ContactRows.RunPrefix, ["RunId", "JourneyId", "HasKey", "Key", "Generation", "StartedAt", "EndedAt"], cancellationToken);
        PreviousRun? latest = null;
        foreach (var row in rows)
        {
            var rowKey = (row.GetBoolean("HasKey") ?? false) ? row.GetString("Key") : null;
            if (!string.Equals(row.GetString("JourneyId"), journeyId, StringComparison.Ordinal) || !string.Equals(rowKey, key, StringComparison.Ordinal))
            {
                continue;
            }

            var candidate = new PreviousRun(
                row.GetString("RunId"),
                row.GetInt32("Generation") ?? 1,
                row.GetDateTimeOffset("StartedAt") ?? default,
                row.GetDateTimeOffset("EndedAt"));
            if (latest is null || candidate.Generation > latest.Generation
                || (candidate.Generation == latest.Generation && candidate.StartedAt > latest.StartedAt))
            {
                latest = candidate;
            }
        }

        return latest;
    }

    /// <remarks>A filtered scan of the run rows of the Contacts table (for stats pages, not for the hot path).</remarks>
    public async IAsyncEnumerable<RunState> ListActiveForJourneyAsync(string journeyId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await _tables.GetAsync(ContactRows.Table, cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"RowKey ge {ContactRows.RunPrefix} and RowKey lt {ContactRows.End(ContactRows.RunPrefix)} and JourneyId eq {journeyId} and Status ne {Completed}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return ToStored(row).State;
        }
    }

    /// <remarks>
    /// The timer row of each deleted run's current wait goes with it (erase leaves no row naming the contact's runs);
    /// a row left by an older wait of the run is already stale and dropped by <see cref="ListDueAsync"/>.
    /// </remarks>
    public async Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var rows = new List<TableEntity>();
        var timerRows = new List<(string PartitionKey, string RowKey)>();
        await foreach (var row in PartitionRows.QueryAsync(_tables, contactId, ContactRows.RunPrefix, null, cancellationToken))
        {
            rows.Add(row);
            var state = ToStored(row).State;
            if (state.Status == RunStatus.Waiting && state.Wait?.Until is { } until)
            {
                timerRows.Add((Bucket(until), TimerKey(until, state.RunId)));
            }
        }

        var timers = await _tables.GetAsync(TimersTable, cancellationToken);
        foreach (var (partitionKey, rowKey) in timerRows)
        {
            // Unconditional and idempotent: a 404 (already fired and cleaned) is success.
            await timers.DeleteEntityAsync(partitionKey, rowKey, Azure.ETag.All, cancellationToken);
        }

        await TableBatches.DeleteAsync(await _tables.GetAsync(ContactRows.Table, cancellationToken), rows, cancellationToken);
        return rows.Count;
    }

    /// <summary>
    /// Deletes timer rows in transactions per due minute, each row if-match on the ETag it was read with (a row
    /// rewritten meanwhile is live again and kept; a moved-on row deleted after its commit carries <c>*</c>).
    /// </summary>
    private async Task DeleteStaleAsync(TableClient timers, List<TableEntity> stale, CancellationToken cancellationToken)
    {
        foreach (var partition in stale.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in partition.Chunk(TableBatches.MaxOperations))
            {
                try
                {
                    var deletes = chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, r.ETag)).ToList();
                    if (_tables.Batches is { } lean)
                    {
                        await lean.SubmitAsync(timers.Name, deletes, cancellationToken);
                    }
                    else
                    {
                        await timers.SubmitTransactionAsync(deletes, cancellationToken);
                    }
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 412 && ex is TableTransactionFailedException or BatchFailedException)
                {
                    // One of them was rewritten or deleted meanwhile: the rest one by one.
                    foreach (var row in chunk)
                    {
                        try
                        {
                            await timers.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
                        }
                        catch (RequestFailedException one) when (one.Status == 412)
                        {
                            // Rewritten by a writer meanwhile: it is live again.
                        }
                    }
                }
            }
        }
    }

    /// <summary>The moved-on rows queued since the last scan.</summary>
    private List<TableEntity> TakeMovedOn()
    {
        var moved = new List<TableEntity>();
        foreach (var key in _movedOn.Keys)
        {
            if (_movedOn.TryRemove(key, out var row))
            {
                moved.Add(row);
            }
        }

        return moved;
    }

    private void QueueMovedOn(TableEntity row)
    {
        if (_movedOn.Count < MaxMovedOn)
        {
            _movedOn[(row.PartitionKey, row.RowKey)] = row;
        }
    }

    /// <summary>
    /// Inside a unit of work: when the write moves the run off the timer row it waited on (<paramref name="before"/>,
    /// from the scope's snapshot), that row is queued for deletion once the commit has succeeded (a failed or dropped
    /// commit leaves the run on its old timer, with its row). Keyed by the row, so a later write in the same unit of
    /// work back onto that timer cancels it (<see cref="WriteTimerAsync"/>).
    /// </summary>
    private void DropMovedOnTimer(PartitionScope scope, RunState state, string? before)
    {
        var now = CurrentTimerKey(state);
        TableEntity? handed = null;
        if (_handedOut.TryGetValue(state.RunId, out var row) && !string.Equals(row.RowKey, now, StringComparison.Ordinal))
        {
            _handedOut.TryRemove(state.RunId, out handed);
        }

        if (before is null || string.Equals(before, now, StringComparison.Ordinal) || before.Length < 20)
        {
            return;
        }

        // The row the scan read carries its ETag (a rewrite meanwhile keeps it); otherwise whatever is there.
        var drop = handed is not null && string.Equals(handed.RowKey, before, StringComparison.Ordinal)
            ? handed
            : new TableEntity(BucketOfKey(before), before) { ETag = ETag.All };
        scope.AfterCommit(DropKey(before), _ =>
        {
            QueueMovedOn(drop);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Outside a unit of work: when a run handed out as due moves off that timer, its timer row is queued for deletion
    /// (the write is already stored). The deletion is if-match on the ETag the scan read, so a row rewritten meanwhile
    /// is kept.
    /// </summary>
    private void ForgetFiredTimer(RunState state)
    {
        if (!_handedOut.TryRemove(state.RunId, out var row))
        {
            return;
        }

        if (string.Equals(CurrentTimerKey(state), row.RowKey, StringComparison.Ordinal))
        {
            _handedOut[state.RunId] = row;
            return;
        }

        QueueMovedOn(row);
    }

    private static string DropKey(string timerKey) => "timer-drop|" + timerKey;

    private static string TimerKey(DateTimeOffset until, string runId) => until.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + TableKeys.Escape(runId);

    /// <summary>The row key of the timer row the run waits on; null when it waits on none.</summary>
    private static string? CurrentTimerKey(RunState state) =>
        state.Status == RunStatus.Waiting && state.Wait?.Until is { } until ? TimerKey(until, state.RunId) : null;

    /// <summary>The due-minute partition of a timer row key (its first 19 characters are the due ticks).</summary>
    private static string BucketOfKey(string timerKey) =>
        Bucket(new DateTimeOffset(long.Parse(timerKey.AsSpan(0, 19), NumberStyles.None, CultureInfo.InvariantCulture), TimeSpan.Zero));

    /// <summary>A run is kept with its contact, found through its id: the id must name that contact.</summary>
    private static void CheckId(RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!string.Equals(RunIds.ContactIdOf(state.RunId), state.ContactId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Run id '{state.RunId}' does not name contact '{state.ContactId}' (run ids come from RunIds.For).", nameof(state));
        }
    }

    /// <summary>
    /// Stores the run's timer row before the run row. Inside a unit of work the write is started here and the commit
    /// waits for it (so the run row is never stored before its timer row, and the input's other work overlaps the
    /// request); outside one it is awaited here.
    /// </summary>
    private async Task WriteTimerAsync(RunState state, PartitionScope? scope, CancellationToken cancellationToken)
    {
        if (CurrentTimerKey(state) is not { } key)
        {
            return;
        }

        var timers = await _tables.GetAsync(TimersTable, cancellationToken);
        var row = new TableEntity(Bucket(state.Wait!.Until!.Value), key)
        {
            ["RunId"] = state.RunId,
            [WrittenAtColumn] = _timeProvider.GetUtcNow(),
        };

        // Back on a timer it was moved off: that row must not be deleted after all.
        _movedOn.TryRemove((row.PartitionKey, key), out _);
        var stored = _timerWrites.UpsertAsync(timers, row, cancellationToken, _tables.Batches);
        if (scope is null)
        {
            await stored;
            return;
        }

        scope.AfterCommit(DropKey(key), null);
        scope.BeforeCommit(stored);
    }

    private static string Bucket(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    private static string StatusText(RunStatus status) => JourneyJson.Serialize(status).Trim('"');

    private static TableEntity ToEntity(RunState state)
    {
        var entity = new TableEntity(ContactRows.Partition(state.ContactId), ContactRows.Run(state.RunId))
        {
            ["RunId"] = state.RunId,
            ["JourneyId"] = state.JourneyId,
            ["ContactId"] = state.ContactId,
            ["HasKey"] = state.Key is not null,
            ["Key"] = state.Key,
            ["Generation"] = RunLookup.GenerationOf(state),
            ["StartedAt"] = state.StartedAt,
            ["EndedAt"] = state.EndedAt,
            ["Status"] = StatusText(state.Status),
            ["Until"] = state.Wait?.Until,
            [TimerColumn] = CurrentTimerKey(state),
        };
        TablePayload.Write(entity, SerializeState(state), $"The state of run '{state.RunId}'");
        return entity;
    }

    private static StoredRun ToStored(TableEntity entity) => new(DeserializeState(TablePayload.Read(entity)), entity.ETag.ToString());

    /// <summary>
    /// The run state as UTF-8 JSON, written straight to bytes: the same bytes as <see cref="JourneyJson.SerializeState"/>
    /// encoded as UTF-8 (same options), without the string in between.
    /// </summary>
    internal static byte[] SerializeState(RunState state) => JsonSerializer.SerializeToUtf8Bytes(state, JourneyJson.Options);

    /// <summary>Parses the run state from its stored UTF-8 bytes, as <see cref="JourneyJson.DeserializeState"/> does from text.</summary>
    internal static RunState DeserializeState(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize<RunState>(utf8, JourneyJson.Options) ?? throw new JsonException("Run state is null.");

    /// <summary>A timer row due by the scan's time, with the read of its contact's working set (null: no contact in the id).</summary>
    private sealed record DueCandidate(TableEntity Row, string RunId, string? ContactId, long Ticks, Task<IReadOnlyList<TableEntity>>? Rows);

    /// <summary>The state of one due scan: the reads started per contact, the runs handed out, the stale rows found.</summary>
    private sealed class DueScan(TableRunStore store, DateTimeOffset dueBy, DateTimeOffset staleBefore, CancellationToken cancellationToken)
    {
        private readonly Dictionary<string, Task<IReadOnlyList<TableEntity>>> _reads = new(StringComparer.Ordinal);
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly HashSet<string> _prefetched = new(StringComparer.Ordinal);

        public List<TableEntity> Stale { get; } = [];

        /// <summary>The row as a candidate, its contact's read started (once per contact); null when not due yet.</summary>
        public DueCandidate? Candidate(TableEntity row)
        {
            var ticks = long.Parse(row.RowKey.AsSpan(0, 19), NumberStyles.None, CultureInfo.InvariantCulture);
            if (ticks > dueBy.UtcTicks)
            {
                return null;
            }

            var runId = row.GetString("RunId");
            var contactId = RunIds.ContactIdOf(runId);
            Task<IReadOnlyList<TableEntity>>? read = null;
            if (contactId is not null && !_reads.TryGetValue(contactId, out read))
            {
                read = ContactRows.LoadWorkingSetAsync(store._tables, contactId, cancellationToken);
                _reads[contactId] = read;
            }

            return new DueCandidate(row, runId, contactId, ticks, read);
        }

        /// <summary>The candidate's run when it is due on this very timer; else null (and the row is stale if old enough).</summary>
        public async Task<StoredRun?> ResolveAsync(DueCandidate candidate)
        {
            StoredRun? run = null;
            IReadOnlyList<TableEntity>? rows = null;
            if (candidate.Rows is not null)
            {
                rows = await candidate.Rows;
                var runKey = ContactRows.Run(candidate.RunId);
                run = rows.FirstOrDefault(r => r.RowKey == runKey) is { } found ? ToStored(found) : null;
            }

            if (run is null || !RunLookup.IsDue(run.State, dueBy) || run.State.Wait!.Until!.Value.UtcTicks != candidate.Ticks)
            {
                // The run moved on from this timer (or is gone): the row is stale, unless it is so new that its writer
                // may still be about to replace the run. Both times are of the host's clock (a row written before the
                // writers stamped it is judged stale).
                var written = candidate.Row.GetDateTimeOffset(WrittenAtColumn);
                if (written is null || written < staleBefore)
                {
                    Stale.Add(candidate.Row);
                }

                return null;
            }

            if (!_seen.Add(candidate.RunId))
            {
                return null;
            }

            if (store._handedOut.Count >= MaxHandedOut)
            {
                store._handedOut.Clear();
            }

            store._handedOut[candidate.RunId] = candidate.Row;

            // The first run of a contact fires from the scan's read; a second one of the same contact reads afresh
            // (the first one's commit has changed the partition).
            if (_prefetched.Add(candidate.ContactId!))
            {
                store._tables.Prefetch(candidate.ContactId!, rows!);
            }

            return run;
        }
    }
}
