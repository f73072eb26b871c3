using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Contacts in Table Storage. <c>Contacts</c>: PK = contact id, RK = <c>profile</c>, the contact as JSON in
/// <c>Data</c> plus <c>ActivityAt</c> for the inactivity query. <c>Tags</c>: PK = tag (upper-cased, tags compare
/// ignoring case), RK = contact id, so "contacts with tag X" is one partition query.
/// </summary>
/// <remarks>
/// The contact row is written first (if-match), then the index rows of added tags are upserted and those of removed
/// tags deleted. A crash between the two leaves the index behind the contact for those tags until they change on that
/// contact again; readers needing certainty check <see cref="Contact.Tags"/> of the contacts they load. To diff the
/// tags a save needs the tags of the row it replaces: they are remembered from the read that produced the ETag (the
/// usual read-modify-write), so a save costs one read only when that read happened elsewhere.
/// </remarks>
public sealed class TableContactStore(StorageTables tables) : IContactStore
{
    private const string ContactsTable = "Contacts";
    private const string TagsTable = "Tags";
    private const string ProfileRow = "profile";

    /// <summary>Bound on remembered (contact, ETag) tag sets; past it the memory starts over.</summary>
    private const int MaxRemembered = 10_000;

    /// <summary>Tags of a contact row at a given ETag: an ETag names one version of the row, so this never goes stale.</summary>
    private readonly ConcurrentDictionary<string, (string ETag, IReadOnlySet<string> Tags)> readTags = new(StringComparer.Ordinal);

    public async Task<Contact?> GetAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ContactsTable, cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(contactId), ProfileRow, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return null;
        }

        var contact = ToContact(response.Value!);
        Remember(contact);
        return contact;
    }

    public async Task<Contact> SaveAsync(Contact contact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var table = await tables.GetAsync(ContactsTable, cancellationToken);
        var pk = TableKeys.Escape(contact.Id);
        var entity = ToEntity(contact, pk);
        IReadOnlySet<string> oldTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Response response;
        try
        {
            if (contact.ETag is null)
            {
                response = await table.AddEntityAsync(entity, cancellationToken);
            }
            else
            {
                if (readTags.TryGetValue(contact.Id, out var known) && known.ETag == contact.ETag)
                {
                    oldTags = known.Tags;
                }
                else
                {
                    var old = await table.GetEntityIfExistsAsync<TableEntity>(pk, ProfileRow, cancellationToken: cancellationToken);
                    if (!old.HasValue || old.Value!.ETag.ToString() != contact.ETag)
                    {
                        throw new ConcurrencyException($"Contact '{contact.Id}' was changed or deleted by someone else (ETag mismatch).");
                    }

                    oldTags = ToContact(old.Value).Tags;
                }

                response = await table.UpdateEntityAsync(entity, new ETag(contact.ETag), TableUpdateMode.Replace, cancellationToken);
            }
        }
        catch (RequestFailedException ex) when (StorageTables.IsConflict(ex) || ex.Status == 404)
        {
            throw StorageTables.Conflict($"Contact '{contact.Id}'", ex);
        }

        var tags = await tables.GetAsync(TagsTable, cancellationToken);
        foreach (var tag in contact.Tags.Where(t => !oldTags.Contains(t)))
        {
            await tags.UpsertEntityAsync(TagRow(tag, contact.Id), TableUpdateMode.Replace, cancellationToken);
        }

        foreach (var tag in oldTags.Where(t => !contact.Tags.Contains(t)))
        {
            await tags.DeleteEntityAsync(TagKey(tag), pk, ETag.All, cancellationToken);
        }

        var saved = contact with
        {
            Tags = new HashSet<string>(contact.Tags, StringComparer.OrdinalIgnoreCase),
            ETag = response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("Table Storage returned no ETag."),
        };
        Remember(saved);
        return saved;
    }

    public async Task<bool> DeleteAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var existing = await GetAsync(contactId, cancellationToken);
        if (existing is null)
        {
            return false;
        }

        var table = await tables.GetAsync(ContactsTable, cancellationToken);
        var pk = TableKeys.Escape(contactId);
        readTags.TryRemove(contactId, out _);
        var response = await table.DeleteEntityAsync(pk, ProfileRow, ETag.All, cancellationToken);
        var tags = await tables.GetAsync(TagsTable, cancellationToken);
        foreach (var tag in existing.Tags)
        {
            await tags.DeleteEntityAsync(TagKey(tag), pk, ETag.All, cancellationToken);
        }

        return response.Status != 404;
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

    /// <remarks>A contact with no recorded activity counts from when it was created. This scans the Contacts table.</remarks>
    public async IAsyncEnumerable<Contact> ListInactiveAsync(DateTimeOffset before, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ContactsTable, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"ActivityAt lt {before}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return ToContact(row);
        }
    }

    private void Remember(Contact contact)
    {
        if (readTags.Count >= MaxRemembered)
        {
            readTags.Clear();
        }

        readTags[contact.Id] = (contact.ETag!, contact.Tags);
    }

    private static string TagKey(string tag) => TableKeys.Escape(tag.ToUpperInvariant());

    private static TableEntity TagRow(string tag, string contactId) => new(TagKey(tag), TableKeys.Escape(contactId))
    {
        ["ContactId"] = contactId,
        ["Tag"] = tag,
    };

    private static TableEntity ToEntity(Contact contact, string pk)
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
        var entity = new TableEntity(pk, ProfileRow)
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
