using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Tombstones as row <c>d</c> of the erased contact's partition of <c>Contacts</c> (see <see cref="ContactRows"/>):
/// inside the working set, so routing an event reads it from the unit of work's snapshot at no request of its own.
/// The row holds only the erase time. While a contact is not erased, row <c>d</c> may be the guard row that commits
/// carry (<c>Erased = false</c>, see <see cref="PartitionScope"/>): writing the tombstone over it, unconditionally,
/// changes its ETag, so every commit whose snapshot was read before the erase fails and is applied again.
/// </summary>
public sealed class TableContactTombstones(StorageTables tables) : IContactTombstones
{
    public async Task MarkAsync(string contactId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
        await table.UpsertEntityAsync(
            new TableEntity(ContactRows.Partition(contactId), ContactRows.Erased) { ["At"] = at, [ContactRows.ErasedColumn] = true },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task<bool> ContainsAsync(string contactId, CancellationToken cancellationToken = default) =>
        ContactRows.IsTombstone(await PartitionRows.GetAsync(tables, contactId, ContactRows.Erased, cancellationToken));

    /// <summary>
    /// Lifts the tombstone. Deleting the row (rather than turning it into a guard) also fails a commit that read the
    /// tombstone, which is then applied again to the contact that is no longer erased.
    /// </summary>
    public async Task<bool> RemoveAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
        var partition = ContactRows.Partition(contactId);
        for (var attempt = 1; ; attempt++)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, ContactRows.Erased, cancellationToken: cancellationToken);
            if (!row.HasValue || !ContactRows.IsTombstone(row.Value))
            {
                return false;
            }

            try
            {
                await table.DeleteEntityAsync(partition, ContactRows.Erased, row.Value!.ETag, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412 && attempt < 3)
            {
                // Changed meanwhile (another erase, or lifted and guarded again): read what is there now.
            }
        }
    }
}
