using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// The <c>Contacts</c> table: one partition per contact (PK = escaped contact id) holding every row that is read or
/// written per contact, with row-key prefixes chosen so that what one input needs is one contiguous range:
/// <c>c</c> the contact, <c>d</c> its erase tombstone (<see cref="TableContactTombstones"/>) or, while it is not erased,
/// the guard row every commit carries (<see cref="PartitionScope"/>), <c>e</c> its recently processed event ids, <c>l|run|operation</c> its send-ledger rows,
/// <c>r|run</c> its runs (all below <see cref="WorkingSetEnd"/>, loaded by one query per input), and
/// <c>t|inverted ticks|sequence</c> its timeline, newest first, which no input reads.
/// </summary>
internal static class ContactRows
{
    public const string Table = "Contacts";
    public const string Profile = "c";
    public const string Erased = "d";

    /// <summary>
    /// The column of row <c>d</c> that tells a guard row (<c>false</c>: written by a commit, see
    /// <see cref="PartitionScope"/>) from a tombstone (<c>true</c>, or absent in tombstones written before the guard).
    /// </summary>
    public const string ErasedColumn = "Erased";

    /// <summary>Whether row <c>d</c> as read is a tombstone (not the guard row of a live contact).</summary>
    public static bool IsTombstone(TableEntity? row) => row is not null && row.GetBoolean(ErasedColumn) != false;
    public const string Processed = "e";
    public const string LedgerPrefix = "l|";
    public const string RunPrefix = "r|";
    public const string TimelinePrefix = "t|";

    /// <summary>Rows whose key sorts below this are the working set of an input (contact, marks, ledger, runs).</summary>
    public const string WorkingSetEnd = "t";

    public static string Partition(string contactId) => TableKeys.Escape(contactId);

    /// <summary>The working set of a contact (every row below <see cref="WorkingSetEnd"/>): one range query.</summary>
    public static async Task<IReadOnlyList<TableEntity>> LoadWorkingSetAsync(StorageTables tables, string contactId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(Table, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(contactId)} and RowKey lt {WorkingSetEnd}");
        if (tables.Batches is { } lean)
        {
            return await lean.QueryAsync(table.Name, filter, 1000, cancellationToken);
        }

        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    public static string Run(string runId) => Checked(RunPrefix + TableKeys.Escape(runId));

    public static string Ledger(string runId, string operationId) => Checked(LedgerPrefix + TableKeys.Escape(runId) + "|" + TableKeys.Escape(operationId));

    public static bool InWorkingSet(string rowKey) => string.CompareOrdinal(rowKey, WorkingSetEnd) < 0;

    /// <summary>The first key after every key that starts with <paramref name="prefix"/>.</summary>
    public static string End(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    private static string Checked(string key) => key.Length <= TableKeys.MaxKeyLength
        ? key
        : throw new StorageLimitException($"The row key '{key[..64]}...' is {key.Length} characters, over the {TableKeys.MaxKeyLength}-character limit of a table key.");
}

/// <summary>How a row of a contact's partition is written.</summary>
internal enum RowWrite
{
    /// <summary>Create; <see cref="ConcurrencyException"/> when the row exists.</summary>
    Insert,

    /// <summary>Replace if the ETag still matches; <see cref="ConcurrencyException"/> otherwise.</summary>
    Replace,

    /// <summary>Create or replace, whatever is there.</summary>
    Upsert,
}

/// <summary>
/// Reads and writes rows of a contact's partition: through the open <see cref="PartitionScope"/> of that contact when
/// there is one (reads from its snapshot, writes buffered until commit), else straight to the table.
/// </summary>
internal static class PartitionRows
{
    public static async Task<TableEntity?> GetAsync(StorageTables tables, string contactId, string rowKey, CancellationToken cancellationToken)
    {
        if (tables.ScopeFor(contactId) is { } scope && ContactRows.InWorkingSet(rowKey))
        {
            return await scope.GetAsync(rowKey, cancellationToken);
        }

        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(ContactRows.Partition(contactId), rowKey, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>The rows whose key starts with <paramref name="prefix"/>, in key order.</summary>
    public static async Task<IReadOnlyList<TableEntity>> RangeAsync(StorageTables tables, string contactId, string prefix, IEnumerable<string>? select, CancellationToken cancellationToken)
    {
        if (tables.ScopeFor(contactId) is { } scope && ContactRows.InWorkingSet(prefix))
        {
            return await scope.RangeAsync(prefix, cancellationToken);
        }

        var rows = new List<TableEntity>();
        await foreach (var row in QueryAsync(tables, contactId, prefix, select, cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>A range query straight to the table (no scope), for erase and listings.</summary>
    public static async IAsyncEnumerable<TableEntity> QueryAsync(StorageTables tables, string contactId, string prefix, IEnumerable<string>? select, [EnumeratorCancellation] CancellationToken cancellationToken, int? maxPerPage = null)
    {
        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ContactRows.Partition(contactId)} and RowKey ge {prefix} and RowKey lt {ContactRows.End(prefix)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage, select, cancellationToken))
        {
            yield return row;
        }
    }

    /// <summary>Writes the row (its keys are set here); returns the ETag the caller holds for it from now on.</summary>
    public static async Task<string> WriteAsync(StorageTables tables, string contactId, TableEntity entity, RowWrite write, string? etag, CancellationToken cancellationToken)
    {
        entity.PartitionKey = ContactRows.Partition(contactId);
        if (tables.ScopeFor(contactId) is { } scope)
        {
            return await scope.WriteAsync(entity, write, etag, cancellationToken);
        }

        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
        try
        {
            var response = write switch
            {
                RowWrite.Insert => await table.AddEntityAsync(entity, cancellationToken),
                RowWrite.Replace => await table.UpdateEntityAsync(entity, new ETag(etag ?? throw new ArgumentNullException(nameof(etag))), TableUpdateMode.Replace, cancellationToken),
                _ => await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken),
            };
            return response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("Table Storage returned no ETag.");
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            throw StorageTables.Conflict($"Row {entity.RowKey} of contact '{contactId}'", ex);
        }
    }

    /// <summary>Deletes the row (if-match when <paramref name="etag"/> is given); false when there was none.</summary>
    public static async Task<bool> DeleteAsync(StorageTables tables, string contactId, string rowKey, string? etag, CancellationToken cancellationToken)
    {
        if (tables.ScopeFor(contactId) is { } scope)
        {
            return await scope.DeleteAsync(rowKey, etag, cancellationToken);
        }

        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
        try
        {
            var response = await table.DeleteEntityAsync(ContactRows.Partition(contactId), rowKey, etag is null ? ETag.All : new ETag(etag), cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw StorageTables.Conflict($"Row {rowKey} of contact '{contactId}'", ex);
        }
    }
}
