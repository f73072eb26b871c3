using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Infrastructure.Storage;

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
