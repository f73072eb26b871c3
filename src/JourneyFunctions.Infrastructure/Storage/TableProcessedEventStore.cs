using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Infrastructure.Storage;

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
