using System.Collections.Concurrent;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Api.Storefronts;

/// <summary>
/// Applies what a storefront webhook was mapped to, the same way for every platform and both hosts: events go through
/// <see cref="EventIngestService"/> as one batch (validated whole, queued in order, deduplicated by id by the router),
/// privacy topics through <see cref="ContactService"/> (erase ends the runs first; export reads everything). Nothing
/// here logs a payload, an address or a secret: only platform, topic, counts and the platform's own request ids.
/// </summary>
public sealed partial class StorefrontWebhookProcessor(
    EventIngestService ingest,
    ContactService contacts,
    IContactStore store,
    ILogger<StorefrontWebhookProcessor> logger)
{
    /// <summary>Unmapped topics remembered for the log-once rule; past this many, further new ones are not logged.</summary>
    private const int MaxTopicsRemembered = 256;

    private readonly ConcurrentDictionary<string, byte> _unknownTopicsLogged = new(StringComparer.Ordinal);

    public async Task<StorefrontWebhookResult> ApplyAsync(string platform, string topic, StorefrontWork work, IRunDispatcher dispatcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(dispatcher);
        switch (work)
        {
            case StorefrontWork.Events events:
            {
                var items = await WithSubscriptionsAsync(events.Items, cancellationToken);
                var accepted = await ingest.IngestAsync(items, idempotencyKey: null, isBatch: true, cancellationToken);
                return new StorefrontWebhookResult(platform, topic, "queued", accepted.EventIds);
            }

            case StorefrontWork.Erase erase:
            {
                var erased = await contacts.EraseAsync(erase.ContactId, dispatcher, cancellationToken);
                return new StorefrontWebhookResult(platform, topic, "erased", Erased: erased ? 1 : 0);
            }

            case StorefrontWork.EraseTagged shop:
            {
                var ids = new List<string>();
                await foreach (var id in store.ListIdsByTagAsync(shop.Tag, cancellationToken))
                {
                    ids.Add(id);
                }

                var erased = 0;
                foreach (var id in ids)
                {
                    erased += await contacts.EraseAsync(id, dispatcher, cancellationToken) ? 1 : 0;
                }

                LogShopErased(logger, platform, topic, erased);
                return new StorefrontWebhookResult(platform, topic, "erased", Erased: erased);
            }

            case StorefrontWork.Export request:
            {
                var export = await contacts.ExportAsync(request.ContactId, cancellationToken);
                LogDataRequest(logger, platform, request.RequestId ?? "(none)", export is not null);
                return export is null
                    ? new StorefrontWebhookResult(platform, topic, "exported", Reason: "nothing is stored about this customer")
                    : new StorefrontWebhookResult(platform, topic, "exported", Export: ContactExportResponse.From(export));
            }

            case StorefrontWork.Ignore ignore:
                if (ignore.UnknownTopic && _unknownTopicsLogged.Count < MaxTopicsRemembered && _unknownTopicsLogged.TryAdd(platform + "|" + topic, 0))
                {
                    LogUnknownTopic(logger, platform, topic);
                }

                return new StorefrontWebhookResult(platform, topic, "ignored", Reason: ignore.Reason);

            default:
                throw new InvalidOperationException($"Unknown storefront work {work.GetType().Name}.");
        }
    }

    /// <summary>
    /// A profile sync that gives consent is <c>contact.subscribed</c> when the consent is news: the contact is new, or
    /// it had not consented and the platform's consent is newer than the one on record (the rule the router applies
    /// to the patch, see <see cref="ContactWriter.Apply"/>). Otherwise it stays <c>contact.updated</c>.
    /// </summary>
    private async Task<IReadOnlyList<EventSubmission>> WithSubscriptionsAsync(IReadOnlyList<EventSubmission> items, CancellationToken cancellationToken)
    {
        var result = new List<EventSubmission>(items.Count);
        foreach (var item in items)
        {
            if (item.Name == StorefrontEvents.ContactUpdated && item.Contact?.MarketingConsent == true && item.ContactId is { } contactId)
            {
                var existing = await store.GetAsync(contactId, cancellationToken);
                var news = existing is null
                    || (!existing.Consent.Marketing
                        && (item.Contact.ConsentAt is not { } at || existing.Consent.At is not { } recorded || at > recorded));
                result.Add(news ? item with { Name = StorefrontEvents.ContactSubscribed } : item);
                continue;
            }

            result.Add(item);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Platform} webhook topic {Topic} is not mapped: accepted and ignored (logged once per topic)")]
    private static partial void LogUnknownTopic(ILogger logger, string platform, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Platform} {Topic}: erased {Count} contacts of the shop")]
    private static partial void LogShopErased(ILogger logger, string platform, string topic, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Platform} data request {RequestId} answered (contact found: {Found}); the export is also at GET /api/contacts/{{id}}/export")]
    private static partial void LogDataRequest(ILogger logger, string platform, string requestId, bool found);
}
