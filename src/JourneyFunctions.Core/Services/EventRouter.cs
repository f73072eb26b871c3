using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Core.Services;

/// <summary>What routing one event did, for logs and tests.</summary>
public sealed record RouteResult(bool Duplicate, IReadOnlyList<string> DeliveredTo, IReadOnlyList<string> Started, IReadOnlyList<string> NotEntered);

/// <summary>
/// Routes one contact event, in the order a contact's events arrive (the caller holds the contact's lease or is the
/// queue trigger of one contact at a time): updates the contact (profile patch, last activity), delivers the event to
/// the contact's active runs (exits, goals, waits), then starts the journeys it triggers. An event already routed
/// (same id) is dropped. The event is marked routed only at the end, so a crash part-way leaves the message on the
/// queue to be routed again; run starts are idempotent (deterministic run ids) and effects go through the ledger.
/// </summary>
/// <remarks>
/// One event is one unit of work on its contact (<see cref="IContactWork"/>): the contact update, the deliveries to
/// its runs, the runs started, the timeline and the processed mark are read from one snapshot of the contact's data
/// and written as one transaction at the end. When that commit loses a race (another worker changed one of the rows),
/// nothing of it was written and the event is routed again from fresh state.
/// </remarks>
public sealed class EventRouter(
    IContactWork work,
    ContactWriter contactWriter,
    IRunStore runs,
    IJourneyCatalog catalog,
    IProcessedEventStore processed,
    IContactTombstones tombstones,
    ITimelineStore timeline,
    IEventQueue queue,
    TagEventFilter tagEvents,
    ContactLocks locks,
    TimeProvider time,
    ILogger<EventRouter> logger)
{
    private const int MaxAttempts = 8;

    public async Task<RouteResult> RouteAsync(ContactEvent contactEvent, IRunDispatcher dispatcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contactEvent);

        // Not interleaved with an erase of the contact in this process (the memory stores have no commit to fail).
        return await locks.RunAsync(contactEvent.ContactId, () => RouteWithRetriesAsync(contactEvent, dispatcher, cancellationToken), cancellationToken);
    }

    private async Task<RouteResult> RouteWithRetriesAsync(ContactEvent contactEvent, IRunDispatcher dispatcher, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = work.Begin(contactEvent.ContactId);
            try
            {
                var result = await RouteOnceAsync(contactEvent, dispatcher, cancellationToken);
                await scope.CommitAsync(cancellationToken);
                return result;
            }
            catch (ConcurrencyException) when (scope.Owner && attempt < MaxAttempts)
            {
                logger.LogDebug("Routing {EventId} for {ContactId} lost a race; routing it again from fresh state", contactEvent.Id, contactEvent.ContactId);
            }
        }
    }

    private async Task<RouteResult> RouteOnceAsync(ContactEvent contactEvent, IRunDispatcher dispatcher, CancellationToken cancellationToken)
    {
        if (await processed.ContainsAsync(contactEvent.ContactId, contactEvent.Id, cancellationToken))
        {
            logger.LogDebug("Event {EventId} for {ContactId} was routed before; dropped", contactEvent.Id, contactEvent.ContactId);
            return new RouteResult(true, [], [], []);
        }

        var now = time.GetUtcNow();
        var isSystem = IsSystemEvent(contactEvent.Name);

        // An erased contact stays erased: a late event or an engagement report (email.opened/clicked) for it must not
        // bring it back, with what the event carries, in a new profile and timeline. Only an explicit upsert does.
        // Also while an erase is under way (tombstone written, rows not all deleted yet): nothing is routed to it. On
        // Table Storage this read is of the unit of work's snapshot and the commit is conditional on it, so an erase
        // that lands after the read fails the commit and the event is routed again, to the tombstone.
        if (await tombstones.ContainsAsync(contactEvent.ContactId, cancellationToken))
        {
            await processed.MarkAsync(contactEvent.ContactId, contactEvent.Id, now, cancellationToken);
            return new RouteResult(false, [], [], []);
        }

        var createIfMissing = !isSystem;
        var update = await contactWriter.UpdateAsync(
            contactEvent.ContactId,
            c => Touch(ContactWriter.Apply(c, contactEvent.Contact, now), contactEvent, isSystem),
            createIfMissing,
            cancellationToken);
        if (update is null)
        {
            // A report about a contact that no longer exists (erased): nothing to route to.
            await processed.MarkAsync(contactEvent.ContactId, contactEvent.Id, now, cancellationToken);
            return new RouteResult(false, [], [], []);
        }

        var contact = update.After;
        var delivered = new List<string>();
        var catalogEntries = await catalog.GetLatestAsync(cancellationToken);
        foreach (var run in await runs.ListActiveForContactAsync(contact.Id, cancellationToken))
        {
            if (!ConcernsRun(contactEvent, run.State, catalogEntries))
            {
                continue;
            }

            await dispatcher.DeliverAsync(run.State.RunId, contactEvent, cancellationToken);
            delivered.Add(run.State.RunId);
        }

        var started = new List<string>();
        var startedJourneys = new List<JourneyDefinition>();
        var notEntered = new List<string>();
        var entries = new List<TimelineEntry>
        {
            new(now, "event", $"{contactEvent.Name}", Data: contactEvent.Data),
        };
        if (ContactWriter.OptInEntry(update, now) is { } optIn)
        {
            entries.Add(optIn);
        }

        foreach (var (journey, paused) in catalogEntries)
        {
            if (!MayTrigger(journey, contactEvent))
            {
                continue;
            }

            if (paused)
            {
                notEntered.Add(journey.Id);
                entries.Add(new TimelineEntry(now, "journey", $"Not entered {journey.Name}: the journey is paused", journey.Id));
                continue;
            }

            var previous = TriggerKeys.TryGet(journey, contactEvent, out var key)
                ? await runs.GetLatestAsync(journey.Id, contact.Id, key, cancellationToken)
                : null;
            var decision = JourneyMachine.DecideEntry(journey, contact, contactEvent, previous, now);
            if (!decision.Enter || decision.RunId is null)
            {
                notEntered.Add(journey.Id);
                entries.Add(new TimelineEntry(now, "journey", $"Not entered {journey.Name}: {decision.Reason}", journey.Id));
                continue;
            }

            await dispatcher.StartAsync(new StartRunRequest(journey, decision, contact, contactEvent), cancellationToken);
            started.Add(decision.RunId);
            startedJourneys.Add(journey);
        }

        // Tags the event's profile patch added can trigger journeys of their own, after this event (when any can).
        foreach (var tagEvent in await tagEvents.ListenedToAsync(contact.Id, ContactWriter.TagEvents(update, contactEvent.Id, now), startedJourneys, cancellationToken))
        {
            await queue.EnqueueAsync(tagEvent, cancellationToken);
        }

        if (!isSystem || started.Count > 0)
        {
            await timeline.AppendAsync(contact.Id, entries, cancellationToken);
        }

        await processed.MarkAsync(contact.Id, contactEvent.Id, now, cancellationToken);
        return new RouteResult(false, delivered, started, notEntered);
    }

    /// <summary>Cheap pre-filter before the machine's entry decision: can this event start this journey at all?</summary>
    public static bool MayTrigger(JourneyDefinition journey, ContactEvent contactEvent)
    {
        var trigger = journey.Trigger;
        if (trigger.Event is not null)
        {
            return string.Equals(trigger.Event, contactEvent.Name, StringComparison.Ordinal);
        }

        if (trigger.TagAdded is not null)
        {
            return string.Equals(contactEvent.Name, SystemEvents.TagAdded, StringComparison.Ordinal);
        }

        return trigger.InactiveFor is not null && string.Equals(contactEvent.Name, SystemEvents.Inactive, StringComparison.Ordinal);
    }

    /// <summary>Events the product raises about a contact, which are not the contact's own activity.</summary>
    /// <summary>
    /// Every event reaches every active run of its contact, except <see cref="SystemEvents.JourneyResumed"/>: only the
    /// runs of the resumed journey, and none while it is paused again (a pause right after the resume must hold them).
    /// </summary>
    private static bool ConcernsRun(ContactEvent contactEvent, RunState run, IReadOnlyList<CatalogEntry> catalogEntries)
    {
        if (!string.Equals(contactEvent.Name, SystemEvents.JourneyResumed, StringComparison.Ordinal))
        {
            return true;
        }

        if (contactEvent.Data is not { ValueKind: JsonValueKind.Object } data
            || !data.TryGetProperty("journeyId", out var journeyId)
            || !string.Equals(journeyId.ValueKind == JsonValueKind.String ? journeyId.GetString() : null, run.JourneyId, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var entry in catalogEntries)
        {
            if (string.Equals(entry.Journey.Id, run.JourneyId, StringComparison.Ordinal))
            {
                return !entry.Paused;
            }
        }

        return true;
    }

    public static bool IsSystemEvent(string name) => name is SystemEvents.TagAdded or SystemEvents.TagRemoved or SystemEvents.Inactive
        or SystemEvents.EmailDelivered or SystemEvents.EmailBounced or SystemEvents.Unsubscribed or SystemEvents.JourneyResumed;

    private static Contact Touch(Contact contact, ContactEvent contactEvent, bool isSystem)
    {
        if (isSystem || contact.LastActivityAt >= contactEvent.OccurredAt)
        {
            return contact;
        }

        return contact with { LastActivityAt = contactEvent.OccurredAt };
    }
}
