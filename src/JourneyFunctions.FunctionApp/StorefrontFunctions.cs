using JourneyFunctions.Api;
using JourneyFunctions.Api.Storefronts;
using JourneyFunctions.Api.Storefronts.Shopify;
using JourneyFunctions.Api.Storefronts.WooCommerce;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// <c>POST /api/storefronts/shopify</c> and <c>POST /api/storefronts/woocommerce</c>: anonymous to the Functions host
/// on purpose, because Shopify and WooCommerce cannot send a function key; the built-in host's handlers verify each
/// platform's HMAC signature with the shop's secret before reading the body. A privacy webhook that erases contacts
/// ends their runs through their orchestrations. Also <c>GET /api/contacts/{id}/export</c>, behind a function key.
/// </summary>
public sealed class StorefrontFunctions(
    StorefrontWebhookProcessor processor,
    ContactService contacts,
    RunStartPreparer preparer,
    IOptions<StorefrontOptions> storefronts,
    IOptions<ApiOptions> api,
    TimeProvider time,
    ILogger<StorefrontFunctions> logger)
{
    [Function(ApiRoutes.Names.ShopifyWebhook)]
    public async Task<IResult> ShopifyWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, ApiRoutes.Methods.Post, Route = ApiRoutes.Templates.ShopifyWebhooks)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        await ShopifyWebhookApi.ReceiveAsync(request, processor, new DurableRunDispatcher(client, preparer, logger), storefronts, api, time, cancellationToken);

    [Function(ApiRoutes.Names.WooCommerceWebhook)]
    public async Task<IResult> WooCommerceWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, ApiRoutes.Methods.Post, Route = ApiRoutes.Templates.WooCommerceWebhooks)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        await WooCommerceWebhookApi.ReceiveAsync(request, processor, new DurableRunDispatcher(client, preparer, logger), storefronts, api, time, cancellationToken);

    [Function(ApiRoutes.Names.ExportContact)]
    public async Task<IResult> ExportContact(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Get, Route = ApiRoutes.Templates.ContactExport)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await ContactExportApi.ExportAsync(RouteIds.Decode(request, ApiRoutes.ExportContact, id), contacts, cancellationToken);
}
