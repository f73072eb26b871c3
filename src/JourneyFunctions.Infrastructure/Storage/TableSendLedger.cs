using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// The send ledger in Table Storage. <c>Ledger</c>: PK = run id, RK = operation id (the idempotency row; an insert
/// that finds the row is a duplicate). <c>LedgerByContact</c>: PK = contact id, RK = run id + operation id, with
/// kind, status and time, for the frequency cap and erase. <c>LedgerByMessage</c>: PK = provider message id, naming
/// the ledger row, for delivery reports. The ledger row is written first; the index rows follow it.
/// </summary>
public sealed class TableSendLedger(StorageTables tables) : ISendLedger
{
    private const string LedgerTable = "Ledger";
    private const string ByContactTable = "LedgerByContact";
    private const string ByMessageTable = "LedgerByMessage";
    private const string MessageRow = "m";

    /// <summary>A detail (subject, skip or failure reason) is a note for people; longer text is cut to this.</summary>
    private const int MaxDetailChars = 8_000;

    public async Task<LedgerEntry?> GetAsync(string runId, string operationId, CancellationToken cancellationToken = default)
    {
        var ledger = await tables.GetAsync(LedgerTable, cancellationToken);
        var row = await ledger.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(runId), TableKeys.Escape(operationId), cancellationToken: cancellationToken);
        return row.HasValue ? ToEntry(row.Value!) : null;
    }

    public async Task<bool> TryReserveAsync(LedgerEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var reserved = entry with { Status = LedgerStatus.Reserved };
        var ledger = await tables.GetAsync(LedgerTable, cancellationToken);
        try
        {
            await ledger.AddEntityAsync(ToEntity(reserved), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }

        await WriteContactIndexAsync(reserved, cancellationToken);
        return true;
    }

    /// <remarks>
    /// With an <see cref="LedgerEntry.ETag"/> the row must still match it (else <see cref="ConcurrencyException"/>);
    /// without one the row is written as given, created if it was never reserved.
    /// </remarks>
    public async Task CompleteAsync(LedgerEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var ledger = await tables.GetAsync(LedgerTable, cancellationToken);
        var entity = ToEntity(entry);
        try
        {
            if (entry.ETag is null)
            {
                await ledger.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
            }
            else
            {
                await ledger.UpdateEntityAsync(entity, new ETag(entry.ETag), TableUpdateMode.Replace, cancellationToken);
            }
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            throw StorageTables.Conflict($"Ledger row ({entry.RunId}, {entry.OperationId})", ex);
        }

        await WriteContactIndexAsync(entry, cancellationToken);
        if (entry.MessageId is { } messageId)
        {
            var byMessage = await tables.GetAsync(ByMessageTable, cancellationToken);
            await byMessage.UpsertEntityAsync(
                new TableEntity(TableKeys.Escape(messageId), MessageRow) { ["RunId"] = entry.RunId, ["OperationId"] = entry.OperationId },
                TableUpdateMode.Replace,
                cancellationToken);
        }
    }

    public async Task<LedgerEntry?> FindByMessageIdAsync(string messageId, CancellationToken cancellationToken = default)
    {
        var byMessage = await tables.GetAsync(ByMessageTable, cancellationToken);
        var pointer = await byMessage.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(messageId), MessageRow, cancellationToken: cancellationToken);
        if (!pointer.HasValue)
        {
            return null;
        }

        var entry = await GetAsync(pointer.Value!.GetString("RunId"), pointer.Value.GetString("OperationId"), cancellationToken);
        return entry?.MessageId == messageId ? entry : null;
    }

    public async Task<int> CountSentToContactAsync(string contactId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var index = await tables.GetAsync(ByContactTable, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(contactId)} and Kind eq {LedgerRules.EmailKind} and At ge {since}");
        var count = 0;
        TableClient? ledger = null;
        await foreach (var row in index.QueryAsync<TableEntity>(filter, select: ["Status", "RunId", "OperationId"], cancellationToken: cancellationToken))
        {
            if (!Enum.TryParse<LedgerStatus>(row.GetString("Status"), out var status))
            {
                continue;
            }

            if (status == LedgerStatus.Reserved)
            {
                // The index row is written apart from the ledger row: a crash between the two leaves it saying
                // Reserved while the ledger row says Done, and a retry then finds Done and never rewrites the index.
                // The ledger row is the truth, so a reserved index row is checked against it (rare: crashes only).
                ledger ??= await tables.GetAsync(LedgerTable, cancellationToken);
                var main = await ledger.GetEntityIfExistsAsync<TableEntity>(
                    TableKeys.Escape(row.GetString("RunId")), TableKeys.Escape(row.GetString("OperationId")), ["Status"], cancellationToken);
                if (main.HasValue && Enum.TryParse<LedgerStatus>(main.Value!.GetString("Status"), out var truth))
                {
                    status = truth;
                }
            }

            if (LedgerRules.IsSentStatus(status))
            {
                count++;
            }
        }

        return count;
    }

    public async Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var index = await tables.GetAsync(ByContactTable, cancellationToken);
        var ledger = await tables.GetAsync(LedgerTable, cancellationToken);
        var byMessage = await tables.GetAsync(ByMessageTable, cancellationToken);
        var rows = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(contactId)}");
        await foreach (var row in index.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "RunId", "OperationId", "MessageId"], cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        foreach (var row in rows)
        {
            await ledger.DeleteEntityAsync(TableKeys.Escape(row.GetString("RunId")), TableKeys.Escape(row.GetString("OperationId")), ETag.All, cancellationToken);
            if (row.GetString("MessageId") is { } messageId)
            {
                await byMessage.DeleteEntityAsync(TableKeys.Escape(messageId), MessageRow, ETag.All, cancellationToken);
            }
        }

        await TableBatches.DeleteAsync(index, rows, cancellationToken);
        return rows.Count;
    }

    private async Task WriteContactIndexAsync(LedgerEntry entry, CancellationToken cancellationToken)
    {
        var index = await tables.GetAsync(ByContactTable, cancellationToken);
        var row = new TableEntity(TableKeys.Escape(entry.ContactId), TableKeys.Escape(entry.RunId) + "|" + TableKeys.Escape(entry.OperationId))
        {
            ["RunId"] = entry.RunId,
            ["OperationId"] = entry.OperationId,
            ["Kind"] = entry.Kind,
            ["Status"] = entry.Status.ToString(),
            ["At"] = entry.At,
            ["MessageId"] = entry.MessageId,
        };
        await index.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    private static TableEntity ToEntity(LedgerEntry entry) => new(TableKeys.Escape(entry.RunId), TableKeys.Escape(entry.OperationId))
    {
        ["RunId"] = entry.RunId,
        ["StepId"] = entry.StepId,
        ["OperationId"] = entry.OperationId,
        ["JourneyId"] = entry.JourneyId,
        ["ContactId"] = entry.ContactId,
        ["Kind"] = entry.Kind,
        ["Status"] = entry.Status.ToString(),
        ["At"] = entry.At,
        ["MessageId"] = entry.MessageId,
        ["Detail"] = entry.Detail is { Length: > MaxDetailChars } detail ? detail[..(MaxDetailChars - 1)] + "…" : entry.Detail,
    };

    private static LedgerEntry ToEntry(TableEntity row) => new()
    {
        RunId = row.GetString("RunId"),
        StepId = row.GetString("StepId"),
        OperationId = row.GetString("OperationId"),
        JourneyId = row.GetString("JourneyId"),
        ContactId = row.GetString("ContactId"),
        Kind = row.GetString("Kind"),
        Status = Enum.Parse<LedgerStatus>(row.GetString("Status")),
        At = row.GetDateTimeOffset("At") ?? default,
        MessageId = row.GetString("MessageId"),
        Detail = row.GetString("Detail"),
        ETag = row.ETag.ToString(),
    };
}
