using System.Net;
using System.Text.Json;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests.Storefronts;

/// <summary>
/// <c>POST /api/storefronts/shopify</c> over real HTTP: signatures, shops, the mapping of each topic to the events
/// the sample journeys use, replays, and the 400 / 422 / 200 contract for bodies and topics.
/// </summary>
public sealed class ShopifyWebhookTests(StorefrontHostFixture fixture) : IClassFixture<StorefrontHostFixture>
{
    private readonly TestHost _host = fixture.Host;
    private readonly StorefrontWebhooks _webhooks = new(fixture.Host);

    [Fact]
    public async Task Shopify_WrongSignature_Returns401AndAppliesNothing()
    {
        const string email = "wrong-signature@example.com";
        var body = ShopifyPayloads.Checkout(email, "tok-wrong-signature");

        using var forged = await _webhooks.ShopifyAsync("checkouts/update", body, signature: StorefrontWebhooks.Sign(body, "not-the-shop-secret"));
        using var tampered = await _webhooks.ShopifyAsync("checkouts/update", body.Replace("199.00", "1.00", StringComparison.Ordinal), signature: StorefrontWebhooks.Sign(body, StorefrontWebhooks.ShopSecret));
        using var garbage = await _webhooks.ShopifyAsync("checkouts/update", body, signature: "not base64 at all!");

        await Problems.AssertFieldAsync(forged, HttpStatusCode.Unauthorized, "X-Shopify-Hmac-Sha256");
        await Problems.AssertFieldAsync(tampered, HttpStatusCode.Unauthorized, "X-Shopify-Hmac-Sha256");
        await Problems.AssertFieldAsync(garbage, HttpStatusCode.Unauthorized, "X-Shopify-Hmac-Sha256");
        await Task.Delay(200);
        Assert.Null(await Contacts.GetAsync(_host, email));
    }

    [Fact]
    public async Task Shopify_OneShopsSecretForAnotherShop_Returns401()
    {
        var body = ShopifyPayloads.Checkout("cross-shop@example.com", "tok-cross-shop");

        using var response = await _webhooks.ShopifyAsync("checkouts/update", body, shop: StorefrontWebhooks.OtherShop, secret: StorefrontWebhooks.ShopSecret);

        await Problems.AssertFieldAsync(response, HttpStatusCode.Unauthorized, "X-Shopify-Hmac-Sha256");
    }

