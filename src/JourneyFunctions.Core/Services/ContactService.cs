using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Services;

/// <summary>A contact with what an operator wants to see: tags, active runs and the recent timeline.</summary>
public sealed record ContactView(Contact Contact, IReadOnlyList<RunSummary> ActiveRuns, IReadOnlyList<TimelineEntry> Timeline, bool Suppressed);

/// <summary>
/// Everything stored about a contact (GDPR access, a storefront's data request): the profile with tags and consent,
/// the suppression of its address if any, every run with its state and data, and the whole timeline. Send-ledger rows
/// are not listed: each email they record is also a timeline entry of its run.
/// </summary>
public sealed record ContactExport(
    string ContactId,
    DateTimeOffset ExportedAt,
    Contact? Contact,
    Suppression? Suppression,
    IReadOnlyList<RunState> Runs,
    IReadOnlyList<TimelineEntry> Timeline);

public sealed record RunSummary(string RunId, string JourneyId, int Version, string? Key, string? StepId, RunStatus Status, DateTimeOffset StartedAt, DateTimeOffset? WaitingUntil);

/// <summary>
/// Contacts as the API sees them: upsert (profile, tags, consent), read with runs and timeline, unsubscribe, and erase
/// (GDPR): erasing ends the contact's runs and deletes its profile, runs (with their timer rows), ledger rows and
/// timeline, and keeps only the suppression hash, so an erased address that had unsubscribed or bounced still gets no
/// mail, and a tombstone (the id and when), so late events and reports do not recreate it; an upsert lifts it.
/// </summary>
public sealed class ContactService(
    ContactWriter writer,
    IContactStore contacts,
    IRunStore runs,
    ISendLedger ledger,
    AddressSuppressions suppressions,
    ITimelineStore timeline,
    IContactTombstones tombstones,
    IJourneyCatalog catalog,
    IEventQueue queue,
    TagEventFilter tagEvents,
    ContactLocks locks,
    TimeProvider time)
{
    /// <summary>How far in the future a recorded consent time may lie (clocks disagree a little).</summary>
    public static readonly TimeSpan ConsentClockSkew = TimeSpan.FromMinutes(5);

    public async Task<Contact> UpsertAsync(string contactId, ContactPatch patch, CancellationToken cancellationToken = default)
    {
        var errors = new List<FieldError>();
        if (IdLimits.Problem(contactId) is { } idProblem)
        {
            errors.Add(new FieldError("$.id", idProblem));
        }

        if (patch.Email is { } address && !EmailAddresses.TryParse(address, out _, out var addressProblem))
        {
            errors.Add(new FieldError("$.email", $"'{EmailAddresses.Shorten(address)}' {addressProblem}"));
        }

        if (patch.TimeZone is { } zone && ZonedTime.Find(zone) is null)
        {
            errors.Add(new FieldError("$.timeZone", $"'{zone}' is not an IANA time zone (e.g. Europe/Madrid)"));
        }

        if (patch.ConsentAt is { } consentAt && consentAt > time.GetUtcNow() + ConsentClockSkew)
        {
            errors.Add(new FieldError("$.consentAt", "is in the future: give the time the contact gave consent"));
        }

        if (patch.Tags?.Any(string.IsNullOrWhiteSpace) == true)
        {
            errors.Add(new FieldError("$.tags", "tags must be non-empty strings"));
        }

        // The rule of the events route: a number journeys and templates cannot handle is refused with its path.
        foreach (var (name, value) in patch.Fields ?? new Dictionary<string, JsonElement>())
        {
            EventIngestService.CheckNumbers(errors, "$.fields" + EventIngestService.Member(name), value);
        }

        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }

        var now = time.GetUtcNow();

        // An explicit upsert is the one thing that brings an erased contact back.
        await tombstones.RemoveAsync(contactId, cancellationToken);
        var update = await writer.UpdateAsync(contactId, c => ContactWriter.Apply(c, patch, now), createIfMissing: true, cancellationToken)
            ?? throw new InvalidOperationException("Upsert could not create the contact.");
        if (ContactWriter.OptInEntry(update, now) is { } optIn)
        {
            await timeline.AppendAsync(contactId, [optIn], cancellationToken);
        }

        var cause = $"upsert|{contactId}|{now.UtcTicks}";
        foreach (var tagEvent in await tagEvents.ListenedToAsync(contactId, ContactWriter.TagEvents(update, cause, now), cancellationToken: cancellationToken))
        {
            await queue.EnqueueAsync(tagEvent, cancellationToken);
        }

        return update.After;
    }

    public async Task<ContactView?> GetAsync(string contactId, int timelineMax = 50, CancellationToken cancellationToken = default)
    {
        var contact = await contacts.GetAsync(contactId, cancellationToken);
        if (contact is null)
        {
            return null;
        }

        var active = await runs.ListActiveForContactAsync(contactId, cancellationToken);
        var entries = await timeline.ListAsync(contactId, timelineMax, cancellationToken);
        var suppressed = contact.Email is not null && await suppressions.GetAsync(contact.Email, cancellationToken) is not null;
        return new ContactView(contact, active.Select(r => Summarise(r.State)).ToList(), entries, suppressed);
    }

    /// <summary>
    /// Withdraws marketing consent, suppresses the address (reason unsubscribed) and ends the contact's marketing
    /// runs. Idempotent: unsubscribing twice changes nothing more. False when the contact does not exist.
    /// </summary>
    public async Task<bool> UnsubscribeAsync(string contactId, string source, IRunDispatcher dispatcher, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var update = await writer.UpdateAsync(
            contactId,
            c => c.Consent.Marketing || c.Consent.Source is null || !c.Consent.WithdrawnByContact
                ? c with { Consent = new Consent { Marketing = false, Source = source, At = now, WithdrawnByContact = true } }
                : c,
            createIfMissing: false,
            cancellationToken);
        if (update is null)
        {
            return false;
        }

        if (update.After.Email is { } address)
        {
            await suppressions.AddAsync(address, SuppressionReason.Unsubscribed, now, source, cancellationToken);
        }

        foreach (var run in await runs.ListActiveForContactAsync(contactId, cancellationToken))
        {
            var journey = await catalog.GetVersionAsync(run.State.JourneyId, run.State.Version, cancellationToken);
            if (journey is null || journey.Category == JourneyCategory.Marketing)
            {
                await dispatcher.CancelAsync(run.State.RunId, "the contact unsubscribed", cancellationToken);
            }
        }

        if (update.Before?.Consent.Marketing == true)
        {
            await timeline.AppendAsync(contactId, [new TimelineEntry(now, "consent", $"Unsubscribed from marketing ({source})")], cancellationToken);
        }

        return true;
    }

    /// <summary>The most timeline entries an export lists (far more than a contact's timeline holds in practice).</summary>
    public const int MaxExportTimeline = 100_000;

    /// <summary>Everything stored about the contact; null when nothing is (no profile, run or timeline entry).</summary>
    public async Task<ContactExport?> ExportAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var contact = await contacts.GetAsync(contactId, cancellationToken);
        var all = await runs.ListForContactAsync(contactId, cancellationToken);
        var entries = await timeline.ListAsync(contactId, MaxExportTimeline, cancellationToken);
        if (contact is null && all.Count == 0 && entries.Count == 0)
        {
            return null;
        }

        var suppression = contact?.Email is { } address ? await suppressions.GetAsync(address, cancellationToken) : null;
        return new ContactExport(contactId, time.GetUtcNow(), contact, suppression, all.Select(r => r.State).ToList(), entries);
    }

    /// <summary>Erases the contact's personal data and ends its runs; false when there was no such contact.</summary>
    /// <remarks>
    /// Not interleaved with the routing of an event for the contact in this process (<see cref="ContactLocks"/>); across
    /// processes on Table Storage, a routing commit that read the partition before the tombstone fails and is routed again.
    /// </remarks>
    public Task<bool> EraseAsync(string contactId, IRunDispatcher dispatcher, CancellationToken cancellationToken = default) =>
        locks.RunAsync(contactId, () => EraseCoreAsync(contactId, dispatcher, cancellationToken), cancellationToken);

    private async Task<bool> EraseCoreAsync(string contactId, IRunDispatcher dispatcher, CancellationToken cancellationToken)
    {
        var contact = await contacts.GetAsync(contactId, cancellationToken);

        // The tombstone first: an event routed while the erase runs cannot recreate the contact behind it.
        var erasedBefore = await tombstones.ContainsAsync(contactId, cancellationToken);
        await tombstones.MarkAsync(contactId, time.GetUtcNow(), cancellationToken);
        foreach (var run in await runs.ListActiveForContactAsync(contactId, cancellationToken))
        {
            await dispatcher.CancelAsync(run.State.RunId, "the contact was erased", cancellationToken);
        }

        var removed = await runs.DeleteForContactAsync(contactId, cancellationToken);
        removed += await ledger.DeleteForContactAsync(contactId, cancellationToken);
        removed += await timeline.DeleteForContactAsync(contactId, cancellationToken);
        var deleted = await contacts.DeleteAsync(contactId, cancellationToken);
        var erased = deleted || contact is not null || removed > 0;
        if (!erased && !erasedBefore)
        {
            // Nothing was there (a 404): no tombstone for an id that never was a contact (a repeated erase keeps its own).
            await tombstones.RemoveAsync(contactId, cancellationToken);
        }

        return erased;
    }

    public static RunSummary Summarise(RunState state) =>
        new(state.RunId, state.JourneyId, state.Version, state.Key, state.StepId, state.Status, state.StartedAt, state.Wait?.Until);
}
