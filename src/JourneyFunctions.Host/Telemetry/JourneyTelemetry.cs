using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace JourneyFunctions.Host.Telemetry;

/// <summary>
/// The host's traces and metrics, both named <see cref="Name"/>: spans for routing an event, firing a timer and
/// running an activity (an email send); counters of events routed, emails sent, runs started and completed; and a
/// histogram of the time from an event to the email it caused. Exported over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public sealed class JourneyTelemetry : IDisposable
{
    public const string Name = "JourneyFunctions";

    private static readonly AsyncLocal<DateTimeOffset?> CurrentEventTime = new();

    public JourneyTelemetry(IMeterFactory meters)
    {
        Meter = meters.Create(Name);
        EventsRouted = Meter.CreateCounter<long>("journeys.events.routed", "{event}", "Contact events routed to runs.");
        EventsPoisoned = Meter.CreateCounter<long>("journeys.events.poisoned", "{event}", "Events moved to the poison queue.");
        EmailsSent = Meter.CreateCounter<long>("journeys.emails.sent", "{email}", "Emails handed to the provider.");
        RunsStarted = Meter.CreateCounter<long>("journeys.runs.started", "{run}", "Journey runs started.");
        RunsCompleted = Meter.CreateCounter<long>("journeys.runs.completed", "{run}", "Journey runs completed, by reason.");
        TimersFired = Meter.CreateCounter<long>("journeys.timers.fired", "{timer}", "Due timers fired.");
        EventToEmail = Meter.CreateHistogram<double>("journeys.event_to_email.duration", "s", "From an event's time to the email its routing sent.");
    }

    public static ActivitySource Source { get; } = new(Name);

    public Meter Meter { get; }

    public Counter<long> EventsRouted { get; }

    public Counter<long> EventsPoisoned { get; }

    public Counter<long> EmailsSent { get; }

    public Counter<long> RunsStarted { get; }

    public Counter<long> RunsCompleted { get; }

    public Counter<long> TimersFired { get; }

    public Histogram<double> EventToEmail { get; }

    /// <summary>The time of the event being routed on this async flow, for the event-to-email latency.</summary>
    public static DateTimeOffset? EventTime => CurrentEventTime.Value;

    /// <summary>Marks the async flow as routing an event that occurred at <paramref name="at"/>, until disposed.</summary>
    public static IDisposable RoutingEvent(DateTimeOffset at)
    {
        var previous = CurrentEventTime.Value;
        CurrentEventTime.Value = at;
        return new Restore(previous);
    }

    public void Dispose() => Meter.Dispose();

    private sealed class Restore(DateTimeOffset? previous) : IDisposable
    {
        public void Dispose() => CurrentEventTime.Value = previous;
    }
}