    [Fact]
    public async Task Shopify_UnknownShop_Returns401NamingTheShopHeader()
    {
        var body = ShopifyPayloads.Checkout("unknown-shop@example.com", "tok-unknown-shop");

        using var response = await _webhooks.ShopifyAsync("checkouts/update", body, shop: "elsewhere.myshopify.com", secret: StorefrontWebhooks.ShopSecret);

        var message = await Problems.AssertFieldAsync(response, HttpStatusCode.Unauthorized, "X-Shopify-Shop-Domain");
        Assert.DoesNotContain(StorefrontWebhooks.ShopSecret, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shopify_TheApiKeyInsteadOfASignature_Returns401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/storefronts/shopify") { Content = new StringContent(ShopifyPayloads.Checkout("key@example.com", "tok-key")) };
        request.Headers.Add("X-Shopify-Topic", "checkouts/update");
        request.Headers.Add("X-Shopify-Shop-Domain", StorefrontWebhooks.Shop);

        using var response = await _host.Client.SendAsync(request);

        await Problems.AssertFieldAsync(response, HttpStatusCode.Unauthorized, "X-Shopify-Hmac-Sha256");
    }

    [Theory]
    [InlineData("{ \"token\": ", "$")]
    [InlineData("[1, 2]", "$")]
    [InlineData("""{ "token": "t-1", "email": "a@example.com", "line_items": "two beanies" }""", "$.line_items")]
    [InlineData("""{ "token": "t-1", "email": "a@example.com", "line_items": [ { "title": "Beanie", "price": "sixty" } ] }""", "$.line_items[0].price")]
    [InlineData("""{ "token": 42, "email": "a@example.com" }""", "$.token")]
    [InlineData("""{ "token": "t-1", "email": "not-an-address" }""", "$.email")]
    public async Task Shopify_MalformedCheckout_Returns400NamingTheField(string body, string field)
    {
        using var response = await _webhooks.ShopifyAsync("checkouts/update", body);

        await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("checkouts/update", """{ "email": "missing-token@example.com", "line_items": [], "total_price": "10.00" }""", "$.token")]
    [InlineData("orders/create", """{ "email": "missing-id@example.com", "checkout_token": "t-9", "total_price": "10.00" }""", "$.id")]
    [InlineData("fulfillments/update", """{ "id": 1, "shipment_status": "delivered", "email": "missing-order@example.com" }""", "$.order_id")]
    [InlineData("customers/redact", """{ "shop_id": 1, "shop_domain": "northwind.myshopify.com" }""", "$.customer")]
    [InlineData("customers/data_request", """{ "shop_id": 1, "shop_domain": "northwind.myshopify.com", "data_request": { "id": 1 } }""", "$.customer")]
    public async Task Shopify_KnownTopicLackingAField_Returns422NamingItAndAppliesNothing(string topic, string body, string field)
    {
        using var response = await _webhooks.ShopifyAsync(topic, body);

        await Problems.AssertFieldAsync(response, HttpStatusCode.UnprocessableEntity, field);
        await Task.Delay(200);
        Assert.Null(await Contacts.GetAsync(_host, "missing-token@example.com"));
        Assert.Null(await Contacts.GetAsync(_host, "missing-id@example.com"));
        Assert.Null(await Contacts.GetAsync(_host, "missing-order@example.com"));
    }

    [Fact]
    public async Task Shopify_UnknownTopic_Returns200AndIsIgnored()
    {
        using var response = await _webhooks.ShopifyAsync("products/update", """{ "id": 632910392, "title": "Merino beanie" }""");

        var result = await StorefrontWebhooks.OkAsync(response);
        Assert.Equal("ignored", result.GetProperty("outcome").GetString());
        Assert.Contains("products/update", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shopify_CheckoutWithoutAnEmailYet_Returns200AndIsIgnored()
    {
        var body = ShopifyPayloads.Checkout("x@example.com", "tok-no-email")
            .Replace("\"email\": \"x@example.com\"", "\"email\": null", StringComparison.Ordinal);

        using var response = await _webhooks.ShopifyAsync("checkouts/create", body);

        Assert.Equal("ignored", (await StorefrontWebhooks.OkAsync(response)).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Shopify_Checkout_IsCartUpdatedKeyedByTheTokenWithItemsTotalsAndTheRecoveryLink()
    {
        const string email = "Cart.Mapping@Example.com";
        using var response = await _webhooks.ShopifyAsync("checkouts/update", ShopifyPayloads.Checkout(email, "tok-mapping"));
        var result = await StorefrontWebhooks.OkAsync(response);
        Assert.Equal("queued", result.GetProperty("outcome").GetString());

        const string contactId = "cart.mapping@example.com";
        await Contacts.WaitForEventAsync(_host, contactId, "cart.updated");
        var cart = (await Contacts.EventsAsync(_host, contactId)).Single(e => e.Name == "cart.updated").Data;
        Assert.Equal("tok-mapping", cart.GetProperty("cartId").GetString());
        Assert.Equal("https://northwind.myshopify.com/548380009/checkouts/tok-mapping/recover?key=6dacd6065bb80268bda857ee", cart.GetProperty("cartUrl").GetString());
        Assert.Equal("EUR", cart.GetProperty("currency").GetString());
        Assert.Equal(199.00m, cart.GetProperty("total").GetDecimal());
        var items = cart.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("Merino beanie - Charcoal", items[0].GetProperty("name").GetString());
        Assert.Equal(2, items[0].GetProperty("quantity").GetInt32());
        Assert.Equal(60.00m, items[0].GetProperty("price").GetDecimal());
        Assert.Equal("Trail runner socks", items[1].GetProperty("name").GetString());

        var contact = (await Contacts.GetAsync(_host, contactId))!.Value;
        Assert.Equal(email, contact.GetProperty("email").GetString());
        Assert.Equal("Ana", contact.GetProperty("fields").GetProperty("firstName").GetString());
        Assert.Contains("shopify:northwind.myshopify.com", contact.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        await Contacts.WaitForActiveRunAsync(_host, contactId, "abandoned-cart");
    }

    [Fact]
    public async Task Shopify_ReplayedWebhookId_IsAppliedOnce()
    {
        const string email = "replay@example.com";
        var first = ShopifyPayloads.Checkout(email, "tok-replay", total: "199.00");

        using var original = await _webhooks.ShopifyAsync("checkouts/update", first, webhookId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
        using var replay = await _webhooks.ShopifyAsync("checkouts/update", first, webhookId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
        using var later = await _webhooks.ShopifyAsync("checkouts/update", ShopifyPayloads.Checkout(email, "tok-replay", total: "259.00"), webhookId: "0f4b4d2c-1d0e-4c9e-9f62-7c1e0f6b8c11");

        var ids = (await StorefrontWebhooks.OkAsync(original)).GetProperty("eventIds");
        Assert.Equal(ids.ToString(), (await StorefrontWebhooks.OkAsync(replay)).GetProperty("eventIds").ToString());
        await StorefrontWebhooks.OkAsync(later);

        // A contact's events are routed in order: once the later one is in, the replay has been routed (and dropped).
        await Contacts.WaitForEventAsync(_host, email, "cart.updated", d => d.GetProperty("total").GetDecimal() == 259.00m);
        var carts = (await Contacts.EventsAsync(_host, email)).Where(e => e.Name == "cart.updated").ToList();
        Assert.Equal(2, carts.Count);
        Assert.Single(carts, c => c.Data.GetProperty("total").GetDecimal() == 199.00m);
    }

    [Fact]
    public async Task Shopify_OrdersCreateThenOrdersPaid_IsOneOrderPlaced()
    {
        const string email = "paid-twice@example.com";
        var order = ShopifyPayloads.Order(email, "tok-paid-twice", id: 5550001);

        using var created = await _webhooks.ShopifyAsync("orders/create", order);
        using var paid = await _webhooks.ShopifyAsync("orders/paid", order);
        using var delivered = await _webhooks.ShopifyAsync("fulfillments/update", ShopifyPayloads.Fulfillment(email, orderId: 5550001));

        Assert.Equal(
            (await StorefrontWebhooks.OkAsync(created)).GetProperty("eventIds").ToString(),
            (await StorefrontWebhooks.OkAsync(paid)).GetProperty("eventIds").ToString());
        await StorefrontWebhooks.OkAsync(delivered);
        await Contacts.WaitForEventAsync(_host, email, "order.delivered");
        var events = await Contacts.EventsAsync(_host, email);
        var placed = Assert.Single(events, e => e.Name == "order.placed");
        Assert.Equal("5550001", placed.Data.GetProperty("orderId").GetString());
        Assert.Equal("tok-paid-twice", placed.Data.GetProperty("cartId").GetString());
        Assert.Equal("#1001", placed.Data.GetProperty("orderNumber").GetString());
        var deliveredEvent = Assert.Single(events, e => e.Name == "order.delivered");
        Assert.Equal("5550001", deliveredEvent.Data.GetProperty("orderId").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 9, 58, 0, TimeSpan.Zero), deliveredEvent.Data.GetProperty("deliveredAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Shopify_FulfillmentNotDeliveredYet_IsIgnored()
    {
        using var response = await _webhooks.ShopifyAsync("fulfillments/update", ShopifyPayloads.Fulfillment("in-transit@example.com", shipmentStatus: "in_transit"));

        Assert.Equal("ignored", (await StorefrontWebhooks.OkAsync(response)).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Shopify_OldConsentAfterAnUnsubscribe_DoesNotRestoreIt_ANewerOneDoes()
    {
        const string email = "consent-order@example.com";
        using var subscribed = await _webhooks.ShopifyAsync("customers/create", ShopifyPayloads.Customer(email, "subscribed", "2026-11-23T09:00:00Z", id: 4001));
        await StorefrontWebhooks.OkAsync(subscribed);
        await Contacts.WaitForEventAsync(_host, email, "contact.subscribed");

        // The contact withdraws consent here (at the host's now, 10:00), after Shopify's 09:00 record.
        using var withdraw = await _host.PostJsonAsync("/api/contacts", $$"""{ "id": "{{email}}", "marketingConsent": false, "consentSource": "preference-center" }""");
        Assert.Equal(HttpStatusCode.OK, withdraw.StatusCode);

        // A later profile sync still says "subscribed" as of 09:00: no change, and no second subscription.
        using var stale = await _webhooks.ShopifyAsync("customers/update", ShopifyPayloads.Customer(email, "subscribed", "2026-11-23T09:00:00Z", id: 4001));
        Assert.Equal(1, await SubscriptionsAfterAsync(stale, email, total: 2));
        var afterStale = (await Contacts.GetAsync(_host, email))!.Value.GetProperty("consent");
        Assert.False(afterStale.GetProperty("marketing").GetBoolean());
        Assert.Equal("preference-center", afterStale.GetProperty("source").GetString());

        // Half an hour later the customer subscribes again in Shopify, at 10:30: that is newer, so consent is restored
        // (a consent time ahead of the host's clock would be refused as "in the future").
        _host.Time.Advance(TimeSpan.FromMinutes(31));
        using var renewed = await _webhooks.ShopifyAsync("customers/update", ShopifyPayloads.Customer(email, "subscribed", "2026-11-23T10:30:00Z", id: 4001));
        Assert.Equal(2, await SubscriptionsAfterAsync(renewed, email, total: 3));
        var consent = (await Contacts.GetAsync(_host, email))!.Value.GetProperty("consent");
        Assert.True(consent.GetProperty("marketing").GetBoolean());
        Assert.Equal("shopify:northwind.myshopify.com", consent.GetProperty("source").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 30, 0, TimeSpan.Zero), consent.GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Shopify_ShopRedact_ErasesEveryContactOfThatShopOnly()
    {
        using var a = await _webhooks.ShopifyAsync("checkouts/update", ShopifyPayloads.Checkout("south-a@example.com", "tok-south-a"), shop: StorefrontWebhooks.OtherShop);
        using var b = await _webhooks.ShopifyAsync("customers/create", ShopifyPayloads.Customer("south-b@example.com", id: 4002), shop: StorefrontWebhooks.OtherShop);
        using var north = await _webhooks.ShopifyAsync("customers/create", ShopifyPayloads.Customer("north-c@example.com", id: 4003));
        await Contacts.WaitForEventAsync(_host, "south-a@example.com", "cart.updated");
        await Contacts.WaitForEventAsync(_host, "south-b@example.com", "contact.subscribed");
        await Contacts.WaitForEventAsync(_host, "north-c@example.com", "contact.subscribed");

        using var redact = await _webhooks.ShopifyAsync("shop/redact", ShopifyPayloads.ShopRedact(StorefrontWebhooks.OtherShop), shop: StorefrontWebhooks.OtherShop);

        var result = await StorefrontWebhooks.OkAsync(redact);
        Assert.Equal("erased", result.GetProperty("outcome").GetString());
        Assert.Equal(2, result.GetProperty("erased").GetInt32());
        Assert.Null(await Contacts.GetAsync(_host, "south-a@example.com"));
        Assert.Null(await Contacts.GetAsync(_host, "south-b@example.com"));
        Assert.NotNull(await Contacts.GetAsync(_host, "north-c@example.com"));
    }

    /// <summary>Waits until the contact has <paramref name="total"/> profile events routed; returns how many were subscriptions.</summary>
    private async Task<int> SubscriptionsAfterAsync(HttpResponseMessage response, string contactId, int total)
    {
        await StorefrontWebhooks.OkAsync(response);
        static bool IsProfile(string name) => name is "contact.updated" or "contact.subscribed";
        await TestHost.WaitUntilAsync(
            async () => (await Contacts.EventsAsync(_host, contactId)).Count(e => IsProfile(e.Name)) >= total,
            $"{contactId} has {total} profile events routed",
            TimeSpan.FromSeconds(30));
        return (await Contacts.EventsAsync(_host, contactId)).Count(e => e.Name == "contact.subscribed");
    }
}
