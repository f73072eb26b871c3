using System.Text;
using System.Text.RegularExpressions;
using JourneyFunctions.Core.Ports;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Api.Storefronts.WooCommerce;

/// <summary>
/// <c>POST /api/storefronts/woocommerce</c>: every topic of the store's webhooks. <c>X-WC-Webhook-Signature</c> is
/// verified over the raw body with the configured secret before anything is read; <c>X-WC-Webhook-Topic</c> (else
/// <c>X-WC-Webhook-Resource</c> and <c>-Event</c>) picks the mapping; <c>X-WC-Webhook-Delivery-ID</c> is the
/// idempotency key of profile events. When a webhook is saved, WooCommerce first posts a ping, the form body
/// <c>webhook_id=N</c>, and only activates the webhook if it gets a 2xx: it is answered 200 and changes nothing.
/// </summary>
public static partial class WooCommerceWebhookApi
{
    public const string SignatureHeader = "X-WC-Webhook-Signature";
    public const string TopicHeader = "X-WC-Webhook-Topic";
    public const string ResourceHeader = "X-WC-Webhook-Resource";
    public const string EventHeader = "X-WC-Webhook-Event";
    public const string SourceHeader = "X-WC-Webhook-Source";
    public const string DeliveryIdHeader = "X-WC-Webhook-Delivery-ID";

    /// <summary>A ping body is <c>webhook_id=</c> and a number: anything longer is not one.</summary>
    private const int MaxPingBytes = 64;

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

        var (body, tooLarge) = await JsonBody.ReadLimitedAsync(request, api.Value.MaxEventBodyBytes, cancellationToken);
        if (tooLarge)
        {
            return ApiProblems.TooLarge("$", api.Value.MaxEventBodyBytes);
        }

        var secret = storefronts.Value.WooCommerce.Secret;
        var signature = request.Headers[SignatureHeader].ToString();
        if (body.Length <= MaxPingBytes && Ping().Match(Encoding.UTF8.GetString(body).Trim()) is { Success: true } ping
            && (signature.Length == 0 || (!string.IsNullOrEmpty(secret) && WebhookSignature.Verify(body, secret, signature))))
        {
            // The ping carries nothing to apply, so it needs no signature (WooCommerce sends it unsigned).
            return TypedResults.Ok(new StorefrontWebhookResult(WooCommerceWebhookMapper.Platform, "ping", "pong", Reason: $"webhook {ping.Groups[1].Value} can be activated"));
        }

        if (string.IsNullOrEmpty(secret))
        {
            return StorefrontsApi.Unauthorized(SignatureHeader, "cannot be checked: no WooCommerce secret is configured (Storefronts:WooCommerce:Secret)");
        }

        if (signature.Length == 0)
        {
            return StorefrontsApi.Unauthorized(SignatureHeader, "is required: WooCommerce signs every webhook that has a secret");
        }

        if (!WebhookSignature.Verify(body, secret, signature))
        {
            return StorefrontsApi.Unauthorized(SignatureHeader, "does not match the body signed with the webhook's secret");
        }

        var topic = request.Headers[TopicHeader].ToString().Trim();
        if (topic.Length == 0 && request.Headers[ResourceHeader].ToString().Trim() is { Length: > 0 } resource
            && request.Headers[EventHeader].ToString().Trim() is { Length: > 0 } verb)
        {
            topic = $"{resource}.{verb}";
        }

        if (!StorefrontsApi.IsUsableTopic(topic))
        {
            return ApiProblems.BadRequest(TopicHeader, "is required: it says what the webhook is about (e.g. order.created)");
        }

        var deliveryId = StorefrontsApi.DeliveryId(request.Headers[DeliveryIdHeader].ToString(), body);

        try
        {
            var payload = PayloadObject.Parse(body);
            var work = WooCommerceWebhookMapper.Map(new WooCommerceDelivery(Store(request), topic, deliveryId, time.GetUtcNow()), payload);
            return TypedResults.Ok(await processor.ApplyAsync(WooCommerceWebhookMapper.Platform, topic, work, dispatcher, cancellationToken));
        }
        catch (StorefrontPayloadException ex)
        {
            return StorefrontsApi.Problem(ex, topic);
        }
    }

    /// <summary>The store's host name from <c>X-WC-Webhook-Source</c> (its site URL), which scopes the event ids.</summary>
    private static string Store(HttpRequest request)
    {
        var source = request.Headers[SourceHeader].ToString().Trim();
        return Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Host.Length > 0
            ? uri.Host.ToLowerInvariant()
            : "store";
    }

    [GeneratedRegex(@"^webhook_id=(\d{1,20})$")]
    private static partial Regex Ping();
}
