using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Core.Runner;

/// <summary>
/// What <see cref="JourneyRunner"/> reports as it works, for telemetry (the built-in host's spans and counters) and
/// for measurements (<c>journeys load</c> notes when each input started). Every member has a default that does
/// nothing, so an observer implements only what it needs. Called on the runner's threads, concurrently.
/// </summary>
public interface IRunnerObserver
{
    /// <summary>An event is about to be routed; the scope returned (e.g. a span) is disposed when the message is done with.</summary>
    IDisposable? EventRouting(QueuedEvent message) => null;

    /// <summary>The event was routed (it is deleted from the queue next).</summary>
    void EventRouted(QueuedEvent message, RouteResult result)
    {
    }

    /// <summary>Routing failed; <paramref name="poisoned"/> when the message went to the poison queue for it.</summary>
    void EventFailed(QueuedEvent message, Exception exception, bool poisoned)
    {
    }

    /// <summary>A message that is not an event went to the poison queue at once.</summary>
    void MessagePoisoned(QueuedEvent message, string reason)
    {
    }

    /// <summary>The timer of a due run is about to fire; the scope returned is disposed when it is done.</summary>
    IDisposable? TimerFiring(RunState run) => null;

    /// <summary>The timer fired.</summary>
    void TimerFired(RunState run)
    {
    }

    /// <summary>Firing failed; the run is tried again after a pause.</summary>
    void TimerFailed(RunState run, Exception exception)
    {
    }
}
