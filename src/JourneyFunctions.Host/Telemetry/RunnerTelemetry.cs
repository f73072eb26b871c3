using System.Diagnostics;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Runner;
using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Host.Telemetry;

/// <summary>
/// The runner's spans and counters: a <c>route &lt;event&gt;</c> span per event (consumer) and a
/// <c>timer &lt;journey&gt;</c> span per fired timer, and the routed, poisoned and fired counters of
/// <see cref="JourneyTelemetry"/>. While an event is routed its time is on the async flow, for the event-to-email
/// histogram.
/// </summary>
public sealed class RunnerTelemetry(JourneyTelemetry telemetry) : IRunnerObserver
{
    public IDisposable? EventRouting(QueuedEvent message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var contactEvent = message.Event!;
        var span = JourneyTelemetry.Source.StartActivity("route " + contactEvent.Name, ActivityKind.Consumer);
        span?.SetTag("journeys.contact_id", contactEvent.ContactId);
        span?.SetTag("journeys.event_id", contactEvent.Id);
        span?.SetTag("messaging.message.id", message.MessageId);
        span?.SetTag("messaging.message.delivery_count", message.DequeueCount);
        return new Scope(span, JourneyTelemetry.RoutingEvent(contactEvent.OccurredAt));
    }

    public void EventRouted(QueuedEvent message, RouteResult result)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(result);
        telemetry.EventsRouted.Add(1, new KeyValuePair<string, object?>("event", message.Event!.Name));
        var span = Activity.Current;
        span?.SetTag("journeys.duplicate", result.Duplicate);
        span?.SetTag("journeys.runs_started", result.Started.Count);
    }

    public void EventFailed(QueuedEvent message, Exception exception, bool poisoned)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Activity.Current?.SetStatus(ActivityStatusCode.Error, exception.Message);
        if (poisoned)
        {
            telemetry.EventsPoisoned.Add(1);
        }
    }

    public void MessagePoisoned(QueuedEvent message, string reason) => telemetry.EventsPoisoned.Add(1);

    public IDisposable? TimerFiring(RunState run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var span = JourneyTelemetry.Source.StartActivity("timer " + run.JourneyId, ActivityKind.Internal);
        span?.SetTag("journeys.run_id", run.RunId);
        span?.SetTag("journeys.step_id", run.StepId);
        return span;
    }

    public void TimerFired(RunState run)
    {
        ArgumentNullException.ThrowIfNull(run);
        telemetry.TimersFired.Add(1, new KeyValuePair<string, object?>("journey", run.JourneyId));
    }

    public void TimerFailed(RunState run, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Activity.Current?.SetStatus(ActivityStatusCode.Error, exception.Message);
    }

    /// <summary>Ends the span, then takes the event's time off the async flow.</summary>
    private sealed class Scope(Activity? span, IDisposable eventTime) : IDisposable
    {
        public void Dispose()
        {
            span?.Dispose();
            eventTime.Dispose();
        }
    }
}
