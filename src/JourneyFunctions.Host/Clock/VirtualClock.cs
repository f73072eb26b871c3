namespace JourneyFunctions.Host.Clock;

/// <summary>Which clock the built-in host runs on (<c>Host:Clock</c>, <c>journeys serve --clock</c>).</summary>
public enum HostClock
{
    /// <summary>The machine's clock.</summary>
    System,

    /// <summary>
    /// The machine's clock plus an offset that only grows, moved forward on request (<c>POST /api/dev/clock/advance</c>,
    /// <c>journeys clock advance</c>). Development only: it lets a new user see the reminder an hour-long wait sends
    /// without waiting the hour.
    /// </summary>
    Virtual,
}

/// <summary>
/// The built-in host's virtual clock: the system's time plus an offset that <see cref="Advance"/> moves forward (never
/// back, so no timer, ledger row or stats bucket ever sees time run backwards). Registered as the host's one
/// <see cref="TimeProvider"/>, so everything that reads the time (the runner's due timers, send windows and frequency
/// caps, the journeys' <c>within</c> windows, stats, the outbox's file names and Date headers, unsubscribe tokens)
/// reads this clock. Elapsed-time measurement (<see cref="GetTimestamp"/>) and timer pacing
/// (<see cref="CreateTimer"/>) stay real: the loops still tick every second of wall time and see the moved time when
/// they do.
/// </summary>
public sealed class VirtualClock(TimeProvider? inner = null) : TimeProvider
{
    /// <summary>The furthest one call may move the clock: a year and a bit, more than any sample journey waits.</summary>
    public static readonly TimeSpan MaxAdvance = TimeSpan.FromDays(400);

    private readonly TimeProvider _inner = inner ?? System;
    private readonly Lock _gate = new();
    private TimeSpan _offset;

    /// <summary>How far ahead of the real time this clock is.</summary>
    public TimeSpan Offset
    {
        get
        {
            lock (_gate)
            {
                return _offset;
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _inner.GetUtcNow() + _offset;
        }
    }

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _inner.CreateTimer(callback, state, dueTime, period);

    /// <summary>Moves the clock forward by <paramref name="by"/> (more than zero, at most <see cref="MaxAdvance"/>); returns the new time.</summary>
    public DateTimeOffset Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(by, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(by, MaxAdvance);
        lock (_gate)
        {
            _offset += by;
            return _inner.GetUtcNow() + _offset;
        }
    }

    /// <summary>Moves the clock forward to <paramref name="instant"/> when it is ahead; returns the new time.</summary>
    public DateTimeOffset AdvanceTo(DateTimeOffset instant)
    {
        lock (_gate)
        {
            var now = _inner.GetUtcNow() + _offset;
            if (instant > now)
            {
                var by = instant - now;
                ArgumentOutOfRangeException.ThrowIfGreaterThan(by, MaxAdvance, nameof(instant));
                _offset += by;
                now = instant;
            }

            return now;
        }
    }
}
