using JourneyFunctions.Api;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.FunctionApp;

/// <summary><c>POST /api/events</c>: validates and queues contact events, exactly as the built-in host does.</summary>
public sealed class EventsFunctions(EventIngestService ingest, IOptions<ApiOptions> options)
{
    [Function(ApiRoutes.Names.PostEvents)]
    public async Task<IResult> PostEvents(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Post, Route = ApiRoutes.Templates.Events)] HttpRequest request,
        CancellationToken cancellationToken) =>
        await EventsApi.PostAsync(request, ingest, options, cancellationToken);
}
