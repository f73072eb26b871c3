using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Suppressions in Table Storage: PK = the first two characters of the address hash (spreads load, keeps partitions
/// small), RK = the hash. Keyed by hash, not contact, so they outlive an erased contact. Each add also writes a row of
/// the time index <c>SuppressionsByTime</c> (PK = the writer's UTC minute <c>yyyyMMddHHmm</c>, RK = the hash), so a
/// <see cref="FilteredSuppressionStore"/> learns of adds by other processes with one small query instead of a scan.
/// </summary>
public sealed class TableSuppressionStore(StorageTables tables, TimeProvider time) : ISuppressionIndex
{
    private const string TableName = "Suppressions";

    /// <summary>The time index of adds (see the type's summary).</summary>
    public const string ByTimeTableName = "SuppressionsByTime";

    /// <summary>The partition key of the time index: a UTC minute.</summary>
    public static string MinuteKey(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    public async Task<Suppression?> GetAsync(string addressHash, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var (pk, rk) = Keys(addressHash);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken);
        return row.HasValue
            ? new Suppression(row.Value!.GetString("AddressHash"), Enum.Parse<SuppressionReason>(row.Value.GetString("Reason")), row.Value.GetDateTimeOffset("At") ?? default, row.Value.GetString("Detail"))
            : null;
    }

    /// <summary>
    /// Writes the time index row first, then the suppression: an index row without its suppression (the second write
    /// failed) only costs a filter a confirming read, while a suppression without its index row would stay unseen by
    /// the filters of other processes until they restart.
    /// </summary>
    public async Task AddAsync(Suppression suppression, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suppression);
        var (pk, rk) = Keys(suppression.AddressHash);
        var index = await tables.GetAsync(ByTimeTableName, cancellationToken);
        await index.UpsertEntityAsync(
            new TableEntity(MinuteKey(time.GetUtcNow()), rk) { ["AddressHash"] = suppression.AddressHash },
            TableUpdateMode.Replace,
            cancellationToken);

        var table = await tables.GetAsync(TableName, cancellationToken);
        await table.UpsertEntityAsync(
            new TableEntity(pk, rk)
            {
                ["AddressHash"] = suppression.AddressHash,
                ["Reason"] = suppression.Reason.ToString(),
                ["At"] = suppression.At,
                ["Detail"] = suppression.Detail,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    /// <summary>Deletes the suppression; its time index row stays (a filter that reads it confirms and finds nothing).</summary>
    public async Task<bool> RemoveAsync(string addressHash, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var (pk, rk) = Keys(addressHash);
        var response = await table.DeleteEntityAsync(pk, rk, ETag.All, cancellationToken);
        return response.Status != 404;
    }

    public async IAsyncEnumerable<string> ListAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        await foreach (var row in table.QueryAsync<TableEntity>(filter: (string?)null, maxPerPage: 1000, select: ["AddressHash"], cancellationToken: cancellationToken))
        {
            yield return row.GetString("AddressHash");
        }
    }

    public async Task<IReadOnlyList<string>> ListAddedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var index = await tables.GetAsync(ByTimeTableName, cancellationToken);
        var list = new List<string>();
        await foreach (var row in index.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey ge {MinuteKey(since)}"), maxPerPage: 1000, select: ["AddressHash"], cancellationToken: cancellationToken))
        {
            list.Add(row.GetString("AddressHash"));
        }

        return list;
    }

    private static (string Pk, string Rk) Keys(string addressHash)
    {
        var rk = TableKeys.Escape(addressHash);
        return (rk.Length > 2 ? rk[..2] : rk, rk);
    }
}

/// <summary>
/// The contact timeline in Table Storage: rows <c>t|{inverted ticks}|{sequence}</c> of the contact's partition of
/// <c>Contacts</c> (see <see cref="ContactRows"/>), so a range query returns newest first and stops after <c>max</c>.
/// They sort after the rows an input loads, so a long history costs inputs nothing. Inside a unit of work an append is
/// buffered into its commit; outside it is one entity-group transaction per 100 entries.
/// </summary>
public sealed class TableTimelineStore(StorageTables tables) : ITimelineStore
{
    private const int MaxBatchBytes = 3 * 1024 * 1024;

    /// <summary>Later appends sort first among entries with the same time; seeded from the clock so restarts keep order.</summary>
    private static long _sequence = DateTime.UtcNow.Ticks;

    public async Task AppendAsync(string contactId, IReadOnlyList<TimelineEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        var pk = ContactRows.Partition(contactId);
        var rows = new List<(TableEntity Row, int Bytes)>();
        foreach (var entry in entries)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(entry, JourneyJson.Options);
            var seq = long.MaxValue - Interlocked.Increment(ref _sequence);
            var rk = ContactRows.TimelinePrefix + (DateTimeOffset.MaxValue.UtcTicks - entry.At.UtcTicks).ToString("D19", CultureInfo.InvariantCulture)
                + "|" + seq.ToString("D19", CultureInfo.InvariantCulture);
            var row = new TableEntity(pk, rk) { ["Kind"] = entry.Kind };
            TablePayload.Write(row, json, $"A timeline entry of contact '{contactId}'");
            rows.Add((row, json.Length));
        }

        if (tables.ScopeFor(contactId) is not null)
        {
            foreach (var (row, _) in rows)
            {
                await PartitionRows.WriteAsync(tables, contactId, row, RowWrite.Insert, null, cancellationToken);
            }

            return;
        }

        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
        var batch = new List<TableTransactionAction>();
        var batchBytes = 0;
        foreach (var (row, bytes) in rows)
        {
            if (batch.Count == TableBatches.MaxOperations || batchBytes + bytes > MaxBatchBytes)
            {
                await table.SubmitTransactionAsync(batch, cancellationToken);
                batch.Clear();
                batchBytes = 0;
            }

            batch.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
            batchBytes += bytes;
        }

        await table.SubmitTransactionAsync(batch, cancellationToken);
    }

    public async Task<IReadOnlyList<TimelineEntry>> ListAsync(string contactId, int max = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var list = new List<TimelineEntry>();
        await foreach (var row in PartitionRows.QueryAsync(tables, contactId, ContactRows.TimelinePrefix, null, cancellationToken, Math.Min(max, 1000)))
        {
            list.Add(JsonSerializer.Deserialize<TimelineEntry>(TablePayload.Read(row), JourneyJson.Options)
                ?? throw new InvalidDataException($"Timeline row {row.PartitionKey}/{row.RowKey} holds null."));
            if (list.Count >= max)
            {
                break;
            }
        }

        return list;
    }

    public async Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in PartitionRows.QueryAsync(tables, contactId, ContactRows.TimelinePrefix, ["PartitionKey", "RowKey"], cancellationToken))
        {
            rows.Add(row);
        }

        await TableBatches.DeleteAsync(await tables.GetAsync(ContactRows.Table, cancellationToken), rows, cancellationToken);
        return rows.Count;
    }
}

