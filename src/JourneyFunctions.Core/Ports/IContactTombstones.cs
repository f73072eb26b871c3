namespace JourneyFunctions.Core.Ports;

/// <summary>
/// Contacts that were erased: the tombstone keeps a late event, an engagement report or a timer from recreating an
/// erased contact (and writing what it carries back into a new timeline). It holds the contact id and when, nothing
/// else. Only an explicit upsert (<c>POST /api/contacts</c>) lifts it.
/// </summary>
public interface IContactTombstones
{
    Task MarkAsync(string contactId, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<bool> ContainsAsync(string contactId, CancellationToken cancellationToken = default);

    /// <summary>Lifts the tombstone; false when there was none.</summary>
    Task<bool> RemoveAsync(string contactId, CancellationToken cancellationToken = default);
}
