using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

// Storage ports. Implementations: in-memory (embedded default, fast tests) and Azure Table/Queue Storage, held to one
// contract-test suite. Not-found is a null result; lost races throw ConcurrencyException (ETag if-match).

/// <summary>Contacts with their tags (and an index by tag), consent, time zone and last activity.</summary>
public interface IContactStore
{
    Task<Contact?> GetAsync(string contactId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts the contact when its <see cref="Contact.ETag"/> is null (throws <see cref="ConcurrencyException"/> if it
    /// exists), else replaces it if the ETag still matches. Keeps the tag index in step. Returns it with the new ETag.
    /// </summary>
    Task<Contact> SaveAsync(Contact contact, CancellationToken cancellationToken = default);

    /// <summary>Deletes the contact and its tag index entries; false when there was none.</summary>
    Task<bool> DeleteAsync(string contactId, CancellationToken cancellationToken = default);

    IAsyncEnumerable<string> ListIdsByTagAsync(string tag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ids of the contacts whose <see cref="Contact.Email"/> is <paramref name="email"/> (trimmed, ignoring case), from
    /// an index the store keeps on save and delete. Like the tag index it may briefly list a contact whose address just
    /// changed: a reader needing certainty checks the <see cref="Contact.Email"/> of the contacts it loads.
    /// </summary>
    IAsyncEnumerable<string> ListIdsByEmailAsync(string email, CancellationToken cancellationToken = default);

    /// <summary>Contacts whose last activity is before <paramref name="before"/> (for inactivity triggers).</summary>
    IAsyncEnumerable<Contact> ListInactiveAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}
