namespace JourneyFunctions.Infrastructure.DependencyInjection;

/// <summary>
/// The engine's own timings (configuration section <c>Engine</c>), the same in both hosts and the simulator. The
/// runner's are in <c>Runner</c> (<see cref="Core.Runner.RunnerOptions"/>), the email providers' in <c>Email:*</c>;
/// docs/operations.md lists them all.
/// </summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>
    /// How long one webhook call may take before it counts as a transient failure (the run's retry policy decides
    /// what comes next). In the built-in host a call is made while its event is routed, so this stays well below
    /// <c>Runner:VisibilityTimeout</c> (30 s): a longer call would let the message come back while it is still routed.
    /// </summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long the router's list of published journeys is cached. A publish, pause or resume on this instance is seen
    /// at once; on other instances within this time.
    /// </summary>
    public TimeSpan CatalogRefresh { get; set; } = TimeSpan.FromSeconds(30);
}
