using System.Text.Json.Nodes;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Api.Storefronts.Shopify;

/// <summary>The headers of one Shopify delivery that the mapping uses (the signature is checked before).</summary>
public sealed record ShopifyDelivery(string Shop, string Topic, string DeliveryId, DateTimeOffset Now);

/// <summary>
/// Maps a Shopify webhook (REST resource JSON, as Shopify documents each topic's payload) to journey work. Pure: no
/// I/O, no clock of its own. Contacts are keyed by email address (see <see cref="StorefrontMapping.ContactIdFor"/>)
/// and tagged <c>shopify:&lt;shop domain&gt;</c>, which is how <c>shop/redact</c> finds every contact of a shop.
/// </summary>
public static class ShopifyWebhookMapper
{
    public const string Platform = "shopify";

    /// <summary>The tag that records that a contact came from <paramref name="shop"/>.</summary>
    public static string ShopTag(string shop) => $"{Platform}:{shop.Trim().ToLowerInvariant()}";

    public static StorefrontWork Map(ShopifyDelivery delivery, PayloadObject body)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return delivery.Topic switch
        {
            "customers/create" or "customers/update" => Customer(delivery, body),
            "customers/email_marketing_consent_update" => ConsentUpdate(delivery, body),
            "checkouts/create" or "checkouts/update" => Checkout(delivery, body),
            "orders/create" or "orders/paid" => OrderPlaced(delivery, body),
            "orders/fulfilled" => OrderFulfilled(delivery, body),
            "fulfillments/create" or "fulfillments/update" => FulfillmentUpdated(delivery, body),
            "customers/redact" => CustomerRedact(body),
            "shop/redact" => new StorefrontWork.EraseTagged(ShopTag(delivery.Shop)),
            "customers/data_request" => DataRequest(body),
            _ => new StorefrontWork.Ignore($"topic '{delivery.Topic}' is not mapped to a journey event", UnknownTopic: true),
        };
    }

    private static StorefrontWork Customer(ShopifyDelivery d, PayloadObject customer)
    {
        customer.RequireId("id", "it identifies the customer");
        var email = StorefrontMapping.UsableEmail(customer.String("email"), customer.At("email"));
        if (email is null)
        {
            return new StorefrontWork.Ignore("the customer has no email address: there is nobody to write to");
        }

        var (consent, consentAt) = Consent(customer.Object("email_marketing_consent"), customer.Date("updated_at") ?? customer.Date("created_at"));
        var patch = Profile(d, customer, email) with
        {
            MarketingConsent = consent,
            ConsentAt = consentAt,
            ConsentSource = consent is null ? null : $"{Platform}:{d.Shop}",
        };

        // A profile sync is not the customer's activity; its creation is (re-engagement counts from it).
        var occurredAt = consent == true ? consentAt : customer.Date("created_at");
        return Events(Event(d, 0, email, StorefrontEvents.ContactUpdated, Source(d).Put("customerId", customer.Id("id")), occurredAt, patch));
    }

    private static StorefrontWork ConsentUpdate(ShopifyDelivery d, PayloadObject body)
    {
        var email = StorefrontMapping.UsableEmail(body.String("email_address"), body.At("email_address"));
        var consentObject = body.RequireObject("email_marketing_consent", "it carries the consent state");
        if (email is null)
        {
            return new StorefrontWork.Ignore("the consent update has no email address: there is nobody to write to");
        }

        var (consent, consentAt) = Consent(consentObject, d.Now);
        var patch = new ContactPatch
        {
            Email = email,
            Tags = [ShopTag(d.Shop)],
            MarketingConsent = consent,
            ConsentAt = consentAt,
            ConsentSource = consent is null ? null : $"{Platform}:{d.Shop}",
        };
        return Events(Event(d, 0, email, StorefrontEvents.ContactUpdated, Source(d).Put("customerId", body.Id("customer_id")), consent == true ? consentAt : null, patch));
    }

    private static StorefrontWork Checkout(ShopifyDelivery d, PayloadObject checkout)
    {
        var token = checkout.RequireString("token", "it keys the cart, and the order placed from it names it");
        var lineItems = checkout.Objects("line_items");
        if (checkout.Has("completed_at"))
        {
            return new StorefrontWork.Ignore("the checkout is completed: its order ends the cart's run");
        }

        var customer = checkout.Object("customer");
        var email = StorefrontMapping.UsableEmail(checkout.String("email"), checkout.At("email"))
            ?? (customer is { } c ? StorefrontMapping.UsableEmail(c.String("email"), c.At("email")) : null);
        if (email is null)
        {
            return new StorefrontWork.Ignore("the checkout has no email address yet: there is nobody to remind");
        }

        var data = Source(d)
            .Put("cartId", token)
            .Put("cartUrl", checkout.String("abandoned_checkout_url"))
            .Put("currency", checkout.String("currency") ?? checkout.String("presentment_currency"))
            .Put("total", checkout.Money("total_price"))
            .Put("subtotal", checkout.Money("subtotal_price"))
            .Put("items", Items(lineItems));
        var patch = customer is { } who ? Profile(d, who, email) : new ContactPatch { Email = email, Tags = [ShopTag(d.Shop)] };
        return Events(Event(d, 0, email, StorefrontEvents.CartUpdated, data, checkout.Date("updated_at") ?? checkout.Date("created_at"), patch));
    }

    private static StorefrontWork OrderPlaced(ShopifyDelivery d, PayloadObject order)
    {
        var orderId = order.RequireId("id", "it keys the order's post-purchase run");
        var lineItems = order.Objects("line_items");
        var customer = order.Object("customer");
        var email = OrderEmail(order, customer);
        if (email is null)
        {
            return new StorefrontWork.Ignore("the order has no email address: there is nobody to write to");
        }

        var data = Source(d)
            .Put("orderId", orderId)
            .Put("orderNumber", order.String("name"))
            .Put("cartId", order.String("checkout_token"))
            .Put("currency", order.String("currency"))
            .Put("total", order.Money("total_price"))
            .Put("orderUrl", order.String("order_status_url"))
            .Put("items", Items(lineItems));
        var patch = customer is { } who ? Profile(d, who, email) : new ContactPatch { Email = email, Tags = [ShopTag(d.Shop)] };

        // orders/create and orders/paid are the same placement: one event id per order makes the second a repeat.
        var submission = new EventSubmission
        {
            Id = StorefrontMapping.EventId(Platform, d.Shop, $"{StorefrontEvents.OrderPlaced}:{orderId}"),
            ContactId = StorefrontMapping.ContactIdFor(email),
            Name = StorefrontEvents.OrderPlaced,
            Data = data.ToElement(),
            OccurredAt = StorefrontMapping.NotAfter(order.Date("processed_at") ?? order.Date("created_at"), d.Now),
            Contact = patch,
        };
        return Events(submission);
    }

    private static StorefrontWork OrderFulfilled(ShopifyDelivery d, PayloadObject order)
    {
        var orderId = order.RequireId("id", "it names the order that was delivered");
        var fulfillments = order.Objects("fulfillments");
        var email = OrderEmail(order, order.Object("customer"));
        if (fulfillments.Where(IsDelivered).Select(f => (PayloadObject?)f).FirstOrDefault() is not { } delivered)
        {
            return new StorefrontWork.Ignore("no fulfillment of the order has the delivered shipment status yet");
        }

        return email is null
            ? new StorefrontWork.Ignore("the order has no email address: there is nobody to write to")
            : Delivered(d, email, orderId, delivered.Date("updated_at") ?? order.Date("updated_at"));
    }

    private static StorefrontWork FulfillmentUpdated(ShopifyDelivery d, PayloadObject fulfillment)
    {
        var orderId = fulfillment.RequireId("order_id", "it names the order that was delivered");
        if (!IsDelivered(fulfillment))
        {
            return new StorefrontWork.Ignore("the fulfillment's shipment status is not delivered");
        }

        var email = StorefrontMapping.UsableEmail(fulfillment.String("email"), fulfillment.At("email"));
        return email is null
            ? new StorefrontWork.Ignore("the fulfillment has no email address: there is nobody to write to")
            : Delivered(d, email, orderId, fulfillment.Date("updated_at"));
    }

    private static StorefrontWork Delivered(ShopifyDelivery d, string email, string orderId, DateTimeOffset? at)
    {
        var deliveredAt = StorefrontMapping.NotAfter(at, d.Now) ?? d.Now;
        return Events(new EventSubmission
        {
            Id = StorefrontMapping.EventId(Platform, d.Shop, $"{StorefrontEvents.OrderDelivered}:{orderId}"),
            ContactId = StorefrontMapping.ContactIdFor(email),
            Name = StorefrontEvents.OrderDelivered,
            Data = Source(d).Put("orderId", orderId).Put("deliveredAt", deliveredAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)).ToElement(),
            OccurredAt = deliveredAt,
        });
    }

    private static StorefrontWork CustomerRedact(PayloadObject body)
    {
        var customer = body.RequireObject("customer", "it names the customer to erase");
        var email = StorefrontMapping.UsableEmail(customer.String("email"), customer.At("email"));
        return email is null
            ? new StorefrontWork.Ignore("the customer has no email address: no contact is kept for it")
            : new StorefrontWork.Erase(StorefrontMapping.ContactIdFor(email));
    }

    private static StorefrontWork DataRequest(PayloadObject body)
    {
        var customer = body.RequireObject("customer", "it names the customer whose data is requested");
        var email = StorefrontMapping.UsableEmail(customer.String("email"), customer.At("email"));
        var requestId = body.Object("data_request")?.Id("id");
        return email is null
            ? new StorefrontWork.Ignore("the customer has no email address: no contact is kept for it")
            : new StorefrontWork.Export(StorefrontMapping.ContactIdFor(email), requestId);
    }

    private static bool IsDelivered(PayloadObject fulfillment) =>
        string.Equals(fulfillment.String("shipment_status"), "delivered", StringComparison.OrdinalIgnoreCase);

    private static string? OrderEmail(PayloadObject order, PayloadObject? customer) =>
        StorefrontMapping.UsableEmail(order.String("email"), order.At("email"))
        ?? StorefrontMapping.UsableEmail(order.String("contact_email"), order.At("contact_email"))
        ?? (customer is { } c ? StorefrontMapping.UsableEmail(c.String("email"), c.At("email")) : null);

    /// <summary>
    /// Shopify's <c>email_marketing_consent</c>: <c>subscribed</c> gives consent, <c>unsubscribed</c> (and the
    /// <c>redacted</c> / <c>invalid</c> states) withdraws it, <c>not_subscribed</c> and <c>pending</c> change nothing
    /// (never having subscribed in Shopify does not undo a consent given elsewhere). The time is
    /// <c>consent_updated_at</c>, else the record's own time: the router applies it only over older consent.
    /// </summary>
    private static (bool? Consent, DateTimeOffset? At) Consent(PayloadObject? consent, DateTimeOffset? fallbackAt)
    {
        if (consent is not { } c)
        {
            return (null, null);
        }

        bool? state = c.String("state")?.ToLowerInvariant() switch
        {
            "subscribed" => true,
            "unsubscribed" or "redacted" or "invalid" => false,
            _ => null,
        };
        var at = c.Date("consent_updated_at") ?? fallbackAt;
        return state is null || at is null ? (null, null) : (state, at);
    }

    private static ContactPatch Profile(ShopifyDelivery d, PayloadObject customer, string email)
    {
        var tags = new List<string> { ShopTag(d.Shop) };
        if (customer.String("tags") is { } list)
        {
            tags.AddRange(list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }

        var fields = StorefrontMapping.Fields(
            ("firstName", customer.String("first_name")),
            ("lastName", customer.String("last_name")),
            ("locale", customer.String("locale")),
            ("country", customer.Object("default_address")?.String("country_code")),
            ("shopifyCustomerId", customer.Id("id")));
        return new ContactPatch { Email = email, Fields = fields.Count > 0 ? fields : null, Tags = tags };
    }

    private static JsonArray Items(IReadOnlyList<PayloadObject> lineItems)
    {
        var items = new JsonArray();
        foreach (var line in lineItems)
        {
            var title = line.String("title") ?? line.String("name");
            var variant = line.String("variant_title");
            items.Add(new JsonObject()
                .Put("name", variant is null || title is null || title.EndsWith(variant, StringComparison.Ordinal) ? title : $"{title} - {variant}")
                .Put("quantity", line.Integer("quantity") ?? 1)
                .Put("price", line.Money("price"))
                .Put("sku", line.String("sku"))
                .Put("productId", line.Id("product_id"))
                .Put("variantId", line.Id("variant_id"))
                .Put("imageUrl", line.String("image_url")));
        }

        return items;
    }

    private static JsonObject Source(ShopifyDelivery d) => new JsonObject().Put("source", Platform).Put("shop", d.Shop);

    private static EventSubmission Event(ShopifyDelivery d, int index, string email, string name, JsonObject data, DateTimeOffset? occurredAt, ContactPatch? patch) => new()
    {
        Id = StorefrontMapping.EventId(Platform, d.Shop, $"{d.DeliveryId}:{index}"),
        ContactId = StorefrontMapping.ContactIdFor(email),
        Name = name,
        Data = data.ToElement(),
        OccurredAt = StorefrontMapping.NotAfter(occurredAt, d.Now),
        Contact = patch,
    };

    private static StorefrontWork.Events Events(params EventSubmission[] items) => new(items);
}
