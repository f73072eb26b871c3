using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Runs in Table Storage:
/// <list type="bullet">
/// <item>the run is row <c>r|{run id}</c> of its contact's partition of <c>Contacts</c> (see <see cref="ContactRows"/>;
/// a run id made by <see cref="RunIds.For"/> names its contact, so <see cref="GetAsync"/> is a point read): the state
/// JSON in <c>Data</c> (split across columns when large), plus journey, contact, key, generation, start, end, status and
/// due time as columns. The per-contact listings and the re-entry lookup are one range query of the partition, served
/// from the unit of work's snapshot when one is open.</item>
/// <item><c>RunTimers</c>: PK = due minute (<c>yyyyMMddHHmm</c> UTC), RK = due ticks + run id. Every write of a
/// waiting run upserts the row of its timer before the run row itself (inside a unit of work: before its commit), so
/// a run is never due without a timer row. Concurrent inputs' timer rows for one due minute share one transaction
/// (group commit), so under load a timer row costs a fraction of a request. Rows are hints: <see cref="ListDueAsync"/> checks each against the run and
/// deletes rows of runs that have moved on (fired, another timer, completed, erased) once they are a few minutes old,
/// in entity-group transactions per due minute. Since due rows are consumed, the range scan up to now starts at the
/// oldest pending timer, never at the beginning of time.</item>
/// </list>
/// </summary>
public sealed class TableRunStore(StorageTables tables, TimeProvider timeProvider) : IRunStore
{
    /// <summary>
    /// A stale-looking timer row younger than this is left alone: its writer may not have replaced the run row yet
    /// (the timer row is written first), and deleting it would leave that run without a timer.
    /// </summary>
    private static readonly TimeSpan StaleGrace = TimeSpan.FromMinutes(5);

    private const string TimersTable = "RunTimers";
    private const string Completed = "completed";

    /// <summary>Bound on remembered timer rows of runs handed out as due; past it the memory starts over.</summary>
    private const int MaxHandedOut = 100_000;

    /// <summary>The timer row (with its ETag) of each run <see cref="ListDueAsync"/> handed out, until the run moves on.</summary>
    private readonly ConcurrentDictionary<string, TableEntity> _handedOut = new(StringComparer.Ordinal);

    /// <summary>Timer rows written by concurrent inputs share transactions per due minute (see <see cref="TableGroupCommit"/>).</summary>
    private readonly TableGroupCommit _timerWrites = new();

    /// <summary>Timer rows of runs that moved on (committed), deleted in transactions by the next <see cref="ListDueAsync"/>.</summary>
    private readonly ConcurrentDictionary<(string Pk, string Rk), TableEntity> _fired = new();

    public async Task<StoredRun?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (RunIds.ContactIdOf(runId) is not { } contactId)
        {
            return null;
        }

