using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Host.Telemetry;

/// <summary>
/// Wraps the <see cref="IStatsStore"/>: the journey counters the run bookkeeping writes (entered, finished, exited,
/// cancelled, failed) are also the run metrics, so they are counted where they are written, once per transition.
/// </summary>
public sealed class InstrumentedStatsStore(IStatsStore inner, JourneyTelemetry telemetry) : IStatsStore
{
    public async Task IncrementAsync(string journeyId, string? stepId, string counter, long delta = 1, CancellationToken cancellationToken = default)
    {
        await inner.IncrementAsync(journeyId, stepId, counter, delta, cancellationToken);
        if (stepId is not null)
        {
            return;
        }

        var tag = new KeyValuePair<string, object?>("journey", journeyId);
        switch (counter)
        {
            case StatCounters.Entered:
                telemetry.RunsStarted.Add(delta, tag);
                break;
            case StatCounters.Finished or StatCounters.Exited or StatCounters.Cancelled or StatCounters.Failed:
                telemetry.RunsCompleted.Add(delta, tag, new KeyValuePair<string, object?>("reason", counter));
                break;
        }
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetAsync(string journeyId, CancellationToken cancellationToken = default) =>
        inner.GetAsync(journeyId, cancellationToken);
}
