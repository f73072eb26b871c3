using JourneyFunctions.Api;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Simulation;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// <c>/api/journeys</c>: list, publish (validation problems as problem+json with JSON paths), get a version, pause,
/// resume, stats, the map and the simulator, through the built-in host's handlers.
/// </summary>
public sealed class JourneysFunctions(
    IJourneyStore store,
    IRunStore runs,
    JourneyPublisher publisher,
    JourneyStatsService stats,
    ApiSimulator simulator,
    IOptions<ApiOptions> options)
{
    [Function(ApiRoutes.Names.ListJourneys)]
    public async Task<IResult> ListJourneys(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Get, Route = ApiRoutes.Templates.Journeys)] HttpRequest request,
        CancellationToken cancellationToken) =>
        await JourneysApi.ListAsync(store, cancellationToken);

    [Function(ApiRoutes.Names.PublishJourney)]
    public async Task<IResult> PublishJourney(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Put, Route = ApiRoutes.Templates.Journey)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await JourneysApi.PublishAsync(RouteIds.Decode(request, ApiRoutes.PublishJourney, id), request, publisher, options, cancellationToken);

    [Function(ApiRoutes.Names.GetJourney)]
    public async Task<IResult> GetJourney(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Get, Route = ApiRoutes.Templates.Journey)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await JourneysApi.GetAsync(RouteIds.Decode(request, ApiRoutes.GetJourney, id), VersionOf(request), store, cancellationToken);
    }

    [Function(ApiRoutes.Names.PauseJourney)]
    public async Task<IResult> PauseJourney(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Post, Route = ApiRoutes.Templates.JourneyPause)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await JourneysApi.SetPausedAsync(RouteIds.Decode(request, ApiRoutes.PauseJourney, id), true, publisher, cancellationToken);

    [Function(ApiRoutes.Names.ResumeJourney)]
    public async Task<IResult> ResumeJourney(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Post, Route = ApiRoutes.Templates.JourneyResume)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await JourneysApi.SetPausedAsync(RouteIds.Decode(request, ApiRoutes.ResumeJourney, id), false, publisher, cancellationToken);

    [Function(ApiRoutes.Names.GetJourneyStats)]
    public async Task<IResult> GetJourneyStats(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Get, Route = ApiRoutes.Templates.JourneyStats)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await JourneysApi.StatsAsync(RouteIds.Decode(request, ApiRoutes.GetJourneyStats, id), stats, cancellationToken);

    [Function(ApiRoutes.Names.GetJourneyMap)]
    public async Task<IResult> GetJourneyMap(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Get, Route = ApiRoutes.Templates.JourneyMap)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await JourneysApi.MapAsync(RouteIds.Decode(request, ApiRoutes.GetJourneyMap, id), VersionOf(request), request, store, stats, cancellationToken);
    }

    [Function(ApiRoutes.Names.SimulateJourney)]
    public async Task<IResult> SimulateJourney(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Post, Route = ApiRoutes.Templates.JourneySimulate)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await JourneysApi.SimulateAsync(RouteIds.Decode(request, ApiRoutes.SimulateJourney, id), VersionOf(request), request, simulator, options, cancellationToken);
    }

    [Function(ApiRoutes.Names.ListWaitingRuns)]
    public async Task<IResult> ListWaitingRuns(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Methods.Get, Route = ApiRoutes.Templates.JourneyWaiting)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await JourneyWaitingApi.ListAsync(id, QueryOf(request, "step"), QueryOf(request, "max"), store, runs, cancellationToken);
    }

    private static string? QueryOf(HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        return value.Length == 0 ? null : value;
    }

    /// <summary>The <c>?version=</c> query value, or null when absent (the handlers parse and check it).</summary>
    private static string? VersionOf(HttpRequest request)
    {
        var version = request.Query["version"].ToString();
        return version.Length == 0 ? null : version;
    }
}
