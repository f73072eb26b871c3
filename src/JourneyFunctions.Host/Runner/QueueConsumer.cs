using System.Diagnostics;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Host.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Host.Runner;

/// <summary>
/// Routes queued contact events. One receiver takes a batch, sends unparseable messages to the poison queue at once,
/// groups the rest by contact and processes contacts in parallel, each contact's events in queue order, so this
/// instance never routes one contact at once. Several host instances on one storage account need no lock for that:
/// an event is routed in one unit of work over the contact's partition, committed with ETags, and the instance that
/// loses a race routes its event again from the fresh state (<see cref="EventRouter"/>). A message is
/// deleted only after it is routed; one that fails stays on the queue and comes back after the visibility timeout
/// (the contact's later events in the batch wait with it, to keep the order), and when it fails on its
/// <see cref="RunnerOptions.MaxDequeueCount"/>-th delivery it goes to the poison queue with the failure as reason. A
/// crash between routing and deleting is harmless: the router drops an event it already routed.
/// </summary>
public sealed partial class QueueConsumer(
    IEventQueue queue,
    EventRouter router,
    IRunDispatcher dispatcher,
    JourneyTelemetry telemetry,
    IOptions<RunnerOptions> options,
    ILogger<QueueConsumer> logger) : BackgroundService
{
    private const int MaxReceive = 32;
    private readonly RunnerOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            int handled;
            try
            {
                handled = await PollOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPollFailed(logger, ex);
                handled = 0;
                idle = _options.MaxIdlePollInterval;
            }

            if (handled > 0)
            {
                idle = TimeSpan.Zero;
                continue;
            }

            // Real time, not the host's TimeProvider: polling pace is plumbing, and a test's frozen clock must not stop it.
            idle = idle == TimeSpan.Zero ? TimeSpan.FromMilliseconds(5) : TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, _options.MaxIdlePollInterval.Ticks));
            try
            {
                await Task.Delay(idle, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Receives one batch and processes it; returns how many messages it received.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        var received = new List<QueuedEvent>();
        while (received.Count < _options.BatchSize)
        {
            var take = Math.Min(MaxReceive, _options.BatchSize - received.Count);
            var batch = await queue.ReceiveAsync(take, _options.VisibilityTimeout, cancellationToken);
            received.AddRange(batch);
            if (batch.Count < take)
            {
                break;
            }
        }

        if (received.Count == 0)
        {
            return 0;
        }

        var byContact = new Dictionary<string, List<QueuedEvent>>(StringComparer.Ordinal);
        foreach (var message in received)
        {
            if (message.Event is null)
            {
                var reason = $"The message is not a valid contact event: {message.ParseError ?? "it could not be parsed"}";
                LogPoisoned(logger, message.MessageId, reason);
                await queue.PoisonAsync(message, reason, cancellationToken);
                telemetry.EventsPoisoned.Add(1);
                continue;
            }

            if (!byContact.TryGetValue(message.Event.ContactId, out var list))
            {
                byContact[message.Event.ContactId] = list = [];
            }

            list.Add(message);
        }

        await Parallel.ForEachAsync(
            byContact,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxConcurrency), CancellationToken = cancellationToken },
            async (group, ct) => await ProcessContactAsync(group.Key, group.Value, ct));
        return received.Count;
    }

    private async Task ProcessContactAsync(string contactId, List<QueuedEvent> messages, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["contactId"] = contactId });
        foreach (var message in messages)
        {
            if (!await RouteAsync(message, cancellationToken))
            {
                // Keep the contact's order: its later events wait for this one's retry.
                return;
            }
        }
    }

    /// <summary>Routes one message; true when it is done with (routed and deleted, or poisoned).</summary>
    private async Task<bool> RouteAsync(QueuedEvent message, CancellationToken cancellationToken)
    {
        var contactEvent = message.Event!;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["eventId"] = contactEvent.Id, ["eventName"] = contactEvent.Name });
        using var span = JourneyTelemetry.Source.StartActivity("route " + contactEvent.Name, ActivityKind.Consumer);
        span?.SetTag("journeys.contact_id", contactEvent.ContactId);
        span?.SetTag("journeys.event_id", contactEvent.Id);
        span?.SetTag("messaging.message.id", message.MessageId);
        span?.SetTag("messaging.message.delivery_count", message.DequeueCount);
        try
        {
            RouteResult result;
            using (JourneyTelemetry.RoutingEvent(contactEvent.OccurredAt))
            {
                result = await router.RouteAsync(contactEvent, dispatcher, cancellationToken);
            }

            telemetry.EventsRouted.Add(1, new KeyValuePair<string, object?>("event", contactEvent.Name));
            span?.SetTag("journeys.duplicate", result.Duplicate);
            span?.SetTag("journeys.runs_started", result.Started.Count);
            LogRouted(logger, contactEvent.Name, result.Started.Count, result.DeliveredTo.Count, result.Duplicate);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                var reason = $"Failed on delivery {message.DequeueCount}: {ex.GetType().Name}: {ex.Message}";
                LogPoisonedAfterFailures(logger, ex, message.MessageId, message.DequeueCount);
                await queue.PoisonAsync(message, reason, cancellationToken);
                telemetry.EventsPoisoned.Add(1);
                return true;
            }

            LogRouteFailed(logger, ex, message.MessageId, message.DequeueCount, _options.MaxDequeueCount);
            return false;
        }

        try
        {
            await queue.DeleteAsync(message, cancellationToken);
        }
        catch (ConcurrencyException)
        {
            // Received again elsewhere after our visibility timeout ran out: the event is marked routed, so that
            // delivery drops it as a duplicate and deletes it.
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Polling the event queue failed; backing off")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} moved to the poison queue: {Reason}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} failed on delivery {DequeueCount} and moved to the poison queue")]
    private static partial void LogPoisonedAfterFailures(ILogger logger, Exception exception, string messageId, long dequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing message {MessageId} failed (delivery {DequeueCount} of {MaxDequeueCount}); it will be retried")]
    private static partial void LogRouteFailed(ILogger logger, Exception exception, string messageId, long dequeueCount, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Routed {EventName}: started {Started}, delivered to {Delivered}, duplicate {Duplicate}")]
    private static partial void LogRouted(ILogger logger, string eventName, int started, int delivered, bool duplicate);
}
