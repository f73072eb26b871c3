using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// Read-modify-write of a contact with optimistic concurrency: the change is re-applied to fresh state when another
/// writer won the race. Tag changes are reported so callers can raise <see cref="SystemEvents.TagAdded"/> events.
/// </summary>
public sealed class ContactWriter(IContactStore contacts, TimeProvider time)
{
    private const int MaxAttempts = 8;

    /// <summary>
    /// Applies <paramref name="change"/> to the stored contact (or to a new one when none exists and
    /// <paramref name="createIfMissing"/>), saving with ETag retry. Returns null when the contact does not exist and
    /// may not be created.
    /// </summary>
    public async Task<ContactUpdate?> UpdateAsync(string contactId, Func<Contact, Contact> change, bool createIfMissing, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var existing = await contacts.GetAsync(contactId, cancellationToken);
            if (existing is null && !createIfMissing)
            {
                return null;
            }

            var before = existing ?? new Contact { Id = contactId, CreatedAt = time.GetUtcNow() };
            var after = change(before);
            if (existing is not null && ReferenceEquals(after, before))
            {
                return new ContactUpdate(existing, existing, [], []);
            }

            try
            {
                var saved = await contacts.SaveAsync(after with { Id = contactId, ETag = existing?.ETag }, cancellationToken);
                var added = saved.Tags.Where(t => existing is null || !existing.Tags.Contains(t)).ToList();
                var removed = existing is null ? [] : existing.Tags.Where(t => !saved.Tags.Contains(t)).ToList();
                return new ContactUpdate(existing, saved, added, removed);
            }
            catch (ConcurrencyException) when (attempt < MaxAttempts)
            {
                // Another writer won: read again and re-apply the change to fresh state.
            }
        }
    }

    /// <summary>Applies a patch: only what is set changes; tags in the patch are added; consent records its source and time.</summary>
    public static Contact Apply(Contact contact, ContactPatch? patch, DateTimeOffset now)
    {
        if (patch is null)
        {
            return contact;
        }

        var result = contact;
        if (patch.Email is not null && !string.Equals(patch.Email, contact.Email, StringComparison.Ordinal))
        {
            result = result with { Email = patch.Email.Trim() };
        }

        if (patch.TimeZone is not null && !string.Equals(patch.TimeZone, contact.TimeZone, StringComparison.Ordinal))
        {
            result = result with { TimeZone = patch.TimeZone };
        }

        if (patch.Fields is { Count: > 0 })
        {
            var fields = new Dictionary<string, JsonElement>(contact.Fields, StringComparer.Ordinal);
            foreach (var (name, value) in patch.Fields)
            {
                fields[name] = value.Clone();
            }

            result = result with { Fields = fields };
        }

        if (patch.Tags is { Count: > 0 } && patch.Tags.Any(t => !contact.Tags.Contains(t)))
        {
            result = WithTags(result, patch.Tags, []);
        }

        if (patch.MarketingConsent is { } consent && consent != contact.Consent.Marketing
            && IsNewer(patch.ConsentAt, contact.Consent.At) && (!consent || IsOptInAfterWithdrawal(contact.Consent, patch)))
        {
            result = result with { Consent = new Consent { Marketing = consent, Source = patch.ConsentSource ?? "api", At = patch.ConsentAt ?? now } };
        }

        return result;
    }

    /// <summary>A dated consent change applies only over an older (or undated) record; an undated one always applies.</summary>
    private static bool IsNewer(DateTimeOffset? changedAt, DateTimeOffset? recordedAt) =>
        changedAt is not { } at || recordedAt is not { } recorded || at > recorded;

    /// <summary>
    /// Whether a patch saying <c>marketingConsent: true</c> may subscribe the contact: always, unless the contact
    /// withdrew consent themselves; then only when the patch records an opt-in given after that withdrawal.
    /// </summary>
    public static bool IsOptInAfterWithdrawal(Consent current, ContactPatch patch) =>
        !current.WithdrawnByContact
        || (patch.ConsentAt is { } given && (current.At is not { } withdrawn || given > withdrawn));

    /// <summary>
    /// The timeline entry of an opt-in the update recorded (marketing consent now given, not before), else null: an
    /// opt-in is a fact about the contact as much as an unsubscribe is.
    /// </summary>
    public static TimelineEntry? OptInEntry(ContactUpdate update, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(update);
        return update.After.Consent.Marketing && update.Before?.Consent.Marketing != true
            ? new TimelineEntry(now, "consent", $"Opted in to marketing ({update.After.Consent.Source ?? "api"})")
            : null;
    }

    public static Contact WithTags(Contact contact, IEnumerable<string> add, IEnumerable<string> remove)
    {
        var tags = new HashSet<string>(contact.Tags, StringComparer.OrdinalIgnoreCase);
        var changed = false;
        foreach (var tag in add)
        {
            changed |= tags.Add(tag.Trim());
        }

        foreach (var tag in remove)
        {
            changed |= tags.Remove(tag.Trim());
        }

        return changed ? contact with { Tags = tags } : contact;
    }

    /// <summary>The system events a tag change raises, with ids derived from <paramref name="causeId"/> so a retry does not raise them twice.</summary>
    public static IEnumerable<ContactEvent> TagEvents(ContactUpdate update, string causeId, DateTimeOffset now)
    {
        foreach (var tag in update.AddedTags)
        {
            yield return TagEvent(update.After.Id, SystemEvents.TagAdded, tag, causeId, now);
        }

        foreach (var tag in update.RemovedTags)
        {
            yield return TagEvent(update.After.Id, SystemEvents.TagRemoved, tag, causeId, now);
        }
    }

    private static ContactEvent TagEvent(string contactId, string name, string tag, string causeId, DateTimeOffset now) => new()
    {
        Id = $"{causeId}|{name}|{tag.ToLowerInvariant()}",
        ContactId = contactId,
        Name = name,
        OccurredAt = now,
        Data = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["tag"] = tag }),
    };
}

/// <summary>A contact before and after a change; <see cref="Before"/> is null when the contact was created.</summary>
public sealed record ContactUpdate(Contact? Before, Contact After, IReadOnlyList<string> AddedTags, IReadOnlyList<string> RemovedTags);