        var row = await PartitionRows.GetAsync(tables, contactId, ContactRows.Run(runId), cancellationToken);
        return row is null ? null : ToStored(row);
    }

    public async Task<StoredRun> CreateAsync(RunState state, CancellationToken cancellationToken = default)
    {
        CheckId(state);
        await WriteTimerAsync(state, cancellationToken);
        try
        {
            var etag = await PartitionRows.WriteAsync(tables, state.ContactId, ToEntity(state), RowWrite.Insert, null, cancellationToken);
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
        await WriteTimerAsync(state, cancellationToken);
        var written = await PartitionRows.WriteAsync(tables, state.ContactId, ToEntity(state), RowWrite.Replace, etag, cancellationToken);
        ForgetFiredTimer(state);
        return new StoredRun(state, written);
    }

    public async Task<IReadOnlyList<StoredRun>> ListActiveForContactAsync(string contactId, CancellationToken cancellationToken = default) =>
        [.. (await ListForContactAsync(contactId, cancellationToken)).Where(r => r.State.Status != RunStatus.Completed)];

    public async Task<IReadOnlyList<StoredRun>> ListForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var rows = await PartitionRows.RangeAsync(tables, contactId, ContactRows.RunPrefix, null, cancellationToken);
        return [.. rows.Select(ToStored).OrderByDescending(r => r.State.StartedAt).ThenByDescending(r => r.State.RunId, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<StoredRun>> ListDueAsync(DateTimeOffset dueBy, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var timers = await tables.GetAsync(TimersTable, cancellationToken);
        var moved = new List<TableEntity>();
        foreach (var key in _fired.Keys)
        {
            if (_fired.TryRemove(key, out var row))
            {
                moved.Add(row);
            }
        }

        await DeleteStaleAsync(timers, moved, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {Bucket(dueBy)}");
        var due = new List<StoredRun>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stale = new List<TableEntity>();
        var workingSets = new Dictionary<string, IReadOnlyList<TableEntity>>(StringComparer.Ordinal);
        await foreach (var row in timers.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(1000, Math.Max(max * 2, 32)), select: ["PartitionKey", "RowKey", "RunId", "Timestamp"], cancellationToken: cancellationToken))
        {
            var ticks = long.Parse(row.RowKey.AsSpan(0, 19), NumberStyles.None, CultureInfo.InvariantCulture);
            if (ticks > dueBy.UtcTicks)
            {
                continue;
            }

            // The run is read with the rest of its contact's working set (one range query, as a point read costs), which
            // then serves the unit of work that fires the timer.
            var runId = row.GetString("RunId");
            var contactId = RunIds.ContactIdOf(runId);
            StoredRun? run = null;
            if (contactId is not null)
            {
                if (!workingSets.TryGetValue(contactId, out var rows))
                {
                    rows = await ContactRows.LoadWorkingSetAsync(tables, contactId, cancellationToken);
                    workingSets[contactId] = rows;
                }

                var runKey = ContactRows.Run(runId);
                run = rows.FirstOrDefault(r => r.RowKey == runKey) is { } found ? ToStored(found) : null;
            }

            if (run is null || !RunLookup.IsDue(run.State, dueBy) || run.State.Wait!.Until!.Value.UtcTicks != ticks)
            {
                // The run moved on from this timer (or is gone): the row is stale, unless it is so new that its writer
                // may still be about to replace the run.
                if (row.Timestamp is { } written && written < timeProvider.GetUtcNow() - StaleGrace)
                {
                    stale.Add(row);
                }

                continue;
            }

            if (seen.Add(runId))
            {
                due.Add(run);
                if (_handedOut.Count >= MaxHandedOut)
                {
                    _handedOut.Clear();
                }

                _handedOut[runId] = row;
                tables.Prefetch(contactId!, workingSets[contactId!]);
                if (due.Count >= max)
                {
                    break;
                }
            }
        }

        await DeleteStaleAsync(timers, stale, cancellationToken);
        return due;
    }

    public async Task<PreviousRun?> GetLatestAsync(string journeyId, string contactId, string? key, CancellationToken cancellationToken = default)
    {
        var rows = await PartitionRows.RangeAsync(
            tables, contactId, ContactRows.RunPrefix, ["RunId", "JourneyId", "HasKey", "Key", "Generation", "StartedAt", "EndedAt"], cancellationToken);
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
        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
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
        await foreach (var row in PartitionRows.QueryAsync(tables, contactId, ContactRows.RunPrefix, null, cancellationToken))
        {
            rows.Add(row);
            var state = ToStored(row).State;
            if (state.Status == RunStatus.Waiting && state.Wait?.Until is { } until)
            {
                timerRows.Add((Bucket(until), TimerKey(until, state.RunId)));
            }
        }

        var timers = await tables.GetAsync(TimersTable, cancellationToken);
        foreach (var (partitionKey, rowKey) in timerRows)
        {
            // Unconditional and idempotent: a 404 (already fired and cleaned) is success.
            await timers.DeleteEntityAsync(partitionKey, rowKey, Azure.ETag.All, cancellationToken);
        }

        await TableBatches.DeleteAsync(await tables.GetAsync(ContactRows.Table, cancellationToken), rows, cancellationToken);
        return rows.Count;
    }

    /// <summary>Deletes stale timer rows in transactions per due minute, each row if-match (a row rewritten meanwhile is live again and kept).</summary>
    private static async Task DeleteStaleAsync(TableClient timers, List<TableEntity> stale, CancellationToken cancellationToken)
    {
        foreach (var partition in stale.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in partition.Chunk(TableBatches.MaxOperations))
            {
                try
                {
                    await timers.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, r.ETag)), cancellationToken);
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 404 or 412)
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

    /// <summary>
    /// When a run handed out as due moves off that timer, its timer row is queued for deletion once the write is
    /// committed (inside a unit of work: after its commit, so a lost race never drops a live timer). The deletion is
    /// if-match on the ETag the scan read, so a row rewritten meanwhile is kept.
    /// </summary>
    private void ForgetFiredTimer(RunState state)
    {
        if (!_handedOut.TryRemove(state.RunId, out var row))
        {
            return;
        }

        if (state.Status == RunStatus.Waiting && state.Wait?.Until is { } until && TimerKey(until, state.RunId) == row.RowKey)
        {
            _handedOut[state.RunId] = row;
            return;
        }

        void Queue() => _fired[(row.PartitionKey, row.RowKey)] = row;
        if (tables.ScopeFor(state.ContactId) is { } scope)
        {
            scope.AfterCommit(_ =>
            {
                Queue();
                return Task.CompletedTask;
            });
        }
        else
        {
            Queue();
        }
    }

    private static string TimerKey(DateTimeOffset until, string runId) => until.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + TableKeys.Escape(runId);

    /// <summary>A run is kept with its contact, found through its id: the id must name that contact.</summary>
    private static void CheckId(RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!string.Equals(RunIds.ContactIdOf(state.RunId), state.ContactId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Run id '{state.RunId}' does not name contact '{state.ContactId}' (run ids come from RunIds.For).", nameof(state));
        }
    }

    private async Task WriteTimerAsync(RunState state, CancellationToken cancellationToken)
    {
        if (state.Status != RunStatus.Waiting || state.Wait?.Until is not { } until)
        {
            return;
        }

        var timers = await tables.GetAsync(TimersTable, cancellationToken);
        var row = new TableEntity(Bucket(until), TimerKey(until, state.RunId))
        {
            ["RunId"] = state.RunId,
        };
        await _timerWrites.UpsertAsync(timers, row, cancellationToken);
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
        };
        TablePayload.Write(entity, Encoding.UTF8.GetBytes(JourneyJson.SerializeState(state)), $"The state of run '{state.RunId}'");
        return entity;
    }

    private static StoredRun ToStored(TableEntity entity) =>
        new(JourneyJson.DeserializeState(Encoding.UTF8.GetString(TablePayload.Read(entity))), entity.ETag.ToString());
}
