using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>
/// The email provider's rate quota (ACS limits sends per minute and hour). A send that finds no token is deferred to
/// <see cref="RateDecision.RetryAt"/>, never dropped.
/// </summary>
public interface ISendRateLimiter
{
    RateDecision TryAcquire();
}

public readonly record struct RateDecision(bool Acquired, DateTimeOffset RetryAt);