/// <summary>
/// Events already processed: row <c>e</c> of the contact's partition of <c>Contacts</c> (see <see cref="ContactRows"/>)
/// holds the ids of the last <see cref="MaxRemembered"/> events routed for the contact, newest last. It is read and
/// written with the rest of an input's rows, so checking and marking cost no request of their own inside a unit of
/// work. Storefront retries come within minutes, so the bound only forgets ids long after any retry could arrive.
/// </summary>
public sealed class TableProcessedEventStore(StorageTables tables) : IProcessedEventStore
{
    /// <summary>How many event ids a contact's mark row keeps.</summary>
    public const int MaxRemembered = 256;

    private const int MaxAttempts = 8;

    public async Task<bool> ContainsAsync(string contactId, string eventId, CancellationToken cancellationToken = default)
    {
        var row = await PartitionRows.GetAsync(tables, contactId, ContactRows.Processed, cancellationToken);
        return row is not null && Read(row).Any(m => m.Id == eventId);
    }

    public async Task MarkAsync(string contactId, string eventId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var row = await PartitionRows.GetAsync(tables, contactId, ContactRows.Processed, cancellationToken);
            var marks = row is null ? [] : Read(row);
            if (marks.Any(m => m.Id == eventId))
            {
                return;
            }

            marks.Add(new Mark(eventId, at));
            if (marks.Count > MaxRemembered)
            {
                marks.RemoveRange(0, marks.Count - MaxRemembered);
            }

            var entity = new TableEntity(ContactRows.Partition(contactId), ContactRows.Processed);
            TablePayload.Write(entity, JsonSerializer.SerializeToUtf8Bytes(marks, JourneyJson.Options), $"The processed events of contact '{contactId}'");
            try
            {
                await PartitionRows.WriteAsync(tables, contactId, entity, row is null ? RowWrite.Insert : RowWrite.Replace, row?.ETag.ToString(), cancellationToken);
                return;
            }
            catch (ConcurrencyException) when (attempt < MaxAttempts && tables.ScopeFor(contactId) is null)
            {
                // Another mark of the same contact won: read again and add ours.
            }
        }
    }

    private static List<Mark> Read(TableEntity row) =>
        JsonSerializer.Deserialize<List<Mark>>(TablePayload.Read(row), JourneyJson.Options) ?? [];

    private sealed record Mark(string Id, DateTimeOffset At);
}
