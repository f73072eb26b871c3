using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Api.Storefronts;

/// <summary>Event names the storefront mappings raise; the sample journeys start from and wait for these.</summary>
public static class StorefrontEvents
{
    /// <summary>A profile sync (customer created or updated) that does not change consent to subscribed.</summary>
    public const string ContactUpdated = "contact.updated";

    /// <summary>The contact's marketing consent became subscribed: starts the welcome series.</summary>
    public const string ContactSubscribed = "contact.subscribed";

    /// <summary>A checkout was created or changed: starts (or refreshes) the abandoned-cart run of that cart.</summary>
    public const string CartUpdated = "cart.updated";

    /// <summary>An order was placed: ends its cart's run at the goal, starts the post-purchase review.</summary>
    public const string OrderPlaced = "order.placed";

    /// <summary>An order was delivered, with <c>deliveredAt</c>.</summary>
    public const string OrderDelivered = "order.delivered";
}

/// <summary>
/// What a mapped webhook asks for. Mappers are pure (body and headers in, work out): the processor applies the work,
/// so one place decides how events are queued, contacts erased and exports made.
/// </summary>
public abstract record StorefrontWork
{
    private StorefrontWork()
    {
    }

    /// <summary>
    /// Events to queue, as one batch (all or none). Their ids are the idempotency keys: derived from the platform's
    /// delivery id, or from the order id for order events, so a redelivery (or orders/paid after orders/create) is
    /// not a second event. An event named <see cref="StorefrontEvents.ContactUpdated"/> whose patch gives consent is
    /// raised as <see cref="StorefrontEvents.ContactSubscribed"/> when that consent is news for the contact.
    /// </summary>
    public sealed record Events(IReadOnlyList<EventSubmission> Items) : StorefrontWork;

    /// <summary>Erase one contact (a customer redact).</summary>
    public sealed record Erase(string ContactId) : StorefrontWork;

    /// <summary>Erase every contact recorded with this tag (a shop redact: the shop's tag).</summary>
    public sealed record EraseTagged(string Tag) : StorefrontWork;

    /// <summary>Export everything stored about a contact (a customer data request).</summary>
    public sealed record Export(string ContactId, string? RequestId) : StorefrontWork;

    /// <summary>Nothing to do; <see cref="UnknownTopic"/> when the topic is not mapped at all (logged once per topic).</summary>
    public sealed record Ignore(string Reason, bool UnknownTopic = false) : StorefrontWork;
}

/// <summary>What the platform is told (it only reads the status; the body is for people reading delivery logs).</summary>
public sealed record StorefrontWebhookResult(
    string Platform,
    string Topic,
    string Outcome,
    IReadOnlyList<string>? EventIds = null,
    int? Erased = null,
    string? Reason = null,
    ContactExportResponse? Export = null);
