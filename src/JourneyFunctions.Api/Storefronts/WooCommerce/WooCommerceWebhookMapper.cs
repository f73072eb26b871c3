using System.Globalization;
using System.Text.Json.Nodes;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Api.Storefronts.WooCommerce;

/// <summary>The headers of one WooCommerce delivery that the mapping uses (the signature is checked before).</summary>
public sealed record WooCommerceDelivery(string Store, string Topic, string DeliveryId, DateTimeOffset Now);

/// <summary>
/// Maps a WooCommerce webhook (the REST API v3 resource JSON) to journey work. Pure: no I/O, no clock of its own.
/// WooCommerce has no abandoned-checkout webhook and no marketing-consent field, so it feeds the order journeys and
/// the profile; consent comes from the shop's own signup (<c>POST /api/contacts</c> or an event's contact patch).
/// An order is placed once it is <c>processing</c>, <c>on-hold</c> or <c>completed</c>, and delivered when
/// <c>completed</c>; each of those events has an id derived from the order id, so every later order.updated repeats
/// it harmlessly.
/// </summary>
public static class WooCommerceWebhookMapper
{
    public const string Platform = "woocommerce";

    private static readonly string[] PlacedStatuses = ["processing", "on-hold", "completed"];

    public static StorefrontWork Map(WooCommerceDelivery delivery, PayloadObject body)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return delivery.Topic switch
        {
            "customer.created" or "customer.updated" => Customer(delivery, body),
            "order.created" or "order.updated" => Order(delivery, body),
            _ => new StorefrontWork.Ignore($"topic '{delivery.Topic}' is not mapped to a journey event", UnknownTopic: true),
        };
    }

    private static StorefrontWork Customer(WooCommerceDelivery d, PayloadObject customer)
    {
        var customerId = customer.RequireId("id", "it identifies the customer");
        var billing = customer.Object("billing");
        var email = StorefrontMapping.UsableEmail(customer.String("email"), customer.At("email"))
            ?? (billing is { } b ? StorefrontMapping.UsableEmail(b.String("email"), b.At("email")) : null);
        if (email is null)
        {
            return new StorefrontWork.Ignore("the customer has no email address: there is nobody to write to");
        }

        var fields = StorefrontMapping.Fields(
            ("firstName", customer.String("first_name") ?? billing?.String("first_name")),
            ("lastName", customer.String("last_name") ?? billing?.String("last_name")),
            ("country", billing?.String("country")),
            ("wooCommerceCustomerId", customerId));
        var patch = new ContactPatch { Email = email, Fields = fields, Tags = [StoreTag(d.Store)] };
        return new StorefrontWork.Events(
        [
            new EventSubmission
            {
                Id = StorefrontMapping.EventId(Platform, d.Store, $"{d.DeliveryId}:0"),
                ContactId = StorefrontMapping.ContactIdFor(email),
                Name = StorefrontEvents.ContactUpdated,
                Data = Source(d).Put("customerId", customerId).ToElement(),

                // A profile sync is not the customer's activity; its creation is.
                OccurredAt = StorefrontMapping.NotAfter(customer.Date("date_created_gmt"), d.Now),
                Contact = patch,
            },
        ]);
    }

    private static StorefrontWork Order(WooCommerceDelivery d, PayloadObject order)
    {
        var orderId = order.RequireId("id", "it keys the order's post-purchase run");
        var status = order.RequireString("status", "it says whether the order is placed or delivered");
        var lineItems = order.Objects("line_items");
        var billing = order.Object("billing");
        if (!PlacedStatuses.Contains(status, StringComparer.OrdinalIgnoreCase))
        {
            return new StorefrontWork.Ignore($"the order's status '{status}' is neither placed (processing, on-hold) nor delivered (completed)");
        }

        var email = billing is { } b ? StorefrontMapping.UsableEmail(b.String("email"), b.At("email")) : null;
        if (email is null)
        {
            return new StorefrontWork.Ignore("the order has no billing email address: there is nobody to write to");
        }

        var contactId = StorefrontMapping.ContactIdFor(email);
        var patch = new ContactPatch
        {
            Email = email,
            Fields = StorefrontMapping.Fields(("firstName", billing?.String("first_name")), ("lastName", billing?.String("last_name")), ("country", billing?.String("country"))),
            Tags = [StoreTag(d.Store)],
        };
        var items = new JsonArray();
        foreach (var line in lineItems)
        {
            items.Add(new JsonObject()
                .Put("name", line.String("name"))
                .Put("quantity", line.Integer("quantity") ?? 1)
                .Put("price", line.Money("price"))
                .Put("sku", line.String("sku"))
                .Put("productId", line.Id("product_id"))
                .Put("imageUrl", line.Object("image")?.String("src")));
        }

        var placed = new EventSubmission
        {
            Id = StorefrontMapping.EventId(Platform, d.Store, $"{StorefrontEvents.OrderPlaced}:{orderId}"),
            ContactId = contactId,
            Name = StorefrontEvents.OrderPlaced,
            Data = Source(d)
                .Put("orderId", orderId)
                .Put("orderNumber", order.Id("number"))
                .Put("currency", order.String("currency"))
                .Put("total", order.Money("total"))
                .Put("items", items)
                .ToElement(),
            OccurredAt = StorefrontMapping.NotAfter(order.Date("date_created_gmt"), d.Now),
            Contact = patch,
        };
        if (!string.Equals(status, "completed", StringComparison.OrdinalIgnoreCase))
        {
            return new StorefrontWork.Events([placed]);
        }

        var deliveredAt = StorefrontMapping.NotAfter(order.Date("date_completed_gmt") ?? order.Date("date_modified_gmt"), d.Now) ?? d.Now;
        var delivered = new EventSubmission
        {
            Id = StorefrontMapping.EventId(Platform, d.Store, $"{StorefrontEvents.OrderDelivered}:{orderId}"),
            ContactId = contactId,
            Name = StorefrontEvents.OrderDelivered,
            Data = Source(d)
                .Put("orderId", orderId)
                .Put("deliveredAt", deliveredAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))
                .ToElement(),
            OccurredAt = deliveredAt,
        };
        return new StorefrontWork.Events([placed, delivered]);
    }

    /// <summary>The tag that records that a contact came from this store.</summary>
    public static string StoreTag(string store) => $"{Platform}:{store}";

    private static JsonObject Source(WooCommerceDelivery d) => new JsonObject().Put("source", Platform).Put("store", d.Store);
}
