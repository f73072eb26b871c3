using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Suppressions in Table Storage: PK = the first two characters of the address hash (spreads load, keeps partitions
/// small), RK = the hash. Keyed by hash, not contact, so they outlive an erased contact.
/// </summary>
public sealed class TableSuppressionStore(StorageTables tables) : ISuppressionStore
{
    private const string TableName = "Suppressions";

    public async Task<Suppression?> GetAsync(string addressHash, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var (pk, rk) = Keys(addressHash);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: cancellationToken);
        return row.HasValue
            ? new Suppression(row.Value!.GetString("AddressHash"), Enum.Parse<SuppressionReason>(row.Value.GetString("Reason")), row.Value.GetDateTimeOffset("At") ?? default, row.Value.GetString("Detail"))
            : null;
    }

    public async Task AddAsync(Suppression suppression, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suppression);
        var table = await tables.GetAsync(TableName, cancellationToken);
        var (pk, rk) = Keys(suppression.AddressHash);
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

    public async Task<bool> RemoveAsync(string addressHash, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var (pk, rk) = Keys(addressHash);
        var response = await table.DeleteEntityAsync(pk, rk, ETag.All, cancellationToken);
        return response.Status != 404;
    }

    private static (string Pk, string Rk) Keys(string addressHash)
    {
        var rk = TableKeys.Escape(addressHash);
        return (rk.Length > 2 ? rk[..2] : rk, rk);
    }
}

/// <summary>
/// The contact timeline in Table Storage: PK = contact id, RK = inverted ticks + a sequence, so a partition query
/// returns newest first and stops after <c>max</c>. An append is one entity-group transaction per 100 entries.
/// </summary>
public sealed class TableTimelineStore(StorageTables tables) : ITimelineStore
{
    private const string TableName = "Timeline";
    private const int MaxBatchBytes = 3 * 1024 * 1024;

    /// <summary>Later appends sort first among entries with the same time; seeded from the clock so restarts keep order.</summary>
    private static long sequence = DateTime.UtcNow.Ticks;

    public async Task AppendAsync(string contactId, IReadOnlyList<TimelineEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        var table = await tables.GetAsync(TableName, cancellationToken);
        var pk = TableKeys.Escape(contactId);
        var batch = new List<TableTransactionAction>();
        var batchBytes = 0;
        foreach (var entry in entries)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(entry, JourneyJson.Options);
            var seq = long.MaxValue - Interlocked.Increment(ref sequence);
            var rk = (DateTimeOffset.MaxValue.UtcTicks - entry.At.UtcTicks).ToString("D19", CultureInfo.InvariantCulture)
                + "|" + seq.ToString("D19", CultureInfo.InvariantCulture);
            var row = new TableEntity(pk, rk) { ["Kind"] = entry.Kind };
            TablePayload.Write(row, json, $"A timeline entry of contact '{contactId}'");
            if (batch.Count == TableBatches.MaxOperations || batchBytes + json.Length > MaxBatchBytes)
            {
                await table.SubmitTransactionAsync(batch, cancellationToken);
                batch.Clear();
                batchBytes = 0;
            }

            batch.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
            batchBytes += json.Length;
        }

        await table.SubmitTransactionAsync(batch, cancellationToken);
    }

    public async Task<IReadOnlyList<TimelineEntry>> ListAsync(string contactId, int max = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var table = await tables.GetAsync(TableName, cancellationToken);
        var list = new List<TimelineEntry>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(contactId)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
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
        var table = await tables.GetAsync(TableName, cancellationToken);
        var rows = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(contactId)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        await TableBatches.DeleteAsync(table, rows, cancellationToken);
        return rows.Count;
    }
}

/// <summary>Events already processed: PK = contact id, RK = event id, with the time it was processed.</summary>
public sealed class TableProcessedEventStore(StorageTables tables) : IProcessedEventStore
{
    private const string TableName = "ProcessedEvents";

    public async Task<bool> ContainsAsync(string contactId, string eventId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(contactId), TableKeys.Escape(eventId), select: ["At"], cancellationToken: cancellationToken);
        return row.HasValue;
    }

    public async Task MarkAsync(string contactId, string eventId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        await table.UpsertEntityAsync(new TableEntity(TableKeys.Escape(contactId), TableKeys.Escape(eventId)) { ["At"] = at }, TableUpdateMode.Replace, cancellationToken);
    }
}
