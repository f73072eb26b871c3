using System.Globalization;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// Routes each queued contact event: the contact is updated, the event reaches the contact's runs (raised to their
/// orchestrations) and starts the journeys it triggers (new orchestrations). A contact's events are routed one at a
/// time under a short lease on the contact, in the order they are dequeued. (The built-in host needs no lease: its
/// deliveries are part of the router's unit of work, so a lost race is simply routed again. Here a delivery is
/// <c>RaiseEventAsync</c> to an orchestration, outside that unit of work, and a routing repeated after a lost race
/// would raise the event twice; the lease keeps two invocations from routing one contact at once.) A body that is not an event goes to the
/// poison queue at once with the parse error (a copy with the reason: the runtime deletes the original when the function
/// returns, as for any message it completes); a failure while routing throws, the queue trigger retries, and after
/// host.json's maxDequeueCount (5) the runtime moves the message to <c>journey-events-poison</c> itself.
/// </summary>
public sealed class QueueFunctions(EventRouter router, RunStartPreparer preparer, ILeaseStore leases, IEventQueue queue, IOptions<FunctionAppOptions> options, ILogger<QueueFunctions> logger)
{
    /// <summary>The event queue; Infrastructure's <c>Storage:QueueName</c> (and infra's eventsQueueName) must match.</summary>
    public const string EventsQueue = "journey-events";

    [Function(nameof(RouteEvent))]
    public async Task RouteEvent(
        [QueueTrigger(EventsQueue, Connection = "AzureWebJobsStorage")] string body,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.CancellationToken;
        var contactEvent = QueueMessages.TryParse(body, out var error);
        if (contactEvent is null)
        {
            var data = context.BindingContext.BindingData;
            var message = new QueuedEvent(
                Text(data, "Id"),
                Text(data, "PopReceipt"),
                body,
                null,
                long.TryParse(Text(data, "DequeueCount"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 1,
                error);
            logger.LogWarning("Queue message {MessageId} is not a contact event: {Reason}", message.MessageId, error);
            // The runtime completes (deletes) the message when this returns: only the poisoned copy is written here.
            // Another queue (memory, in tests of other paths) owns its messages, so it poisons them itself.
            if (queue is AzureEventQueue azure)
            {
                await azure.CopyToPoisonAsync(message, error ?? "not a contact event", cancellationToken);
            }
            else
            {
                await queue.PoisonAsync(message, error ?? "not a contact event", cancellationToken);
            }

            return;
        }

        await using var lease = await AcquireAsync(contactEvent.ContactId, context.InvocationId, cancellationToken);
        var result = await router.RouteAsync(contactEvent, new DurableRunDispatcher(client, preparer, logger), cancellationToken);
        logger.LogInformation(
            "Event {EventId} ({Name}) for {ContactId}: delivered to {Delivered} runs, started {Started}, duplicate {Duplicate}",
            contactEvent.Id, contactEvent.Name, contactEvent.ContactId, result.DeliveredTo.Count, result.Started.Count, result.Duplicate);
    }

    /// <summary>Waits briefly for the contact's lease; a contact busy for longer is retried through the queue.</summary>
    private async Task<ILease> AcquireAsync(string contactId, string owner, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        settings.CheckLease();
        for (var attempt = 0; attempt < settings.ContactLeaseAttempts; attempt++)
        {
            if (await leases.TryAcquireAsync("contact:" + contactId, owner, settings.ContactLeaseDuration, cancellationToken) is { } lease)
            {
                return lease;
            }

            await Task.Delay(settings.ContactLeaseWait, cancellationToken);
        }

        throw new InvalidOperationException($"Contact {contactId} is busy with another event; the message will be retried.");
    }

    private static string Text(IReadOnlyDictionary<string, object?> data, string key) =>
        data.TryGetValue(key, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty : string.Empty;
}
