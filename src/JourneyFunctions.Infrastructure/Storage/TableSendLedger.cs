using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// The send ledger in Table Storage. A ledger row is row <c>l|{run id}|{operation id}</c> of its contact's partition of
/// <c>Contacts</c> (see <see cref="ContactRows"/>): the idempotency record (an insert that finds the row is a
/// duplicate), read together with the contact and its runs, so the frequency cap and the "done already?" lookups of an
/// input cost no request of their own. <c>LedgerByMessage</c>: PK = provider message id, naming the contact, run and
/// operation of the row, for delivery reports (a hint: the row is checked to carry that message id).
/// </summary>
/// <remarks>
/// Inside a unit of work a reserve is sent at once, together with the writes buffered before it, because the effect
/// (an email) must not happen before its row is stored; completions are buffered like any other write.
/// </remarks>
public sealed class TableSendLedger(StorageTables tables) : ISendLedger
{
    private const string ByMessageTable = "LedgerByMessage";
    private const string MessageRow = "m";

    /// <summary>A detail (subject, skip or failure reason) is a note for people; longer text is cut to this.</summary>
    private const int MaxDetailChars = 8_000;

    public async Task<LedgerEntry?> GetAsync(string contactId, string runId, string operationId, CancellationToken cancellationToken = default)
    {
        var row = await PartitionRows.GetAsync(tables, contactId, ContactRows.Ledger(runId, operationId), cancellationToken);
        return row is null ? null : ToEntry(row);
    }

    public async Task<bool> TryReserveAsync(LedgerEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            await PartitionRows.WriteAsync(tables, entry.ContactId, ToEntity(entry with { Status = LedgerStatus.Reserved }), RowWrite.Insert, null, cancellationToken);
        }
        catch (ConcurrencyException)
        {
            return false;
        }

        if (tables.ScopeFor(entry.ContactId) is { } scope)
        {
            await scope.FlushAsync(cancellationToken);
        }

        return true;
    }

    /// <remarks>
    /// With an <see cref="LedgerEntry.ETag"/> the row must still match it (else <see cref="ConcurrencyException"/>);
    /// without one the row is written as given, created if it was never reserved.
    /// </remarks>
    public async Task CompleteAsync(LedgerEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.MessageId is { } messageId)
        {
            // The pointer goes first; it is checked against the row, so one written for a row not stored yet is harmless.
            var byMessage = await tables.GetAsync(ByMessageTable, cancellationToken);
            await byMessage.UpsertEntityAsync(
                new TableEntity(TableKeys.Escape(messageId), MessageRow) { ["ContactId"] = entry.ContactId, ["RunId"] = entry.RunId, ["OperationId"] = entry.OperationId },
                TableUpdateMode.Replace,
                cancellationToken);
        }

        await PartitionRows.WriteAsync(
            tables, entry.ContactId, ToEntity(entry), entry.ETag is null ? RowWrite.Upsert : RowWrite.Replace, entry.ETag, cancellationToken);
    }

    public async Task<LedgerEntry?> FindByMessageIdAsync(string messageId, CancellationToken cancellationToken = default)
    {
        var byMessage = await tables.GetAsync(ByMessageTable, cancellationToken);
        var pointer = await byMessage.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(messageId), MessageRow, cancellationToken: cancellationToken);
        if (!pointer.HasValue)
        {
            return null;
        }

        var entry = await GetAsync(pointer.Value!.GetString("ContactId"), pointer.Value.GetString("RunId"), pointer.Value.GetString("OperationId"), cancellationToken);
        return entry?.MessageId == messageId ? entry : null;
    }

    public async Task<int> CountSentToContactAsync(string contactId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var rows = await PartitionRows.RangeAsync(tables, contactId, ContactRows.LedgerPrefix, ["Kind", "Status", "At"], cancellationToken);
        return rows.Count(row => row.GetString("Kind") == LedgerRules.EmailKind
            && row.GetDateTimeOffset("At") >= since
            && Enum.TryParse<LedgerStatus>(row.GetString("Status"), out var status)
            && LedgerRules.IsSentStatus(status));
    }

    public async Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var byMessage = await tables.GetAsync(ByMessageTable, cancellationToken);
        var rows = new List<TableEntity>();
        await foreach (var row in PartitionRows.QueryAsync(tables, contactId, ContactRows.LedgerPrefix, ["PartitionKey", "RowKey", "MessageId"], cancellationToken))
        {
            rows.Add(row);
        }

        foreach (var messageId in rows.Select(r => r.GetString("MessageId")).OfType<string>())
        {
            await byMessage.DeleteEntityAsync(TableKeys.Escape(messageId), MessageRow, ETag.All, cancellationToken);
        }

        await TableBatches.DeleteAsync(await tables.GetAsync(ContactRows.Table, cancellationToken), rows, cancellationToken);
        return rows.Count;
    }

    private static TableEntity ToEntity(LedgerEntry entry) => new(ContactRows.Partition(entry.ContactId), ContactRows.Ledger(entry.RunId, entry.OperationId))
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
        ["RecipientHash"] = entry.RecipientHash,
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
        RecipientHash = row.GetString("RecipientHash"),
        ETag = row.ETag.ToString(),
    };
}
