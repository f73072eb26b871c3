using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Suppressions in Table Storage: PK = the first two characters of the address hash (spreads load, keeps partitions
/// small), RK = the hash. Keyed by hash, not contact, so they outlive an erased contact. Each add also writes a row of
/// the time index <c>SuppressionsByTime</c> (PK = the writer's UTC minute <c>yyyyMMddHHmm</c>, RK = the hash), so a
/// <see cref="FilteredSuppressionStore"/> learns of adds by other processes with one small query instead of a scan.
/// Rows written by this version hold a keyed hash (<see cref="AddressHasher"/>) and say so (<c>Keyed = true</c>); rows
/// without it were written under the plain SHA-256, and <see cref="RekeyLegacyAsync"/> re-keys them.
/// </summary>
public sealed class TableSuppressionStore(StorageTables tables, TimeProvider time) : ISuppressionIndex
{
    private const string TableName = "Suppressions";

    /// <summary>The time index of adds (see the type's summary).</summary>
    public const string ByTimeTableName = "SuppressionsByTime";

    /// <summary>The column that marks a row holding a keyed hash.</summary>
    public const string KeyedColumn = "Keyed";

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
            new TableEntity(MinuteKey(time.GetUtcNow()), rk) { ["AddressHash"] = suppression.AddressHash, [KeyedColumn] = true },
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
                [KeyedColumn] = true,
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

    /// <summary>
    /// Re-keys every row written under the plain SHA-256 (no <c>Keyed</c> column): writes the keyed row (same reason,
    /// time and detail), then deletes the plain one, and deletes the plain rows of the time index. Safe to run while
    /// the hosts run and to run again (a crash part-way leaves both rows; the keyed one wins and the next run deletes
    /// the plain one). Returns the suppressions re-keyed.
    /// </summary>
    public async Task<int> RekeyLegacyAsync(AddressHasher hasher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        var table = await tables.GetAsync(TableName, cancellationToken);
        var legacy = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter: (string?)null, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (row.GetBoolean(KeyedColumn) != true)
            {
                legacy.Add(row);
            }
        }

        foreach (var row in legacy)
        {
            var plain = row.GetString("AddressHash");
            var keyed = hasher.Rekey(plain);
            if (await GetAsync(keyed, cancellationToken) is null)
            {
                await AddAsync(
                    new Suppression(keyed, Enum.Parse<SuppressionReason>(row.GetString("Reason")), row.GetDateTimeOffset("At") ?? default, row.GetString("Detail")),
                    cancellationToken);
            }

            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
        }

        var index = await tables.GetAsync(ByTimeTableName, cancellationToken);
        var stale = new List<TableEntity>();
        await foreach (var row in index.QueryAsync<TableEntity>(filter: (string?)null, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (row.GetBoolean(KeyedColumn) != true)
            {
                stale.Add(row);
            }
        }

        foreach (var row in stale)
        {
            await index.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
        }

        return legacy.Count;
    }

    private static (string Pk, string Rk) Keys(string addressHash)
    {
        var rk = TableKeys.Escape(addressHash);
        return (rk.Length > 2 ? rk[..2] : rk, rk);
    }
}
