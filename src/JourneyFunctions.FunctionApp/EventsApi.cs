using JourneyFunctions.Core.Services;
using JourneyFunctions.Host;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using HostApi = JourneyFunctions.Host.Api;

namespace JourneyFunctions.FunctionApp;

/// <summary><c>POST /api/events</c>: validates and queues contact events, exactly as the built-in host does.</summary>
public sealed class EventsApi(EventIngestService ingest, IOptions<JourneyHostOptions> options)
{
    [Function("PostEvents")]
    public async Task<IResult> PostEvents(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "events")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await HostApi.EventsApi.PostAsync(request, ingest, options, cancellationToken);
}
