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
/// Runs in Table Storage, laid out so that a journey step costs three requests (read the run, write its timer row,
/// replace the run):
/// <list type="bullet">
/// <item><c>Runs</c>: PK = run id, RK = <c>run</c>; the state JSON in <c>Data</c> (split across columns when large),
/// plus <c>JourneyId</c>, <c>ContactId</c> and <c>Status</c> columns for queries. <see cref="GetAsync"/> is a point read.</item>
/// <item><c>RunsByContact</c>: PK = contact id, RK = run id, with journey, key, generation, start, end and status:
/// the per-contact listings, the re-entry lookup and erase are partition queries. It changes on create and when a run
/// completes, not on every step.</item>
/// <item><c>RunTimers</c>: PK = due minute (<c>yyyyMMddHHmm</c> UTC), RK = due ticks + run id. Every write of a
/// waiting run upserts the row of its timer before the run row itself, so a run is never due without a timer row.
/// Rows are hints: <see cref="ListDueAsync"/> checks each against the run and deletes rows of runs that have moved
/// on (another timer, completed, erased) once they are a few minutes old. Since due rows are consumed, the range scan up to now starts at the oldest
/// pending timer, never at the beginning of time.</item>
/// </list>
/// </summary>
public sealed class TableRunStore(StorageTables tables, TimeProvider timeProvider) : IRunStore
{
    /// <summary>
    /// A stale-looking timer row younger than this is left alone: its writer may not have replaced the run row yet
    /// (the timer row is written first), and deleting it would leave that run without a timer.
    /// </summary>
    private static readonly TimeSpan StaleGrace = TimeSpan.FromMinutes(5);

    private const string RunsTable = "Runs";
    private const string ByContactTable = "RunsByContact";
    private const string TimersTable = "RunTimers";
    private const string RunRow = "run";
    private const string Completed = "completed";

