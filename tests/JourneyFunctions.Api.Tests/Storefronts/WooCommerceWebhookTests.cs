using System.Net;
using System.Text;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests.Storefronts;

/// <summary><c>POST /api/storefronts/woocommerce</c> over real HTTP: the ping, signatures and the order and customer topics.</summary>
public sealed class WooCommerceWebhookTests(StorefrontHostFixture fixture) : IClassFixture<StorefrontHostFixture>
{
    private readonly TestHost _host = fixture.Host;
    private readonly StorefrontWebhooks _webhooks = new(fixture.Host);

    [Fact]
    public async Task WooCommerce_PingWhenAWebhookIsSaved_Returns200()
    {
        // As WooCommerce sends it: a form body naming the webhook, no topic, no signature.
        using var content = new StringContent("webhook_id=31", Encoding.UTF8, "application/x-www-form-urlencoded");

        using var response = await _host.Anonymous.PostAsync("/api/storefronts/woocommerce", content);

        var result = await StorefrontWebhooks.OkAsync(response);
        Assert.Equal("pong", result.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task WooCommerce_WrongOrMissingSignature_Returns401()
    {
        var body = WooCommercePayloads.Order("woo-forged@example.com", id: 901);

        using var forged = await _webhooks.WooCommerceAsync("order.created", body, signature: StorefrontWebhooks.Sign(body, "guess"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/storefronts/woocommerce") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-WC-Webhook-Topic", "order.created");
        using var unsigned = await _host.Anonymous.SendAsync(request);

        await Problems.AssertFieldAsync(forged, HttpStatusCode.Unauthorized, "X-WC-Webhook-Signature");
        await Problems.AssertFieldAsync(unsigned, HttpStatusCode.Unauthorized, "X-WC-Webhook-Signature");
        await Task.Delay(200);
        Assert.Null(await Contacts.GetAsync(_host, "woo-forged@example.com"));
    }

    [Fact]
    public async Task WooCommerce_ProcessingOrder_IsOrderPlacedAndStartsThePostPurchaseReview()
    {
        const string email = "john.doe@example.com";
        using var created = await _webhooks.WooCommerceAsync("order.created", WooCommercePayloads.Order(email, id: 727));

        var result = await StorefrontWebhooks.OkAsync(created);
        Assert.Equal("queued", result.GetProperty("outcome").GetString());
        await Contacts.WaitForActiveRunAsync(_host, email, "post-purchase-review");
        var placed = Assert.Single(await Contacts.EventsAsync(_host, email), e => e.Name == "order.placed").Data;
        Assert.Equal("727", placed.GetProperty("orderId").GetString());
        Assert.Equal(29.35m, placed.GetProperty("total").GetDecimal());
        var item = Assert.Single(placed.GetProperty("items").EnumerateArray());
        Assert.Equal("Woo Single #1", item.GetProperty("name").GetString());
        Assert.Equal(2, item.GetProperty("quantity").GetInt32());
        Assert.Equal(3m, item.GetProperty("price").GetDecimal());
        var contact = (await Contacts.GetAsync(_host, email))!.Value;
        Assert.Equal("John", contact.GetProperty("fields").GetProperty("firstName").GetString());
        Assert.Contains("woocommerce:shop.northwind.example", contact.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task WooCommerce_OrderCompletedLater_IsDeliveredAndThePlacementIsNotRepeated()
    {
        const string email = "woo-completed@example.com";
        using var created = await _webhooks.WooCommerceAsync("order.created", WooCommercePayloads.Order(email, id: 728, status: "processing"));
        using var completed = await _webhooks.WooCommerceAsync("order.updated", WooCommercePayloads.Order(email, id: 728, status: "completed", dateCompletedGmt: "2026-11-23T09:57:00"));
        await StorefrontWebhooks.OkAsync(created);
        await StorefrontWebhooks.OkAsync(completed);

        await Contacts.WaitForEventAsync(_host, email, "order.delivered");
        var events = await Contacts.EventsAsync(_host, email);
        Assert.Single(events, e => e.Name == "order.placed");
        var delivered = Assert.Single(events, e => e.Name == "order.delivered").Data;
        Assert.Equal("728", delivered.GetProperty("orderId").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 9, 57, 0, TimeSpan.Zero), delivered.GetProperty("deliveredAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task WooCommerce_PendingOrder_IsIgnored()
    {
        using var response = await _webhooks.WooCommerceAsync("order.created", WooCommercePayloads.Order("woo-pending@example.com", id: 729, status: "pending"));

        Assert.Equal("ignored", (await StorefrontWebhooks.OkAsync(response)).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task WooCommerce_Customer_UpsertsTheProfileWithoutConsent()
    {
        const string email = "woo-customer@example.com";
        using var response = await _webhooks.WooCommerceAsync("customer.created", WooCommercePayloads.Customer(email, id: 27));

        await StorefrontWebhooks.OkAsync(response);
        await Contacts.WaitForEventAsync(_host, email, "contact.updated");
        var contact = (await Contacts.GetAsync(_host, email))!.Value;
        Assert.Equal("Doe", contact.GetProperty("fields").GetProperty("lastName").GetString());
        Assert.Equal("27", contact.GetProperty("fields").GetProperty("wooCommerceCustomerId").GetString());
        Assert.False(contact.GetProperty("consent").GetProperty("marketing").GetBoolean());
    }

    [Theory]
    [InlineData("order.created", """{ "status": "processing", "billing": { "email": "woo-422@example.com" } }""", "$.id")]
    [InlineData("order.updated", """{ "id": 730, "billing": { "email": "woo-422@example.com" } }""", "$.status")]
    public async Task WooCommerce_OrderLackingAField_Returns422(string topic, string body, string field)
    {
        using var response = await _webhooks.WooCommerceAsync(topic, body);

        await Problems.AssertFieldAsync(response, HttpStatusCode.UnprocessableEntity, field);
    }

    [Fact]
    public async Task WooCommerce_MalformedBody_Returns400()
    {
        using var response = await _webhooks.WooCommerceAsync("order.created", """{ "id": 731, "status": "processing", "line_items": { "name": "x" } }""");

        await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, "$.line_items");
    }

    [Fact]
    public async Task WooCommerce_UnknownTopic_Returns200AndIsIgnored()
    {
        using var response = await _webhooks.WooCommerceAsync("product.updated", """{ "id": 93, "name": "Woo Single #1" }""");

        Assert.Equal("ignored", (await StorefrontWebhooks.OkAsync(response)).GetProperty("outcome").GetString());
    }
}
