namespace JourneyFunctions.Simulation;

/// <summary>
/// The simulator's virtual clock: a <see cref="TimeProvider"/> whose "now" only moves when the simulator moves it, so
/// a 90-day journey plays in milliseconds and every run of a scenario sees exactly the same instants. It never moves
/// backwards. Services that only read the time (the machine's callers, the stores, the rate limiter) need nothing
/// else from it.
/// </summary>
public sealed class SimulationClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start.ToUniversalTime();

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock to <paramref name="instant"/>; an instant in the past leaves it where it is.</summary>
    public void MoveTo(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        if (utc > _now)
        {
            _now = utc;
        }
    }
}
