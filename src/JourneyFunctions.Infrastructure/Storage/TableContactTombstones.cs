using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Tombstones as row <c>d</c> of the erased contact's partition of <c>Contacts</c> (see <see cref="ContactRows"/>):
/// inside the working set, so routing an event reads it from the unit of work's snapshot at no request of its own.
/// The row holds only the erase time.
/// </summary>
public sealed class TableContactTombstones(StorageTables tables) : IContactTombstones
{
    public async Task MarkAsync(string contactId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
        await table.UpsertEntityAsync(new TableEntity(ContactRows.Partition(contactId), ContactRows.Erased) { ["At"] = at }, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<bool> ContainsAsync(string contactId, CancellationToken cancellationToken = default) =>
        await PartitionRows.GetAsync(tables, contactId, ContactRows.Erased, cancellationToken) is not null;

    public async Task<bool> RemoveAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
        var response = await table.DeleteEntityAsync(ContactRows.Partition(contactId), ContactRows.Erased, ETag.All, cancellationToken);
        return response.Status != 404;
    }
}
