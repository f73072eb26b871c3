using JourneyFunctions.Api;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// <c>GET|POST /api/unsubscribe</c>: anonymous on purpose. Mailbox providers post RFC 8058 one-click requests with no
/// credentials; the signed token in the link is the only authority, verified by the built-in host's handler. The POST
/// ends the contact's marketing runs through their orchestrations.
/// </summary>
public sealed class UnsubscribeFunctions(UnsubscribeTokens tokens, ContactService contacts, RunStartPreparer preparer, ILogger<UnsubscribeFunctions> logger)
{
    [Function(ApiRoutes.Names.UnsubscribePage)]
    public IResult UnsubscribePage(
        [HttpTrigger(AuthorizationLevel.Anonymous, ApiRoutes.Methods.Get, Route = ApiRoutes.Templates.Unsubscribe)] HttpRequest request) =>
        UnsubscribeApi.ConfirmPage(request, tokens);

    [Function(ApiRoutes.Names.Unsubscribe)]
    public async Task<IResult> Unsubscribe(
        [HttpTrigger(AuthorizationLevel.Anonymous, ApiRoutes.Methods.Post, Route = ApiRoutes.Templates.Unsubscribe)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        await UnsubscribeApi.UnsubscribeAsync(request, tokens, contacts, new DurableRunDispatcher(client, preparer, logger), cancellationToken);
}
