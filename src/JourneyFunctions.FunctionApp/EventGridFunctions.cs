using JourneyFunctions.Api;
using JourneyFunctions.Infrastructure.EventGrid;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// <c>OPTIONS|POST /api/eventgrid</c>: ACS delivery and engagement reports, through the same handlers as the built-in
/// host (both handshakes, the Event Grid and CloudEvents schemas). Anonymous at the Functions level on purpose: Event
/// Grid cannot present a Functions key except in the URL, and that key is the admin credential. Its own credential,
/// an Entra ID token where deployed (a dedicated secret locally), is checked by the handler's
/// <see cref="IEventGridAuthenticator"/> before anything of the request is read.
/// </summary>
public sealed class EventGridFunctions(IEventGridAuthenticator authenticator, AcsReportProcessor processor, IOptions<ApiOptions> options)
{
    [Function(ApiRoutes.Names.EventGridHandshake)]
    public async Task<IResult> EventGridHandshake(
        [HttpTrigger(AuthorizationLevel.Anonymous, ApiRoutes.Methods.Options, Route = ApiRoutes.Templates.EventGrid)] HttpRequest request) =>
        await EventGridApi.Handshake(request.HttpContext, authenticator);

    [Function(ApiRoutes.Names.EventGridReports)]
    public async Task<IResult> EventGridReports(
        [HttpTrigger(AuthorizationLevel.Anonymous, ApiRoutes.Methods.Post, Route = ApiRoutes.Templates.EventGrid)] HttpRequest request,
        CancellationToken cancellationToken) =>
        await EventGridApi.ReceiveAsync(request, authenticator, processor, options, cancellationToken);
}
