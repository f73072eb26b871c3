using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Host;
using JourneyFunctions.Host.Simulation;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using HostApi = JourneyFunctions.Host.Api;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// <c>/api/journeys</c>: list, publish (validation problems as problem+json with JSON paths), get a version, pause,
/// resume, stats, the map and the simulator, through the built-in host's handlers.
/// </summary>
public sealed class JourneysApi(
    IJourneyStore store,
    JourneyPublisher publisher,
    JourneyStatsService stats,
    ApiSimulator simulator,
    IOptions<JourneyHostOptions> options)
{
    [Function("ListJourneys")]
    public async Task<IResult> ListJourneys(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "journeys")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await HostApi.JourneysApi.ListAsync(store, cancellationToken);

    [Function("PublishJourney")]
    public async Task<IResult> PublishJourney(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "journeys/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await HostApi.JourneysApi.PublishAsync(id, request, publisher, options, cancellationToken);

    [Function("GetJourney")]
    public async Task<IResult> GetJourney(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "journeys/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await HostApi.JourneysApi.GetAsync(id, VersionOf(request), store, cancellationToken);
    }

    [Function("PauseJourney")]
    public async Task<IResult> PauseJourney(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "journeys/{id}/pause")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await HostApi.JourneysApi.SetPausedAsync(id, true, publisher, cancellationToken);

    [Function("ResumeJourney")]
    public async Task<IResult> ResumeJourney(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "journeys/{id}/resume")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await HostApi.JourneysApi.SetPausedAsync(id, false, publisher, cancellationToken);

    [Function("JourneyStats")]
    public async Task<IResult> JourneyStats(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "journeys/{id}/stats")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await HostApi.JourneysApi.StatsAsync(id, stats, cancellationToken);

    [Function("GetJourneyMap")]
    public async Task<IResult> GetJourneyMap(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "journeys/{id}/map")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await HostApi.JourneysApi.MapAsync(id, VersionOf(request), request, store, stats, cancellationToken);
    }

    [Function("SimulateJourney")]
    public async Task<IResult> SimulateJourney(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "journeys/{id}/simulate")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await HostApi.JourneysApi.SimulateAsync(id, VersionOf(request), request, simulator, options, cancellationToken);
    }

    /// <summary>The <c>?version=</c> query value, or null when absent (the handlers parse and check it).</summary>
    private static string? VersionOf(HttpRequest request)
    {
        var version = request.Query["version"].ToString();
        return version.Length == 0 ? null : version;
    }
}
