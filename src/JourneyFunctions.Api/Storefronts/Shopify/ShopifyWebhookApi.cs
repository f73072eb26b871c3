using JourneyFunctions.Core.Ports;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Api.Storefronts.Shopify;

/// <summary>
/// <c>POST /api/storefronts/shopify</c>: one URL for every topic of every configured shop. The shop is named by
/// <c>X-Shopify-Shop-Domain</c> and its secret verifies <c>X-Shopify-Hmac-Sha256</c> over the raw body before
/// anything is read; <c>X-Shopify-Topic</c> picks the mapping; <c>X-Shopify-Webhook-Id</c> is the idempotency key
/// (Shopify resends the same id when it retries). 401 for a bad or missing signature or an unknown shop, 400 for a
/// malformed body, 422 when a known topic lacks a field the mapping needs, 200 otherwise (an unmapped topic too).
/// </summary>
public static class ShopifyWebhookApi
{
    public const string HmacHeader = "X-Shopify-Hmac-Sha256";
    public const string ShopHeader = "X-Shopify-Shop-Domain";
    public const string TopicHeader = "X-Shopify-Topic";
    public const string WebhookIdHeader = "X-Shopify-Webhook-Id";

    public static async Task<Results<Ok<StorefrontWebhookResult>, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request,
        StorefrontWebhookProcessor processor,
        IRunDispatcher dispatcher,
        IOptions<StorefrontOptions> storefronts,
        IOptions<ApiOptions> api,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(processor);
        ArgumentNullException.ThrowIfNull(storefronts);
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(time);

        var shop = request.Headers[ShopHeader].ToString().Trim().ToLowerInvariant();
        if (shop.Length == 0)
        {
            return StorefrontsApi.Unauthorized(ShopHeader, "is required: it names the shop whose secret signs the webhook");
        }

        var secret = storefronts.Value.Shopify.Shops
            .FirstOrDefault(s => string.Equals(s.Domain?.Trim(), shop, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(s.Secret))?.Secret;
        if (secret is null)
        {
            return StorefrontsApi.Unauthorized(ShopHeader, $"'{shop}' is not a configured shop: add it under Storefronts:Shopify:Shops with its secret");
        }

        var (body, tooLarge) = await JsonBody.ReadLimitedAsync(request, api.Value.MaxEventBodyBytes, cancellationToken);
        if (tooLarge)
        {
            return ApiProblems.TooLarge("$", api.Value.MaxEventBodyBytes);
        }

        var signature = request.Headers[HmacHeader].ToString();
        if (signature.Length == 0)
        {
            return StorefrontsApi.Unauthorized(HmacHeader, "is required: Shopify signs every webhook with it");
        }

        if (!WebhookSignature.Verify(body, secret, signature))
        {
            return StorefrontsApi.Unauthorized(HmacHeader, "does not match the body signed with the shop's secret");
        }

        var topic = request.Headers[TopicHeader].ToString().Trim();
        if (!StorefrontsApi.IsUsableTopic(topic))
        {
            return ApiProblems.BadRequest(TopicHeader, "is required: it says what the webhook is about (e.g. orders/create)");
        }

        var webhookId = StorefrontsApi.DeliveryId(request.Headers[WebhookIdHeader].ToString(), body);

        try
        {
            var payload = PayloadObject.Parse(body);
            var work = ShopifyWebhookMapper.Map(new ShopifyDelivery(shop, topic, webhookId, time.GetUtcNow()), payload);
            return TypedResults.Ok(await processor.ApplyAsync(ShopifyWebhookMapper.Platform, topic, work, dispatcher, cancellationToken));
        }
        catch (StorefrontPayloadException ex)
        {
            return StorefrontsApi.Problem(ex, topic);
        }
    }
}
