using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Contacts in Table Storage. The contact is row <c>c</c> of its partition of <c>Contacts</c> (see
/// <see cref="ContactRows"/>): the contact as JSON in <c>Data</c> plus <c>ActivityAt</c> for the inactivity query.
/// <c>Tags</c>: PK = tag (upper-cased, tags compare ignoring case), RK = contact id, so "contacts with tag X" is one
/// partition query. <c>ContactEmails</c>: PK = the keyed HMAC of the address (<see cref="AddressHasher"/>, so no plain
/// address is a key and a reader of the table without the key learns nothing from it), RK = contact id, so "contacts
/// with address X" is one partition query.
/// </summary>
/// <remarks>
/// Index rows of added tags (and of a new address) are upserted before the contact row is written, and those of removed
/// tags (and of the address it had) deleted after
/// (inside a unit of work: after its commit). A crash in between leaves the index ahead of the contact for those tags
/// until they change on that contact again; readers needing certainty check <see cref="Contact.Tags"/> (and
/// <see cref="Contact.Email"/>) of the contacts they load. Contacts saved before the address index existed are found by
/// address once they are saved again. To diff the tags a save needs the tags of the row it replaces: inside a unit of work they come
/// from its snapshot; outside they are remembered from the read that produced the ETag (the usual
/// read-modify-write), so a save costs one read only when that read happened elsewhere.
/// </remarks>
public sealed class TableContactStore(StorageTables tables, AddressHasher hasher) : IContactStore
{
    private const string TagsTable = "Tags";

    private const string EmailsTable = "ContactEmails";

    /// <summary>Bound on remembered (contact, ETag) tag sets; past it the memory starts over.</summary>
    private const int MaxRemembered = 10_000;

    /// <summary>Tags and address of a contact row at a given ETag: an ETag names one version of the row, so this never goes stale.</summary>
    private readonly ConcurrentDictionary<string, (string ETag, IReadOnlySet<string> Tags, string? Email)> _readTags = new(StringComparer.Ordinal);

    public async Task<Contact?> GetAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var row = await PartitionRows.GetAsync(tables, contactId, ContactRows.Profile, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var contact = ToContact(row);
        Remember(contact);
        return contact;
    }

    public async Task<Contact> SaveAsync(Contact contact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var scope = tables.ScopeFor(contact.Id);
        IReadOnlySet<string> oldTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? oldEmail = null;
        if (contact.ETag is not null)
        {
            if (scope is null && _readTags.TryGetValue(contact.Id, out var known) && known.ETag == contact.ETag)
            {
                oldTags = known.Tags;
                oldEmail = known.Email;
            }
            else
            {
                var old = await PartitionRows.GetAsync(tables, contact.Id, ContactRows.Profile, cancellationToken);
                if (old is null || old.ETag.ToString() != contact.ETag)
                {
                    throw new ConcurrencyException($"Contact '{contact.Id}' was changed or deleted by someone else (ETag mismatch).");
                }

                var previous = ToContact(old);
                oldTags = previous.Tags;
                oldEmail = previous.Email;
            }
        }

        var oldEmailKey = EmailKey(oldEmail);
        var newEmailKey = EmailKey(contact.Email);

        // Index rows of added tags go first, so the index never misses a contact that has the tag.
        var tags = await tables.GetAsync(TagsTable, cancellationToken);
        foreach (var tag in contact.Tags.Where(t => !oldTags.Contains(t)))
        {
            scope?.AfterCommit(TagDeletion(tag), null);
            await tags.UpsertEntityAsync(TagRow(tag, contact.Id), TableUpdateMode.Replace, cancellationToken);
        }

        // Likewise the index row of a new address goes first.
        var emails = newEmailKey != oldEmailKey ? await tables.GetAsync(EmailsTable, cancellationToken) : null;
        if (emails is not null && newEmailKey is not null)
        {
            scope?.AfterCommit(EmailDeletion(newEmailKey), null);
            await emails.UpsertEntityAsync(EmailRow(newEmailKey, contact.Id), TableUpdateMode.Replace, cancellationToken);
        }

        var etag = await PartitionRows.WriteAsync(
            tables, contact.Id, ToEntity(contact), contact.ETag is null ? RowWrite.Insert : RowWrite.Replace, contact.ETag, cancellationToken);

        var pk = ContactRows.Partition(contact.Id);
        foreach (var tag in oldTags.Where(t => !contact.Tags.Contains(t)))
        {
            if (scope is null)
            {
                await tags.DeleteEntityAsync(TagKey(tag), pk, ETag.All, cancellationToken);
            }
            else
            {
                scope.AfterCommit(TagDeletion(tag), ct => tags.DeleteEntityAsync(TagKey(tag), pk, ETag.All, ct));
            }
        }

        if (emails is not null && oldEmailKey is not null)
        {
            if (scope is null)
            {
                await emails.DeleteEntityAsync(oldEmailKey, pk, ETag.All, cancellationToken);
            }
            else
            {
                scope.AfterCommit(EmailDeletion(oldEmailKey), ct => emails.DeleteEntityAsync(oldEmailKey, pk, ETag.All, ct));
            }
        }

        var saved = contact with
        {
            Tags = new HashSet<string>(contact.Tags, StringComparer.OrdinalIgnoreCase),
            ETag = etag,
        };
        Remember(saved);
        return saved;
    }

    /// <summary>Deletes the contact row, its processed-event marks and its tag and address index rows.</summary>
    public async Task<bool> DeleteAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var existing = await GetAsync(contactId, cancellationToken);
        _readTags.TryRemove(contactId, out _);
        await PartitionRows.DeleteAsync(tables, contactId, ContactRows.Processed, null, cancellationToken);
        await DeleteGuardAsync(contactId, cancellationToken);
        if (existing is null)
        {
            return false;
        }

        var deleted = await PartitionRows.DeleteAsync(tables, contactId, ContactRows.Profile, null, cancellationToken);
        var tags = await tables.GetAsync(TagsTable, cancellationToken);
        var pk = ContactRows.Partition(contactId);
        foreach (var tag in existing.Tags)
        {
            await tags.DeleteEntityAsync(TagKey(tag), pk, ETag.All, cancellationToken);
        }

        if (EmailKey(existing.Email) is { } emailKey)
        {
            var emails = await tables.GetAsync(EmailsTable, cancellationToken);
            await emails.DeleteEntityAsync(emailKey, pk, ETag.All, cancellationToken);
        }

        return deleted;
    }

    /// <summary>
    /// Deletes row <c>d</c> when it is the guard row of commits (see <see cref="PartitionScope"/>), never a tombstone:
    /// an erase leaves only its tombstone. If-match, so a tombstone written meanwhile stays.
    /// </summary>
    private async Task DeleteGuardAsync(string contactId, CancellationToken cancellationToken)
    {
        var row = await PartitionRows.GetAsync(tables, contactId, ContactRows.Erased, cancellationToken);
        if (row is null || ContactRows.IsTombstone(row))
        {
            return;
        }

        try
        {
            await PartitionRows.DeleteAsync(tables, contactId, ContactRows.Erased, row.ETag.ToString(), cancellationToken);
        }
        catch (ConcurrencyException)
        {
            // Changed meanwhile: a tombstone now, which stays.
        }
    }

    public async IAsyncEnumerable<string> ListIdsByTagAsync(string tag, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var tags = await tables.GetAsync(TagsTable, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TagKey(tag)}");
        await foreach (var row in tags.QueryAsync<TableEntity>(filter, select: ["ContactId"], cancellationToken: cancellationToken))
        {
            yield return row.GetString("ContactId");
        }
    }

    public async IAsyncEnumerable<string> ListIdsByEmailAsync(string email, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        if (EmailKey(email) is not { } key)
        {
            yield break;
        }

        var emails = await tables.GetAsync(EmailsTable, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {key}");
        await foreach (var row in emails.QueryAsync<TableEntity>(filter, select: ["ContactId"], cancellationToken: cancellationToken))
        {
            yield return row.GetString("ContactId");
        }
    }

    /// <remarks>A contact with no recorded activity counts from when it was created. This scans the contact rows of the Contacts table.</remarks>
    public async IAsyncEnumerable<Contact> ListInactiveAsync(DateTimeOffset before, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"RowKey eq {ContactRows.Profile} and ActivityAt lt {before}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return ToContact(row);
        }
    }

    private void Remember(Contact contact)
    {
        if (_readTags.Count >= MaxRemembered)
        {
            _readTags.Clear();
        }

        _readTags[contact.Id] = (contact.ETag!, contact.Tags, contact.Email);
    }

    private static string TagDeletion(string tag) => "tag-delete|" + TagKey(tag);

    private static string EmailDeletion(string emailKey) => "email-delete|" + emailKey;

    /// <summary>The partition of an address in <c>ContactEmails</c>: its keyed HMAC (hex), null for no address.</summary>
    private string? EmailKey(string? email) => string.IsNullOrWhiteSpace(email) ? null : hasher.Compute(email);

    private static TableEntity EmailRow(string emailKey, string contactId) => new(emailKey, TableKeys.Escape(contactId))
    {
        ["ContactId"] = contactId,
    };

    private static string TagKey(string tag) => TableKeys.Escape(tag.ToUpperInvariant());

    private static TableEntity TagRow(string tag, string contactId) => new(TagKey(tag), TableKeys.Escape(contactId))
    {
        ["ContactId"] = contactId,
        ["Tag"] = tag,
    };

    private static TableEntity ToEntity(Contact contact)
    {
        var document = new ContactDocument
        {
            Id = contact.Id,
            Email = contact.Email,
            TimeZone = contact.TimeZone,
            Fields = contact.Fields,
            Tags = [.. contact.Tags.Order(StringComparer.Ordinal)],
            Consent = contact.Consent,
            CreatedAt = contact.CreatedAt,
            LastActivityAt = contact.LastActivityAt,
        };
        var entity = new TableEntity(ContactRows.Partition(contact.Id), ContactRows.Profile)
        {
            ["ActivityAt"] = contact.LastActivityAt ?? contact.CreatedAt,
        };
        TablePayload.Write(entity, JsonSerializer.SerializeToUtf8Bytes(document, JourneyJson.Options), $"Contact '{contact.Id}'");
        return entity;
    }

    private static Contact ToContact(TableEntity entity)
    {
        var document = JsonSerializer.Deserialize<ContactDocument>(TablePayload.Read(entity), JourneyJson.Options)
            ?? throw new InvalidDataException($"Contact row {entity.PartitionKey} holds null.");
        return new Contact
        {
            Id = document.Id,
            Email = document.Email,
            TimeZone = document.TimeZone,
            Fields = new Dictionary<string, JsonElement>(document.Fields, StringComparer.Ordinal),
            Tags = new HashSet<string>(document.Tags, StringComparer.OrdinalIgnoreCase),
            Consent = document.Consent,
            CreatedAt = document.CreatedAt,
            LastActivityAt = document.LastActivityAt,
            ETag = entity.ETag.ToString(),
        };
    }

    /// <summary>The stored JSON of a contact: the record without its ETag, with plain collection types.</summary>
    private sealed record ContactDocument
    {
        public required string Id { get; init; }

        public string? Email { get; init; }

        public string? TimeZone { get; init; }

        public IReadOnlyDictionary<string, JsonElement> Fields { get; init; } = new Dictionary<string, JsonElement>();

        public IReadOnlyList<string> Tags { get; init; } = [];

        public Consent Consent { get; init; } = new();

        public DateTimeOffset CreatedAt { get; init; }

        public DateTimeOffset? LastActivityAt { get; init; }
    }
}
