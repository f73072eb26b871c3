namespace JourneyFunctions.Core.Runner;

/// <summary>
/// What one call of <see cref="JourneyRunner"/> did: how many inputs it handled (messages received, timers fired) and
/// which failed. A failure is not thrown: the runner keeps the input for a retry (the message on the queue, the timer
/// due with a pause), as the host needs; a caller on a virtual clock (the simulator, the load command) decides what a
/// failure means for it.
/// </summary>
public sealed record RunnerPass(int Handled, IReadOnlyList<RunnerFailure> Failures)
{
    public static RunnerPass None { get; } = new(0, []);

    public bool Failed => Failures.Count > 0;

    /// <summary>Both passes together.</summary>
    public RunnerPass Plus(RunnerPass other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Handled == 0 && !other.Failed ? this
            : Handled == 0 && !Failed ? other
            : new RunnerPass(Handled + other.Handled, [.. Failures, .. other.Failures]);
    }
}
