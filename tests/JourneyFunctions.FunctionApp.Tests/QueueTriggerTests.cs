using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.FunctionApp.Tests.Orchestrations;
using JourneyFunctions.FunctionApp.Tests.Support;
using JourneyFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.FunctionApp.Tests;

/// <summary>
/// <see cref="QueueFunctions.RouteEvent"/> fed what the Functions queue trigger hands it: a real message received
/// from Azurite's event queue (base64 decoded, as host.json's messageEncoding says), with its id, pop receipt and
/// dequeue count as binding data. Events are queued the way the ingest endpoint queues them.
/// </summary>
public sealed class QueueTriggerTests(AzuriteFunctionAppFixture fixture) : IClassFixture<AzuriteFunctionAppFixture>
{
    private readonly FunctionAppHost _app = fixture.Host;

    private QueueClient Queue()
    {
        var options = _app.Get<IOptions<StorageOptions>>().Value;
        return new QueueClient(options.ConnectionString, options.QueueName);
    }

    /// <summary>Receives the next message from Azurite and runs the trigger on it, as the Functions host would.</summary>
    private async Task<QueueMessage> TriggerNextAsync()
    {
        var queue = Queue();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            QueueMessage? message = (await queue.ReceiveMessageAsync(TimeSpan.FromSeconds(30))).Value;
            if (message is not null)
            {
                var body = Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText));
                await _app.RouteBodyAsync(body, new Dictionary<string, object?>
                {
                    ["Id"] = message.MessageId,
                    ["PopReceipt"] = message.PopReceipt,
                    ["DequeueCount"] = message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
                return message;
            }

            Assert.True(DateTime.UtcNow < deadline, "No message arrived on the event queue.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task RouteEvent_QueuedTriggerAndWakeEvent_StartsAndWakesTheOrchestration()
    {
        await _app.PublishAsync("""
            { "id": "fa-queue", "name": "queue", "trigger": { "event": "fa.queue.start" },
              "steps": [
                { "id": "welcome", "type": "email", "template": "welcome" },
                { "id": "wait-order", "type": "waitForEvent", "event": "order.placed", "timeout": "PT5M" },
                { "id": "thanks", "type": "email", "template": "welcome-first-purchase" } ] }
            """);
        var ingest = _app.Get<EventIngestService>();
        var contact = "queue-" + Guid.NewGuid().ToString("N")[..6];
        var address = contact + "@example.com";

        await ingest.IngestAsync([new EventSubmission { ContactId = contact, Name = "fa.queue.start", Contact = new Core.Contacts.ContactPatch { Email = address, MarketingConsent = true } }], null, isBatch: false);
        await TriggerNextAsync();
        var runId = RunIds.For("fa-queue", contact, null);
        await _app.WaitForWaitingAtAsync(runId, "wait-order");
        await ingest.IngestAsync([new EventSubmission { ContactId = contact, Name = "order.placed", Data = System.Text.Json.JsonSerializer.SerializeToElement(new { orderId = "o-q" }) }], null, isBatch: false);
        await TriggerNextAsync();
        var row = await _app.WaitForCompletionAsync(runId);

        Assert.Equal(["welcome", "thanks"], _app.Email.SentTo(address).Select(m => m.OperationId.Split('|')[1]));
        Assert.Equal("o-q", row.Events["wait-order"].GetProperty("orderId").GetString());
        Assert.Equal(CompletionReason.Finished, row.Completion);
    }

    [Fact]
    public async Task RouteEvent_BodyThatIsNotAnEvent_LandsInThePoisonQueueWithItsReason()
    {
        var queue = Queue();
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("""{ "contactId": 42 }""")));

        var message = await TriggerNextAsync();

        var poisoned = Assert.Single(await _app.Get<IEventQueue>().PeekPoisonAsync(10), p => p.MessageId == message.MessageId);
        Assert.Equal("""{ "contactId": 42 }""", poisoned.Body);
        Assert.False(string.IsNullOrWhiteSpace(poisoned.Reason));
        Assert.Contains("contactId", poisoned.Reason, StringComparison.OrdinalIgnoreCase);

        // The function left the message to the runtime, which completes it with the pop receipt it received: that
        // delete succeeds (it failed with 404 while the function deleted the message itself), and the queue is empty.
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        Assert.Null((await queue.ReceiveMessageAsync()).Value);
    }
}
