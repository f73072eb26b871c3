using System.Text;
using JourneyFunctions.Api.Storefronts;
using JourneyFunctions.Api.Storefronts.Shopify;

namespace JourneyFunctions.Api.Tests.Storefronts;

/// <summary>The pure Shopify mapping, topic by topic, for the cases the HTTP tests do not walk through.</summary>
public sealed class ShopifyWebhookMapperTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static StorefrontWork Map(string topic, string body) =>
        ShopifyWebhookMapper.Map(new ShopifyDelivery(StorefrontWebhooks.Shop, topic, "wh-1", Now), PayloadObject.Parse(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void Map_OrdersFulfilledWithADeliveredFulfillment_IsOrderDeliveredAtItsTime()
    {
        var order = ShopifyPayloads.Order("f@example.com", "tok-f", id: 77).Replace(
            "\"fulfillments\": []",
            $"\"fulfillments\": [ {ShopifyPayloads.Fulfillment("f@example.com", orderId: 77)} ]",
            StringComparison.Ordinal);

        var events = Assert.IsType<StorefrontWork.Events>(Map("orders/fulfilled", order));

        var delivered = Assert.Single(events.Items);
        Assert.Equal(StorefrontEvents.OrderDelivered, delivered.Name);
        Assert.Equal("f@example.com", delivered.ContactId);
        Assert.Equal("shopify:northwind.myshopify.com:order.delivered:77", delivered.Id);
        Assert.Equal("2026-11-23T09:58:00.0000000Z", delivered.Data!.Value.GetProperty("deliveredAt").GetString());
    }

    [Fact]
    public void Map_OrdersFulfilledNotYetDelivered_IsIgnored()
    {
        var work = Map("orders/fulfilled", ShopifyPayloads.Order("f@example.com", "tok-f"));

        Assert.IsType<StorefrontWork.Ignore>(work);
    }

    [Theory]
    [InlineData("subscribed", true)]
    [InlineData("unsubscribed", false)]
    [InlineData("redacted", false)]
    [InlineData("not_subscribed", null)]
    [InlineData("pending", null)]
    public void Map_CustomerConsentState_IsTheConsentPatch(string state, bool? consent)
    {
        var events = Assert.IsType<StorefrontWork.Events>(Map("customers/update", ShopifyPayloads.Customer("c@example.com", state, "2026-11-23T09:30:00Z")));

        var patch = Assert.Single(events.Items).Contact!;
        Assert.Equal(consent, patch.MarketingConsent);
        Assert.Equal(consent is null ? null : new DateTimeOffset(2026, 11, 23, 9, 30, 0, TimeSpan.Zero), patch.ConsentAt);
        Assert.Equal(["shopify:northwind.myshopify.com", "newsletter", "spring-launch"], patch.Tags);
        Assert.Equal("ES", patch.Fields!["country"].GetString());
    }

    [Fact]
    public void Map_EmailMarketingConsentUpdate_IsAConsentPatchForTheAddress()
    {
        const string body = """
            { "customer_id": 706405506930370084, "email_address": "Consent@Example.com",
              "email_marketing_consent": { "state": "subscribed", "opt_in_level": "confirmed_opt_in",
                                           "consent_updated_at": "2026-11-23T09:45:00Z", "consent_collected_from": "SHOPIFY" } }
            """;

        var events = Assert.IsType<StorefrontWork.Events>(Map("customers/email_marketing_consent_update", body));

        var update = Assert.Single(events.Items);
        Assert.Equal("consent@example.com", update.ContactId);
        Assert.Equal(StorefrontEvents.ContactUpdated, update.Name);
        Assert.True(update.Contact!.MarketingConsent);
    }

    [Fact]
    public void Map_CompletedCheckout_IsIgnored()
    {
        var body = ShopifyPayloads.Checkout("done@example.com", "tok-done").Replace("\"completed_at\": null", "\"completed_at\": \"2026-11-23T09:59:00Z\"", StringComparison.Ordinal);

        Assert.IsType<StorefrontWork.Ignore>(Map("checkouts/update", body));
    }

    [Fact]
    public void Map_ShopRedact_ErasesTheShopsTagFromTheSignedHeaderNotTheBody()
    {
        var work = Assert.IsType<StorefrontWork.EraseTagged>(Map("shop/redact", ShopifyPayloads.ShopRedact("someone-else.myshopify.com")));

        Assert.Equal("shopify:northwind.myshopify.com", work.Tag);
    }
}
