using JourneyFunctions.Core.Ports;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// A token bucket over <see cref="TimeProvider"/>: <see cref="SendingOptions.RatePerMinute"/> tokens a minute, holding
/// at most <see cref="SendingOptions.RateBurst"/>. When empty it says when the next token arrives, so the send is
/// deferred to then rather than dropped. One bucket per process: with several instances, divide the quota.
/// </summary>
public sealed class TokenBucketRateLimiter : ISendRateLimiter
{
    private readonly TimeProvider _time;
    private readonly double _perSecond;
    private readonly double _capacity;
    private readonly Lock _gate = new();
    private double _tokens;
    private DateTimeOffset _last;

    public TokenBucketRateLimiter(IOptions<SendingOptions> options, TimeProvider time)
    {
        var o = options.Value;
        _time = time;
        _perSecond = o.RatePerMinute / 60.0;
        _capacity = o.RateBurst > 0 ? o.RateBurst : Math.Max(1, o.RatePerMinute);
        _tokens = _capacity;
        _last = time.GetUtcNow();
    }

    public RateDecision TryAcquire()
    {
        var now = _time.GetUtcNow();
        if (_perSecond <= 0)
        {
            return new RateDecision(true, now);
        }

        lock (_gate)
        {
            var elapsed = (now - _last).TotalSeconds;
            if (elapsed > 0)
            {
                _tokens = Math.Min(_capacity, _tokens + (elapsed * _perSecond));
                _last = now;
            }

            if (_tokens >= 1)
            {
                _tokens -= 1;
                return new RateDecision(true, now);
            }

            var wait = TimeSpan.FromSeconds((1 - _tokens) / _perSecond);
            return new RateDecision(false, now + wait);
        }
    }
}
