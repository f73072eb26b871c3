namespace JourneyFunctions.Simulation;

/// <summary>
/// Bounds of <c>POST /api/journeys/{id}/simulate</c> (configuration section <c>Api:Simulation</c>). A simulation
/// runs the real machine and templates in the server's process, so without bounds one request could keep a core busy
/// for minutes (a ten-year scenario of a journey that wakes every hour) or a burst of requests could starve the
/// runner. Every bound is checked before the work starts where it can be (a 400 naming the field), and the clock
/// stops and the wall-clock timeout stop a run that is still too expensive.
/// </summary>
public sealed class SimulationApiOptions
{
    /// <summary>Simulations running at once in this process; one more is refused with 429. Default 2.</summary>
    public int MaxConcurrent { get; set; } = 2;

    /// <summary>Longest accepted <c>runFor</c> of a scenario. Default 400 days (every sample scenario fits).</summary>
    public TimeSpan MaxRunFor { get; set; } = TimeSpan.FromDays(400);

    /// <summary>Most scripted events in one scenario. Default 500.</summary>
    public int MaxEvents { get; set; } = 500;

    /// <summary>Most clock stops (and settle rounds at one instant) before the simulation stops early. Default 10 000.</summary>
    public int MaxClockStops { get; set; } = 10_000;

    /// <summary>Wall-clock time one simulation may take before it is abandoned with 503. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
