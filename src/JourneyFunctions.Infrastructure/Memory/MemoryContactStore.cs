using System.Runtime.CompilerServices;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>
/// In-memory <see cref="IContactStore"/> for the embedded default and fast tests. One lock guards the contacts and the
/// tag and email indexes, so a save and its index changes are atomic here; ETags emulate the table's if-match.
/// </summary>
public sealed class MemoryContactStore : IContactStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Contact> _contacts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<string>> _byTag = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Contact ids by trimmed, lower-cased address (<see cref="EmailKey"/>).</summary>
    private readonly Dictionary<string, SortedSet<string>> _byEmail = new(StringComparer.Ordinal);

    public Task<Contact?> GetAsync(string contactId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contactId);
        lock (_gate)
        {
            return Task.FromResult(_contacts.GetValueOrDefault(contactId));
        }
    }

    public Task<Contact> SaveAsync(Contact contact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contact);
        lock (_gate)
        {
            _contacts.TryGetValue(contact.Id, out var existing);
            if (contact.ETag is null && existing is not null)
            {
                throw new ConcurrencyException($"Contact '{contact.Id}' exists already.");
            }

            if (contact.ETag is not null && (existing is null || existing.ETag != contact.ETag))
            {
                throw new ConcurrencyException($"Contact '{contact.Id}' was changed or deleted by someone else (ETag mismatch).");
            }

            var saved = contact with
            {
                Tags = new HashSet<string>(contact.Tags, StringComparer.OrdinalIgnoreCase),
                Fields = new Dictionary<string, System.Text.Json.JsonElement>(contact.Fields, StringComparer.Ordinal),
                ETag = MemoryETags.Next(),
            };
            if (existing is not null)
            {
                Unindex(existing);
            }

            _contacts[contact.Id] = saved;
            Index(saved);
            return Task.FromResult(saved);
        }
    }

    public Task<bool> DeleteAsync(string contactId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_contacts.Remove(contactId, out var existing))
            {
                return Task.FromResult(false);
            }

            Unindex(existing);
            return Task.FromResult(true);
        }
    }

    public async IAsyncEnumerable<string> ListIdsByTagAsync(string tag, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string[] ids;
        lock (_gate)
        {
            ids = _byTag.TryGetValue(tag, out var set) ? [.. set] : [];
        }

        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }

        await Task.CompletedTask;
    }

    public async IAsyncEnumerable<string> ListIdsByEmailAsync(string email, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        string[] ids;
        lock (_gate)
        {
            ids = _byEmail.TryGetValue(EmailKey(email), out var set) ? [.. set] : [];
        }

        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }

        await Task.CompletedTask;
    }

    /// <remarks>A contact with no recorded activity counts from when it was created.</remarks>
    public async IAsyncEnumerable<Contact> ListInactiveAsync(DateTimeOffset before, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Contact[] found;
        lock (_gate)
        {
            found = [.. _contacts.Values.Where(c => (c.LastActivityAt ?? c.CreatedAt) < before).OrderBy(c => c.Id, StringComparer.Ordinal)];
        }

        foreach (var contact in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return contact;
        }

        await Task.CompletedTask;
    }

    private void Index(Contact contact)
    {
        foreach (var tag in contact.Tags)
        {
            if (!_byTag.TryGetValue(tag, out var set))
            {
                set = new SortedSet<string>(StringComparer.Ordinal);
                _byTag[tag] = set;
            }

            set.Add(contact.Id);
        }

        if (!string.IsNullOrWhiteSpace(contact.Email))
        {
            var key = EmailKey(contact.Email);
            if (!_byEmail.TryGetValue(key, out var ids))
            {
                ids = new SortedSet<string>(StringComparer.Ordinal);
                _byEmail[key] = ids;
            }

            ids.Add(contact.Id);
        }
    }

    private void Unindex(Contact contact)
    {
        foreach (var tag in contact.Tags)
        {
            if (_byTag.TryGetValue(tag, out var set) && set.Remove(contact.Id) && set.Count == 0)
            {
                _byTag.Remove(tag);
            }
        }

        if (!string.IsNullOrWhiteSpace(contact.Email))
        {
            var key = EmailKey(contact.Email);
            if (_byEmail.TryGetValue(key, out var ids) && ids.Remove(contact.Id) && ids.Count == 0)
            {
                _byEmail.Remove(key);
            }
        }
    }

    /// <summary>Addresses compare as <see cref="Core.Security.AddressHasher"/> normalises them: trimmed, lower-cased.</summary>
    private static string EmailKey(string email) => email.Trim().ToLowerInvariant();
}