    public async Task<StoredRun?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        var runs = await tables.GetAsync(RunsTable, cancellationToken);
        var row = await runs.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(runId), RunRow, cancellationToken: cancellationToken);
        return row.HasValue ? ToStored(row.Value!) : null;
    }

    public async Task<StoredRun> CreateAsync(RunState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var runs = await tables.GetAsync(RunsTable, cancellationToken);
        await WriteTimerAsync(state, cancellationToken);
        Response response;
        try
        {
            response = await runs.AddEntityAsync(ToEntity(state), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // The run exists. Its index row may be missing if its creator stopped between the two writes: repair it.
            if (await GetAsync(state.RunId, cancellationToken) is { } existing)
            {
                await WriteIndexAsync(existing.State, cancellationToken);
            }

            throw new ConcurrencyException($"Run '{state.RunId}' exists already.", ex);
        }

        await WriteIndexAsync(state, cancellationToken);
        return new StoredRun(state, response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("Table Storage returned no ETag."));
    }

    public async Task<StoredRun> UpdateAsync(RunState state, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(etag);
        var runs = await tables.GetAsync(RunsTable, cancellationToken);
        await WriteTimerAsync(state, cancellationToken);
        Response response;
        try
        {
            response = await runs.UpdateEntityAsync(ToEntity(state), new ETag(etag), TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            throw StorageTables.Conflict($"Run '{state.RunId}'", ex);
        }

        if (state.Status == RunStatus.Completed)
        {
            await WriteIndexAsync(state, cancellationToken);
        }

        return new StoredRun(state, response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("Table Storage returned no ETag."));
    }

    public async Task<IReadOnlyList<StoredRun>> ListActiveForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(contactId)} and Status ne {Completed}");
        var found = await ReadIndexedAsync(filter, cancellationToken);
        return [.. found.Where(r => r.State.Status != RunStatus.Completed)];
    }

    public async Task<IReadOnlyList<StoredRun>> ListForContactAsync(string contactId, CancellationToken cancellationToken = default) =>
        await ReadIndexedAsync(TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(contactId)}"), cancellationToken);

    public async Task<IReadOnlyList<StoredRun>> ListDueAsync(DateTimeOffset dueBy, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var timers = await tables.GetAsync(TimersTable, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {Bucket(dueBy)}");
        var due = new List<StoredRun>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in timers.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(1000, Math.Max(max * 2, 32)), select: ["PartitionKey", "RowKey", "RunId", "Timestamp"], cancellationToken: cancellationToken))
        {
            var ticks = long.Parse(row.RowKey.AsSpan(0, 19), NumberStyles.None, CultureInfo.InvariantCulture);
            if (ticks > dueBy.UtcTicks)
            {
                continue;
            }

            var runId = row.GetString("RunId");
            var run = await GetAsync(runId, cancellationToken);
            if (run is null || !RunLookup.IsDue(run.State, dueBy) || run.State.Wait!.Until!.Value.UtcTicks != ticks)
            {
                // The run moved on from this timer (or is gone): the row is stale, unless it is so new that its writer
                // may still be about to replace the run. Deleting with the row's ETag spares a row rewritten meanwhile.
                if (row.Timestamp is { } written && written < timeProvider.GetUtcNow() - StaleGrace)
                {
                    try
                    {
                        await timers.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
                    }
                    catch (RequestFailedException ex) when (ex.Status == 412)
                    {
                        // Rewritten by a writer meanwhile: it is live again.
                    }
                }

                continue;
            }

            if (seen.Add(runId))
            {
                due.Add(run);
                if (due.Count >= max)
                {
                    break;
                }
            }
        }

        return due;
    }

    public async Task<PreviousRun?> GetLatestAsync(string journeyId, string contactId, string? key, CancellationToken cancellationToken = default)
    {
        var index = await tables.GetAsync(ByContactTable, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(contactId)} and JourneyId eq {journeyId}");
        PreviousRun? latest = null;
        await foreach (var row in index.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var rowKey = (row.GetBoolean("HasKey") ?? false) ? row.GetString("Key") : null;
            if (!string.Equals(rowKey, key, StringComparison.Ordinal))
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

    /// <remarks>A filtered scan of the Runs table (for stats pages, not for the hot path).</remarks>
    public async IAsyncEnumerable<RunState> ListActiveForJourneyAsync(string journeyId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var runs = await tables.GetAsync(RunsTable, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"JourneyId eq {journeyId} and Status ne {Completed}");
        await foreach (var row in runs.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return ToStored(row).State;
        }
    }

    public async Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var index = await tables.GetAsync(ByContactTable, cancellationToken);
        var runs = await tables.GetAsync(RunsTable, cancellationToken);
        var pk = TableKeys.Escape(contactId);
        var rows = new List<TableEntity>();
        await foreach (var row in index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk}"), select: ["PartitionKey", "RowKey", "RunId"], cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        var deleted = 0;
        foreach (var row in rows)
        {
            var response = await runs.DeleteEntityAsync(TableKeys.Escape(row.GetString("RunId")), RunRow, ETag.All, cancellationToken);
            if (response.Status != 404)
            {
                deleted++;
            }
        }

        await TableBatches.DeleteAsync(index, rows, cancellationToken);
        return deleted;
    }

    /// <summary>The runs an index query names, newest first; rows whose run is gone are skipped.</summary>
    private async Task<IReadOnlyList<StoredRun>> ReadIndexedAsync(string filter, CancellationToken cancellationToken)
    {
        var index = await tables.GetAsync(ByContactTable, cancellationToken);
        var ids = new List<string>();
        await foreach (var row in index.QueryAsync<TableEntity>(filter, select: ["RunId"], cancellationToken: cancellationToken))
        {
            ids.Add(row.GetString("RunId"));
        }

        var runs = await Task.WhenAll(ids.Select(id => GetAsync(id, cancellationToken)));
        return [.. runs.OfType<StoredRun>().OrderByDescending(r => r.State.StartedAt).ThenByDescending(r => r.State.RunId, StringComparer.Ordinal)];
    }

    private async Task WriteTimerAsync(RunState state, CancellationToken cancellationToken)
    {
        if (state.Status != RunStatus.Waiting || state.Wait?.Until is not { } until)
        {
            return;
        }

        var timers = await tables.GetAsync(TimersTable, cancellationToken);
        var row = new TableEntity(Bucket(until), until.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + TableKeys.Escape(state.RunId))
        {
            ["RunId"] = state.RunId,
        };
        await timers.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    private async Task WriteIndexAsync(RunState state, CancellationToken cancellationToken)
    {
        var index = await tables.GetAsync(ByContactTable, cancellationToken);
        var row = new TableEntity(TableKeys.Escape(state.ContactId), TableKeys.Escape(state.RunId))
        {
            ["RunId"] = state.RunId,
            ["JourneyId"] = state.JourneyId,
            ["HasKey"] = state.Key is not null,
            ["Key"] = state.Key,
            ["Generation"] = RunLookup.GenerationOf(state),
            ["StartedAt"] = state.StartedAt,
            ["EndedAt"] = state.EndedAt,
            ["Status"] = StatusText(state.Status),
        };
        await index.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    private static string Bucket(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    private static string StatusText(RunStatus status) => JourneyJson.Serialize(status).Trim('"');

    private static TableEntity ToEntity(RunState state)
    {
        var entity = new TableEntity(TableKeys.Escape(state.RunId), RunRow)
        {
            ["RunId"] = state.RunId,
            ["JourneyId"] = state.JourneyId,
            ["ContactId"] = state.ContactId,
            ["Status"] = StatusText(state.Status),
            ["Until"] = state.Wait?.Until,
        };
        TablePayload.Write(entity, Encoding.UTF8.GetBytes(JourneyJson.SerializeState(state)), $"The state of run '{state.RunId}'");
        return entity;
    }

    private static StoredRun ToStored(TableEntity entity) =>
        new(JourneyJson.DeserializeState(Encoding.UTF8.GetString(TablePayload.Read(entity))), entity.ETag.ToString());
}
