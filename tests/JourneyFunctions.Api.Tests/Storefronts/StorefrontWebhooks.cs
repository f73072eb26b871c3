using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests.Storefronts;

/// <summary>
/// Sends webhooks to the real host the way each platform does: the raw body, signed with HMAC-SHA256 and base64
/// (computed here, independently of the product's code), with the platform's headers.
/// </summary>
public sealed class StorefrontWebhooks(TestHost host)
{
    public const string Shop = "northwind.myshopify.com";
    public const string ShopSecret = "shpss_northwind_test_secret_0123456789";
    public const string OtherShop = "southwind.myshopify.com";
    public const string OtherShopSecret = "shpss_southwind_test_secret_9876543210";
    public const string WooSecret = "woo_test_secret_abcdefghijklmnopqrstuvwxyz";
    public const string WooSource = "https://shop.northwind.example/";

    /// <summary>The host settings that configure the two Shopify shops and the WooCommerce store.</summary>
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Storefronts:Shopify:Shops:0:Domain"] = Shop,
        ["Storefronts:Shopify:Shops:0:Secret"] = ShopSecret,
        ["Storefronts:Shopify:Shops:1:Domain"] = OtherShop,
        ["Storefronts:Shopify:Shops:1:Secret"] = OtherShopSecret,
        ["Storefronts:WooCommerce:Secret"] = WooSecret,
    };

    public static string Sign(string body, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>POSTs a Shopify webhook; <paramref name="signature"/> overrides the correct one.</summary>
    public async Task<HttpResponseMessage> ShopifyAsync(string topic, string body, string? webhookId = null, string shop = Shop, string? secret = null, string? signature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/storefronts/shopify") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Shopify-Topic", topic);
        request.Headers.Add("X-Shopify-Shop-Domain", shop);
        request.Headers.Add("X-Shopify-API-Version", "2025-10");
        request.Headers.Add("X-Shopify-Webhook-Id", webhookId ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Triggered-At", "2026-11-23T09:59:00Z");
        request.Headers.Add("X-Shopify-Hmac-Sha256", signature ?? Sign(body, secret ?? (shop == OtherShop ? OtherShopSecret : ShopSecret)));
        return await host.Anonymous.SendAsync(request);
    }

    /// <summary>POSTs a WooCommerce webhook; <paramref name="signature"/> overrides the correct one.</summary>
    public async Task<HttpResponseMessage> WooCommerceAsync(string topic, string body, string? deliveryId = null, string? signature = null)
    {
        var (resource, verb) = (topic.Split('.')[0], topic.Split('.')[^1]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/storefronts/woocommerce") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-WC-Webhook-Source", WooSource);
        request.Headers.Add("X-WC-Webhook-Topic", topic);
        request.Headers.Add("X-WC-Webhook-Resource", resource);
        request.Headers.Add("X-WC-Webhook-Event", verb);
        request.Headers.Add("X-WC-Webhook-ID", "31");
        request.Headers.Add("X-WC-Webhook-Delivery-ID", deliveryId ?? Guid.NewGuid().ToString("N"));
        request.Headers.Add("X-WC-Webhook-Signature", signature ?? Sign(body, WooSecret));
        return await host.Anonymous.SendAsync(request);
    }

    /// <summary>Asserts a 200 and returns the result body.</summary>
    public static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

/// <summary>
/// Webhook bodies shaped as Shopify documents each topic's payload (the REST resource JSON, ids as numbers, money as
/// strings), with the fields a real delivery carries that the mapping does not use left in.
/// </summary>
public static class ShopifyPayloads
{
    public static string Customer(string email, string consentState = "subscribed", string consentUpdatedAt = "2026-11-23T09:55:00Z", long id = 706405506930370084) => $$"""
        {
          "id": {{id}},
          "email": "{{email}}",
          "created_at": "2026-11-23T04:50:00-05:00",
          "updated_at": "2026-11-23T04:55:00-05:00",
          "first_name": "Ana",
          "last_name": "Lopez",
          "orders_count": 0,
          "state": "enabled",
          "total_spent": "0.00",
          "last_order_id": null,
          "note": null,
          "verified_email": true,
          "multipass_identifier": null,
          "tax_exempt": false,
          "tags": "newsletter, spring-launch",
          "last_order_name": null,
          "currency": "EUR",
          "phone": null,
          "addresses": [],
          "tax_exemptions": [],
          "email_marketing_consent": {
            "state": "{{consentState}}",
            "opt_in_level": "single_opt_in",
            "consent_updated_at": "{{consentUpdatedAt}}"
          },
          "sms_marketing_consent": null,
          "admin_graphql_api_id": "gid://shopify/Customer/{{id}}",
          "default_address": {
            "id": 715243470612851245, "customer_id": {{id}}, "first_name": "Ana", "last_name": "Lopez", "company": null,
            "address1": "Calle Mayor 1", "address2": null, "city": "Madrid", "province": null, "country": "Spain",
            "zip": "28013", "phone": null, "name": "Ana Lopez", "province_code": null, "country_code": "ES",
            "country_name": "Spain", "default": true
          }
        }
        """;

    public static string Checkout(string email, string token, string total = "199.00") => $$"""
        {
          "id": 981820079255243537,
          "token": "{{token}}",
          "cart_token": "eeafa272cebfd4b22385bc4b645e762c",
          "email": "{{email}}",
          "gateway": null,
          "buyer_accepts_marketing": false,
          "created_at": "2026-11-23T09:40:00Z",
          "updated_at": "2026-11-23T09:58:00Z",
          "landing_site": null,
          "note": null,
          "note_attributes": [],
          "referring_site": null,
          "shipping_lines": [],
          "taxes_included": false,
          "total_weight": 400,
          "currency": "EUR",
          "completed_at": null,
          "closed_at": null,
          "user_id": null,
          "location_id": null,
          "source_identifier": null,
          "source_url": null,
          "device_id": null,
          "phone": null,
          "customer_locale": "en",
          "line_items": [
            {
              "applied_discounts": [], "discount_allocations": [], "key": "7a8cf4b1f0c3e1b3c2",
              "destination_location_id": 1045764532, "fulfillment_service": "manual", "gift_card": false, "grams": 200,
              "origin_location_id": 1045764533, "presentment_title": "Merino beanie", "presentment_variant_title": "Charcoal",
              "product_id": 632910392, "properties": null, "quantity": 2, "requires_shipping": true, "sku": "BEANIE-CH",
              "tax_lines": [], "taxable": true, "title": "Merino beanie", "variant_id": 808950810, "variant_title": "Charcoal",
              "variant_price": "60.00", "vendor": "Northwind", "user_id": null, "unit_price_measurement": null, "rank": null,
              "compare_at_price": null, "line_price": "120.00", "price": "60.00"
            },
            {
              "applied_discounts": [], "discount_allocations": [], "key": "1b2c3d4e5f",
              "destination_location_id": 1045764532, "fulfillment_service": "manual", "gift_card": false, "grams": 200,
              "origin_location_id": 1045764533, "presentment_title": "Trail runner socks", "presentment_variant_title": "",
              "product_id": 632910393, "properties": null, "quantity": 1, "requires_shipping": true, "sku": "SOCKS-1",
              "tax_lines": [], "taxable": true, "title": "Trail runner socks", "variant_id": 808950811, "variant_title": "",
              "variant_price": "79.00", "vendor": "Northwind", "user_id": null, "unit_price_measurement": null, "rank": null,
              "compare_at_price": null, "line_price": "79.00", "price": "79.00"
            }
          ],
          "name": "#981820079255243537",
          "source": null,
          "abandoned_checkout_url": "https://northwind.myshopify.com/548380009/checkouts/{{token}}/recover?key=6dacd6065bb80268bda857ee",
          "discount_codes": [],
          "tax_lines": [],
          "source_name": "web",
          "presentment_currency": "EUR",
          "buyer_accepts_sms": false,
          "sms_marketing_phone": null,
          "total_discounts": "0.00",
          "total_line_items_price": "{{total}}",
          "total_price": "{{total}}",
          "total_tax": "0.00",
          "subtotal_price": "{{total}}",
          "total_duties": null,
          "billing_address": null,
          "shipping_address": null,
          "customer": {
            "id": 706405506930370084, "email": "{{email}}", "accepts_marketing": false, "created_at": "2026-11-23T09:40:00Z",
            "updated_at": "2026-11-23T09:40:00Z", "first_name": "Ana", "last_name": "Lopez", "state": "disabled", "note": null,
            "verified_email": true, "multipass_identifier": null, "tax_exempt": false, "phone": null, "tags": "",
            "currency": "EUR", "accepts_marketing_updated_at": null, "admin_graphql_api_id": "gid://shopify/Customer/706405506930370084",
            "default_address": null
          }
        }
        """;

    public static string Order(string email, string checkoutToken, long id = 820982911946154508, string name = "#1001") => $$"""
        {
          "id": {{id}},
          "admin_graphql_api_id": "gid://shopify/Order/{{id}}",
          "app_id": null,
          "browser_ip": null,
          "buyer_accepts_marketing": true,
          "cancel_reason": null,
          "cancelled_at": null,
          "cart_token": "eeafa272cebfd4b22385bc4b645e762c",
          "checkout_id": 981820079255243537,
          "checkout_token": "{{checkoutToken}}",
          "closed_at": null,
          "confirmed": true,
          "contact_email": "{{email}}",
          "created_at": "2026-11-23T09:59:00Z",
          "currency": "EUR",
          "current_total_price": "199.00",
          "customer_locale": "en",
          "email": "{{email}}",
          "financial_status": "paid",
          "fulfillment_status": null,
          "name": "{{name}}",
          "note": null,
          "number": 1,
          "order_number": 1001,
          "order_status_url": "https://northwind.myshopify.com/548380009/orders/123456abcd/authenticate?key=abcdefg",
          "processed_at": "2026-11-23T09:59:00Z",
          "subtotal_price": "199.00",
          "tags": "",
          "total_price": "199.00",
          "updated_at": "2026-11-23T09:59:00Z",
          "customer": {
            "id": 706405506930370084, "email": "{{email}}", "created_at": "2026-11-23T09:40:00Z", "updated_at": "2026-11-23T09:59:00Z",
            "first_name": "Ana", "last_name": "Lopez", "state": "disabled", "note": null, "verified_email": true, "tags": "",
            "currency": "EUR", "phone": null, "admin_graphql_api_id": "gid://shopify/Customer/706405506930370084"
          },
          "discount_codes": [],
          "fulfillments": [],
          "line_items": [
            {
              "id": 866550311766439020, "admin_graphql_api_id": "gid://shopify/LineItem/866550311766439020",
              "fulfillable_quantity": 2, "fulfillment_service": "manual", "fulfillment_status": null, "gift_card": false,
              "grams": 200, "name": "Merino beanie - Charcoal", "price": "60.00", "product_exists": true,
              "product_id": 632910392, "properties": [], "quantity": 2, "requires_shipping": true, "sku": "BEANIE-CH",
              "taxable": true, "title": "Merino beanie", "total_discount": "0.00", "variant_id": 808950810,
              "variant_inventory_management": "shopify", "variant_title": "Charcoal", "vendor": null, "tax_lines": []
            }
          ],
          "refunds": [],
          "shipping_lines": []
        }
        """;

    public static string Fulfillment(string email, long orderId = 820982911946154508, string shipmentStatus = "delivered") => $$"""
        {
          "id": 1022782955,
          "order_id": {{orderId}},
          "status": "success",
          "created_at": "2026-11-23T09:20:00Z",
          "service": "manual",
          "updated_at": "2026-11-23T09:58:00Z",
          "tracking_company": "UPS",
          "shipment_status": "{{shipmentStatus}}",
          "location_id": 24826418,
          "origin_address": null,
          "email": "{{email}}",
          "destination": { "first_name": "Ana", "last_name": "Lopez", "address1": "Calle Mayor 1", "city": "Madrid", "zip": "28013", "country": "Spain", "country_code": "ES" },
          "line_items": [ { "id": 866550311766439020, "quantity": 2, "sku": "BEANIE-CH", "title": "Merino beanie" } ],
          "tracking_number": "1z827wk74630",
          "tracking_numbers": ["1z827wk74630"],
          "tracking_url": "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630",
          "tracking_urls": ["https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630"],
          "receipt": {},
          "name": "#1001.1",
          "admin_graphql_api_id": "gid://shopify/Fulfillment/1022782955"
        }
        """;

    public static string CustomerRedact(string email, string shop = StorefrontWebhooks.Shop) => $$"""
        {
          "shop_id": 954889,
          "shop_domain": "{{shop}}",
          "customer": { "id": 191167, "email": "{{email}}", "phone": "555-625-1199" },
          "orders_to_redact": [299938, 280263, 220458]
        }
        """;

    public static string DataRequest(string email, string shop = StorefrontWebhooks.Shop) => $$"""
        {
          "shop_id": 954889,
          "shop_domain": "{{shop}}",
          "orders_requested": [299938, 280263, 220458],
          "customer": { "id": 191167, "email": "{{email}}", "phone": "555-625-1199" },
          "data_request": { "id": 9999 }
        }
        """;

    public static string ShopRedact(string shop) => $$"""{ "shop_id": 954889, "shop_domain": "{{shop}}" }""";
}

/// <summary>WooCommerce REST API v3 resources, as its webhooks deliver them.</summary>
public static class WooCommercePayloads
{
    public static string Order(string email, int id = 727, string status = "processing", string? dateCompletedGmt = null) => $$"""
        {
          "id": {{id}},
          "parent_id": 0,
          "number": "{{id}}",
          "order_key": "wc_order_58d2d042d1d",
          "created_via": "checkout",
          "version": "9.4.2",
          "status": "{{status}}",
          "currency": "EUR",
          "date_created": "2026-11-23T10:50:00",
          "date_created_gmt": "2026-11-23T09:50:00",
          "date_modified": "2026-11-23T10:55:00",
          "date_modified_gmt": "2026-11-23T09:55:00",
          "discount_total": "0.00",
          "discount_tax": "0.00",
          "shipping_total": "10.00",
          "shipping_tax": "0.00",
          "cart_tax": "1.35",
          "total": "29.35",
          "total_tax": "1.35",
          "prices_include_tax": false,
          "customer_id": 26,
          "customer_ip_address": "",
          "customer_user_agent": "",
          "customer_note": "",
          "billing": {
            "first_name": "John", "last_name": "Doe", "company": "", "address_1": "969 Market", "address_2": "",
            "city": "San Francisco", "state": "CA", "postcode": "94103", "country": "US", "email": "{{email}}",
            "phone": "(555) 555-5555"
          },
          "shipping": {
            "first_name": "John", "last_name": "Doe", "company": "", "address_1": "969 Market", "address_2": "",
            "city": "San Francisco", "state": "CA", "postcode": "94103", "country": "US"
          },
          "payment_method": "bacs",
          "payment_method_title": "Direct Bank Transfer",
          "transaction_id": "",
          "date_paid": null,
          "date_paid_gmt": null,
          "date_completed": null,
          "date_completed_gmt": {{(dateCompletedGmt is null ? "null" : $"\"{dateCompletedGmt}\"")}},
          "cart_hash": "",
          "meta_data": [],
          "line_items": [
            {
              "id": 315, "name": "Woo Single #1", "product_id": 93, "variation_id": 0, "quantity": 2, "tax_class": "",
              "subtotal": "6.00", "subtotal_tax": "0.45", "total": "6.00", "total_tax": "0.45", "taxes": [],
              "meta_data": [], "sku": "WOO-1", "price": 3, "image": { "id": "94", "src": "https://shop.northwind.example/wp-content/uploads/woo-1.jpg" }
            }
          ],
          "tax_lines": [],
          "shipping_lines": [],
          "fee_lines": [],
          "coupon_lines": [],
          "refunds": []
        }
        """;

    public static string Customer(string email, int id = 26) => $$"""
        {
          "id": {{id}},
          "date_created": "2026-11-23T10:40:00",
          "date_created_gmt": "2026-11-23T09:40:00",
          "date_modified": "2026-11-23T10:40:00",
          "date_modified_gmt": "2026-11-23T09:40:00",
          "email": "{{email}}",
          "first_name": "John",
          "last_name": "Doe",
          "role": "customer",
          "username": "john.doe",
          "billing": { "first_name": "John", "last_name": "Doe", "country": "US", "email": "{{email}}", "phone": "(555) 555-5555" },
          "shipping": { "first_name": "John", "last_name": "Doe", "country": "US" },
          "is_paying_customer": false,
          "avatar_url": "https://secure.gravatar.com/avatar/8eb1b522f60d11fa897de1dc6351b7e8?s=96",
          "meta_data": []
        }
        """;
}
