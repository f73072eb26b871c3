using System.Security.Cryptography;
using JourneyFunctions.Api.Storefronts.Shopify;
using JourneyFunctions.Api.Storefronts.WooCommerce;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Api.Storefronts;

/// <summary>
/// The storefront webhooks: <c>POST /api/storefronts/shopify</c> and <c>POST /api/storefronts/woocommerce</c>.
/// Their access is <see cref="ApiAccess.StorefrontSignature"/>: the platforms cannot send our API key, so each
/// handler verifies the platform's own signature with the shop's secret before it reads the body. See
/// docs/storefronts.md for registering them and the mapping of each topic.
/// </summary>
public static class StorefrontsApi
{
    /// <summary>The longest topic header accepted (the platforms' longest topics are under 50 characters).</summary>
    public const int MaxTopicLength = 100;

    public static IEndpointRouteBuilder MapStorefrontsApi(this IEndpointRouteBuilder app)
    {
        app.MapApiRoute(ApiRoutes.ShopifyWebhook, ShopifyWebhookApi.ReceiveAsync);
        app.MapApiRoute(ApiRoutes.WooCommerceWebhook, WooCommerceWebhookApi.ReceiveAsync);
        return app;
    }

    /// <summary>The options and the processor the storefront handlers need (part of <c>AddJourneyApi</c>).</summary>
    public static IServiceCollection AddStorefronts(this IServiceCollection services)
    {
        services.AddOptions<StorefrontOptions>().BindConfiguration(StorefrontOptions.SectionName);
        services.AddSingleton<StorefrontWebhookProcessor>();
        return services;
    }

    /// <summary>Whether a topic header is one to act on: present, short, no control characters.</summary>
    public static bool IsUsableTopic(string topic) =>
        topic.Length > 0 && topic.Length <= MaxTopicLength && !topic.Any(char.IsControl);

    /// <summary>
    /// The platform's delivery id from its header, or, when the header is missing or unusable, a SHA-256 of the body:
    /// the body itself then identifies the delivery, so a resend of the same body is the same delivery.
    /// </summary>
    public static string DeliveryId(string header, byte[] body)
    {
        var id = header.Trim();
        return id.Length == 0 || id.Length > 100 || id.Any(char.IsControl)
            ? "sha256-" + Convert.ToHexStringLower(SHA256.HashData(body))
            : id;
    }

    /// <summary>A 401 that names the header at fault and says nothing about the secret.</summary>
    public static ProblemHttpResult Unauthorized(string header, string message) =>
        ApiProblems.Field(StatusCodes.Status401Unauthorized, "The webhook is not signed by a known storefront.", header, message);

    public static ProblemHttpResult Problem(StorefrontPayloadException ex, string topic)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return ex.Status == StatusCodes.Status422UnprocessableEntity
            ? ApiProblems.Field(ex.Status, $"The {topic} webhook lacks a field the mapping needs; nothing was applied.", ex.Field, ex.Message)
            : ApiProblems.Field(ex.Status, "The webhook body is malformed; nothing was applied.", ex.Field, ex.Message);
    }
}
