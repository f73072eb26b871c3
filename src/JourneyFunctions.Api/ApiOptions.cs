using JourneyFunctions.Simulation;

namespace JourneyFunctions.Api;

/// <summary>
/// Limits of the HTTP API, the same in both hosts (configuration section <c>Api</c>; in the Functions app the app
/// settings <c>Api__MaxEventBodyBytes</c> and so on).
/// </summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest accepted body of <c>POST /api/events</c> (and contacts, Event Grid).</summary>
    public int MaxEventBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Largest accepted journey definition (<c>PUT /api/journeys/{id}</c>).</summary>
    public int MaxJourneyBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Bounds of <c>POST /api/journeys/{id}/simulate</c> (section <c>Api:Simulation</c>).</summary>
    public SimulationApiOptions Simulation { get; set; } = new();
}
