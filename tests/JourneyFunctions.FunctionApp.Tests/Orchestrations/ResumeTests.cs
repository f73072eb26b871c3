using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.FunctionApp.Tests.Support;

namespace JourneyFunctions.FunctionApp.Tests.Orchestrations;

/// <summary>
/// Resume on the Durable Task engine with a pause check far away (10 minutes): the held timer fires at the resume,
/// woken by the journey.resumed event the resume queues, which the app's queue trigger routes to the orchestration.
/// </summary>
public sealed class ResumeTests : IAsyncLifetime
{
    private FunctionAppHost _app = null!;

    public async Task InitializeAsync() => _app = await FunctionAppHost.StartAsync(AppStorage.Memory, pauseRecheck: TimeSpan.FromMinutes(10));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Resume_TimerHeldWhilePaused_FiresAtTheResumeAndTheTimelineSaysItWasHeld()
    {
        const string id = "fa-resume";
        await _app.PublishAsync($$"""
            { "id": "{{id}}", "name": "{{id}}", "trigger": { "event": "fa.resume.start" },
              "steps": [
                { "id": "welcome", "type": "email", "template": "welcome" },
                { "id": "pause", "type": "wait", "duration": "PT5S" },
                { "id": "tips", "type": "email", "template": "welcome-tips" }
              ] }
            """);
        var contact = $"resume-{Guid.NewGuid().ToString("N")[..6]}";
        var address = contact + "@example.com";
        var publisher = _app.Get<JourneyPublisher>();
        await _app.RouteAsync(FunctionAppHost.Event(contact, "fa.resume.start", new { }, address));
        var runId = RunIds.For(id, contact, null);
        var waiting = await _app.WaitForWaitingAtAsync(runId, "pause");
        Assert.True(await publisher.SetPausedAsync(id, true));
        // The timer must fall due during the pause; 5 s leaves room for a loaded machine to see the run waiting.
        var due = waiting.Wait!.Until!.Value;
        Assert.True(DateTimeOffset.UtcNow < due, $"paused at {DateTimeOffset.UtcNow:O}, after the timer fell due at {due:O}");
        await Task.Delay(due - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3));
        Assert.Single(_app.Email.SentTo(address));

        Assert.True(await publisher.SetPausedAsync(id, false));
        await RouteQueuedAsync();
        var row = await _app.WaitForCompletionAsync(runId, TimeSpan.FromSeconds(60));

        Assert.Equal(CompletionReason.Finished, row.Completion);
        Assert.Equal(["welcome", "tips"], _app.Email.SentTo(address).Select(m => m.OperationId.Split('|')[1]));
        var timeline = await _app.Get<ITimelineStore>().ListAsync(contact);
        Assert.Single(timeline, e => e.RunId == runId && e.Message.StartsWith("held while paused", StringComparison.Ordinal));
    }

    /// <summary>What the queue trigger would do: route every queued event through the app's queue function.</summary>
    private async Task RouteQueuedAsync()
    {
        var queue = _app.Get<IEventQueue>();
        var routed = 0;
        for (var messages = await queue.ReceiveAsync(32, TimeSpan.FromMinutes(1)); messages.Count > 0; messages = await queue.ReceiveAsync(32, TimeSpan.FromMinutes(1)))
        {
            foreach (var message in messages)
            {
                await _app.RouteBodyAsync(message.Body, new Dictionary<string, object?> { ["Id"] = message.MessageId, ["DequeueCount"] = "1" });
                await queue.DeleteAsync(message);
                routed++;
            }
        }

        Assert.Equal(1, routed);
    }
}
