using System.Text.Json;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.FunctionApp.Tests.Support;
using Microsoft.DurableTask.Client;

namespace JourneyFunctions.FunctionApp.Tests.Orchestrations;

/// <summary>
/// The app's own <see cref="JourneyOrchestrator"/> and <see cref="JourneyActivities"/> over the real Core services, on
/// the Durable Task engine, started and woken the way the app does it: events routed by its queue trigger
/// (<see cref="QueueFunctions.RouteEvent"/>), erase and unsubscribe through its HTTP functions. Each test publishes its
/// own journey (trigger event names are unique per test) for its own contact, asserts the emails that went out and
/// the run row the orchestration recorded. Timers are real: waits are one or two seconds.
/// </summary>
public abstract class JourneyRunTests(FunctionAppFixture fixture)
{
    private readonly FunctionAppHost _app = fixture.Host;

    private static string Journey(string id, string trigger, string steps, string extra = "") => $$"""
        { "id": "{{id}}", "name": "{{id}}", "trigger": { "event": "{{trigger}}" }, {{extra}}
          "steps": [ {{steps}} ] }
        """;

    private static string Contact(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..6]}";

    private static string Address(string contact) => $"{contact}@example.com";

    private async Task<string> StartAsync(string journey, string trigger, string contact)
    {
        await _app.RouteAsync(FunctionAppHost.Event(contact, trigger, new { }, Address(contact)));
        return RunIds.For(journey, contact, null);
    }

    [Fact]
    public async Task Run_EmailTimerEmail_SendsBothInOrderAndCompletes()
    {
        var id = "fa-series-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(Journey(id, "fa.series.start", """
            { "id": "welcome", "type": "email", "template": "welcome" },
            { "id": "pause", "type": "wait", "duration": "PT4S" },
            { "id": "tips", "type": "email", "template": "welcome-tips" }
            """));
        var contact = Contact("ser");

        var runId = await StartAsync(id, "fa.series.start", contact);
        var waiting = await _app.WaitForWaitingAtAsync(runId, "pause");
        Assert.Single(_app.Email.SentTo(Address(contact)));
        var row = await _app.WaitForCompletionAsync(runId);

        var sent = _app.Email.SentTo(Address(contact));
        Assert.Equal(["welcome", "tips"], sent.Select(m => m.OperationId.Split('|')[1]));
        Assert.Equal(CompletionReason.Finished, row.Completion);
        Assert.Equal(3, row.StepsExecuted);
        var orchestration = await _app.WaitForOrchestrationAsync(runId);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, orchestration.RuntimeStatus);
        Assert.Equal(CompletionReason.Finished, orchestration.ReadOutputAs<RunState>()!.Completion);
        Assert.True(waiting.Wait!.Until >= waiting.StartedAt.AddSeconds(4));
    }

    private static string WaitForPlanJourney(string id, string trigger, string timeout) => Journey(id, trigger, $$"""
        { "id": "welcome", "type": "email", "template": "welcome" },
        { "id": "wait-plan", "type": "waitForEvent", "event": "plan.chosen", "timeout": "{{timeout}}", "onTimeout": "nudge" },
        { "id": "gold-check", "type": "branch", "if": { "field": "events.wait-plan.plan", "equals": "gold" }, "then": "gold", "else": "nudge" },
        { "id": "gold", "type": "email", "template": "welcome-first-purchase", "next": "done" },
        { "id": "nudge", "type": "email", "template": "welcome-tips" },
        { "id": "done", "type": "exit" }
        """);

    [Fact]
    public async Task WaitForEvent_WokenByARaisedEvent_ItsDataReachesTheLaterBranch()
    {
        var id = "fa-plan-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(WaitForPlanJourney(id, "fa.plan.start", "PT60S"));
        var contact = Contact("plan");
        var runId = await StartAsync(id, "fa.plan.start", contact);
        await _app.WaitForWaitingAtAsync(runId, "wait-plan");

        await _app.RouteAsync(FunctionAppHost.Event(contact, "plan.chosen", new { plan = "gold" }));
        var row = await _app.WaitForCompletionAsync(runId);

        Assert.Equal(["welcome", "gold"], _app.Email.SentTo(Address(contact)).Select(m => m.OperationId.Split('|')[1]));
        Assert.Equal("gold", row.Events["wait-plan"].GetProperty("plan").GetString());
        Assert.Equal(CompletionReason.Finished, row.Completion);
    }

    [Fact]
    public async Task WaitForEvent_NoEventBeforeTheTimeout_TakesTheTimeoutBranch()
    {
        var id = "fa-plan-timeout-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(WaitForPlanJourney(id, "fa.plantimeout.start", "PT2S"));
        var contact = Contact("tmo");
        var runId = await StartAsync(id, "fa.plantimeout.start", contact);

        var row = await _app.WaitForCompletionAsync(runId);

        Assert.Equal(["welcome", "nudge"], _app.Email.SentTo(Address(contact)).Select(m => m.OperationId.Split('|')[1]));
        Assert.False(row.Events.ContainsKey("wait-plan"));
        Assert.Equal(CompletionReason.Finished, row.Completion);
    }

    private static string LongWait(string id, string trigger, string extra) => Journey(id, trigger, """
        { "id": "welcome", "type": "email", "template": "welcome" },
        { "id": "long", "type": "wait", "duration": "PT5M" },
        { "id": "tips", "type": "email", "template": "welcome-tips" }
        """, extra);

    [Fact]
    public async Task ExitRule_EventWhileWaiting_EndsTheRunAsExited()
    {
        var id = "fa-exit-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(LongWait(id, "fa.exit.start", """ "exitWhen": [ { "event": "cart.emptied" } ], """));
        var contact = Contact("exit");
        var runId = await StartAsync(id, "fa.exit.start", contact);
        await _app.WaitForWaitingAtAsync(runId, "long");

        await _app.RouteAsync(FunctionAppHost.Event(contact, "cart.emptied", new { cartId = "c-1" }));
        var row = await _app.WaitForCompletionAsync(runId);

        Assert.Equal(CompletionReason.ExitedByRule, row.Completion);
        Assert.Single(_app.Email.SentTo(Address(contact)));
    }

    [Fact]
    public async Task Goal_EventWhileWaiting_CountsTheGoalAndEndsTheRun()
    {
        var id = "fa-goal-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(LongWait(id, "fa.goal.start", """ "goal": { "event": "order.placed", "within": "P7D", "endsRun": true }, """));
        var contact = Contact("goal");
        var runId = await StartAsync(id, "fa.goal.start", contact);
        await _app.WaitForWaitingAtAsync(runId, "long");
        var waiting = (await _app.Get<JourneyStatsService>().GetAsync(id))!;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); waiting.Steps.Single(s => s.StepId == "long").WaitingNow != 1 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(100);
            waiting = (await _app.Get<JourneyStatsService>().GetAsync(id))!;
        }

        Assert.Equal(1, waiting.Steps.Single(s => s.StepId == "long").WaitingNow);
        Assert.Equal(0, waiting.Steps.Single(s => s.StepId == "welcome").WaitingNow);
        Assert.Equal(1, waiting.Active);

        await _app.RouteAsync(FunctionAppHost.Event(contact, "order.placed", new { orderId = "o-1", total = 42 }));
        var row = await _app.WaitForCompletionAsync(runId);

        Assert.Equal(CompletionReason.GoalReached, row.Completion);
        Assert.Single(_app.Email.SentTo(Address(contact)));
        var stats = await _app.Get<JourneyStatsService>().GetAsync(id);
        Assert.True(stats!.Goals >= 1, "the goal is counted");

        // The waiting gauge follows the durable run too: it left "long" when the goal ended it there (the counters
        // are written just after the run row's commit, so they may trail the row by a moment).
        for (var deadline = DateTime.UtcNow.AddSeconds(10); stats.Active != 0 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(100);
            stats = (await _app.Get<JourneyStatsService>().GetAsync(id))!;
        }

        Assert.Equal(0, stats.Active);
        Assert.Equal(0, stats.Steps.Single(s => s.StepId == "long").WaitingNow);
        Assert.Equal(1, stats.Steps.Single(s => s.StepId == "long").ExitsByReason![StatCounters.ExitByGoal]);
    }

    [Fact]
    public async Task Unsubscribe_WhileWaiting_CancelsTheRunWithItsReason()
    {
        var id = "fa-unsub-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(LongWait(id, "fa.unsub.start", string.Empty));
        var contact = Contact("unsub");
        var runId = await StartAsync(id, "fa.unsub.start", contact);
        await _app.WaitForWaitingAtAsync(runId, "long");

        await _app.UnsubscribeAsync(contact);
        var row = await _app.WaitForCompletionAsync(runId);

        Assert.Equal(CompletionReason.Cancelled, row.Completion);
        Assert.Contains("unsubscribed", row.CompletionDetail, StringComparison.Ordinal);
        Assert.Single(_app.Email.SentTo(Address(contact)));
    }

    [Fact]
    public async Task Erase_WhileWaiting_CancelsTheRunAndLeavesNoRow()
    {
        var id = "fa-erase-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(LongWait(id, "fa.erase.start", string.Empty));
        var contact = Contact("erase");
        var runId = await StartAsync(id, "fa.erase.start", contact);
        await _app.WaitForWaitingAtAsync(runId, "long");

        await _app.EraseAsync(contact);
        var orchestration = await _app.WaitForOrchestrationAsync(runId);

        var final = orchestration.ReadOutputAs<RunState>()!;
        Assert.Equal(CompletionReason.Cancelled, final.Completion);
        Assert.Contains("erased", final.CompletionDetail, StringComparison.Ordinal);
        Assert.Null(await _app.RunAsync(runId));
        Assert.Null(await _app.Get<IContactStore>().GetAsync(contact));
        Assert.Single(_app.Email.SentTo(Address(contact)));
    }

    [Fact]
    public async Task ContinueAsNew_AfterNInputs_AnEventRaisedDuringTheTurnoverIsNotLost()
    {
        var id = "fa-can-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(Journey(id, "fa.can.start", """
            { "id": "wait-order", "type": "waitForEvent", "event": "order.placed", "timeout": "PT5M", "onTimeout": "end" },
            { "id": "thanks", "type": "email", "template": "welcome-first-purchase" },
            { "id": "end", "type": "exit" }
            """));
        var contact = Contact("can");
        var runId = await StartAsync(id, "fa.can.start", contact);
        await _app.WaitForWaitingAtAsync(runId, "wait-order");

        // Inputs the run does not react to, enough to make it continue as new: it does, at its next rest point.
        for (var i = 0; i < FunctionAppFixture.InputsPerExecution; i++)
        {
            await _app.RouteAsync(FunctionAppHost.Event(contact, "page.viewed", new { page = i }));
        }

        await ContinuedAsNewAsync(runId);

        // Again, with the awaited event right behind them: raised while the run turns over, it must not be lost
        // (the driver feeds events it already holds to the machine before continuing as new).
        for (var i = 0; i < FunctionAppFixture.InputsPerExecution; i++)
        {
            await _app.RouteAsync(FunctionAppHost.Event(contact, "page.viewed", new { page = 10 + i }));
        }

        await _app.RouteAsync(FunctionAppHost.Event(contact, "order.placed", new { orderId = "o-9" }));
        var row = await _app.WaitForCompletionAsync(runId);

        Assert.Equal(["thanks"], _app.Email.SentTo(Address(contact)).Select(m => m.OperationId.Split('|')[1]));
        Assert.Equal("o-9", row.Events["wait-order"].GetProperty("orderId").GetString());
        Assert.Equal(CompletionReason.Finished, row.Completion);
    }

    /// <summary>Waits until the orchestration's current execution started from a carried state, not from the trigger.</summary>
    private async Task ContinuedAsNewAsync(string runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var instance = await _app.Client.GetInstanceAsync(runId, getInputsAndOutputs: true);
            if (instance?.ReadInputAs<JourneyRunInput>() is { Start: null, State: not null })
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Run {runId} did not continue as new after {FunctionAppFixture.InputsPerExecution} inputs.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task EventDuringAnActivity_AfterATimerFired_WakesTheNextWait()
    {
        var id = "fa-busy-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(Journey(id, "fa.busy.start", """
            { "id": "pause", "type": "wait", "duration": "PT1S" },
            { "id": "welcome", "type": "email", "template": "welcome" },
            { "id": "wait-order", "type": "waitForEvent", "event": "order.placed", "timeout": "PT20S", "onTimeout": "timed-out" },
            { "id": "thanks", "type": "email", "template": "welcome-first-purchase", "next": "done" },
            { "id": "timed-out", "type": "email", "template": "welcome-tips" },
            { "id": "done", "type": "exit" }
            """));
        var contact = Contact("busy");
        var hold = _app.Email.Hold(Address(contact));
        var runId = await StartAsync(id, "fa.busy.start", contact);

        // The timer fired and the email activity is in flight: the order arrives while the run is busy.
        await TestWait.UntilAsync(() => _app.Email.Held(Address(contact)) == 1, "the welcome email is being sent");
        await _app.RouteAsync(FunctionAppHost.Event(contact, "order.placed", new { orderId = "o-busy" }));
        hold.SetResult();
        var row = await _app.WaitForCompletionAsync(runId);

        Assert.Equal(["welcome", "thanks"], _app.Email.SentTo(Address(contact)).Select(m => m.OperationId.Split('|')[1]));
        Assert.Equal("o-busy", row.Events["wait-order"].GetProperty("orderId").GetString());
    }

    [Fact]
    public async Task Start_RoutedTwice_StartsOneRunAndSendsOnce()
    {
        var id = "fa-dup-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(Journey(id, "fa.dup.start", """
            { "id": "welcome", "type": "email", "template": "welcome" },
            { "id": "pause", "type": "wait", "duration": "PT1S" }
            """, """ "reentry": { "mode": "never" }, """));
        var contact = Contact("dup");
        var trigger = FunctionAppHost.Event(contact, "fa.dup.start", new { }, Address(contact));

        // The queue redelivers the same message, and the storefront sends the trigger again.
        await _app.RouteAsync(trigger);
        await _app.RouteAsync(trigger);
        await _app.RouteAsync(FunctionAppHost.Event(contact, "fa.dup.start", new { }, Address(contact)));
        var runId = RunIds.For(id, contact, null);
        var row = await _app.WaitForCompletionAsync(runId);

        Assert.Single(_app.Email.SentTo(Address(contact)));
        Assert.Single(await _app.Get<IRunStore>().ListForContactAsync(contact));
        Assert.Equal(CompletionReason.Finished, row.Completion);
    }

    [Fact]
    public async Task TransientSendFailure_IsRetriedByThePolicy_AndTheEmailGoesOutOnce()
    {
        var id = "fa-retry-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(Journey(id, "fa.retry.start", """
            { "id": "welcome", "type": "email", "template": "welcome" }
            """));
        var contact = Contact("retry");
        _app.Email.FailTransiently(Address(contact), 1);

        var runId = await StartAsync(id, "fa.retry.start", contact);
        var row = await _app.WaitForCompletionAsync(runId, TimeSpan.FromSeconds(60));

        Assert.Equal(2, _app.Email.Attempts.Count(m => m.To.Address == Address(contact)));
        var sent = Assert.Single(_app.Email.SentTo(Address(contact)));
        Assert.Equal(CompletionReason.Finished, row.Completion);
        var ledger = await _app.Get<ISendLedger>().GetAsync(contact, runId, sent.OperationId);
        Assert.Equal(LedgerStatus.Done, ledger!.Status);
        Assert.Equal(TestEmailSender.MessageIdOf(sent.OperationId), ledger.MessageId);
    }

    [Fact]
    public async Task PausedJourney_HoldsTheTimerUntilResumed()
    {
        var id = "fa-pause-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync(Journey(id, "fa.pause.start", """
            { "id": "welcome", "type": "email", "template": "welcome" },
            { "id": "pause", "type": "wait", "duration": "PT5S" },
            { "id": "tips", "type": "email", "template": "welcome-tips" }
            """));
        var contact = Contact("pause");
        var publisher = _app.Get<JourneyPublisher>();
        var runId = await StartAsync(id, "fa.pause.start", contact);
        var waiting = await _app.WaitForWaitingAtAsync(runId, "pause");
        Assert.True(await publisher.SetPausedAsync(id, true));
        // The pause must land before the timer is due, or this test would prove nothing; a loaded
        // machine may take a second or two to see the run waiting, so the wait is 5 s, not 1 s.
        var due = waiting.Wait!.Until!.Value;
        Assert.True(DateTimeOffset.UtcNow < due, $"paused at {DateTimeOffset.UtcNow:O}, after the timer fell due at {due:O}");

        var afterDue = due - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3);
        await Task.Delay(afterDue);
        Assert.Single(_app.Email.SentTo(Address(contact)));
        Assert.Equal(RunStatus.Waiting, (await _app.RunAsync(runId))!.Status);

        Assert.True(await publisher.SetPausedAsync(id, false));
        var row = await _app.WaitForCompletionAsync(runId);

        Assert.Equal(["welcome", "tips"], _app.Email.SentTo(Address(contact)).Select(m => m.OperationId.Split('|')[1]));
        Assert.Equal(CompletionReason.Finished, row.Completion);
    }
}

public sealed class JourneyRunMemoryTests(MemoryFunctionAppFixture fixture) : JourneyRunTests(fixture), IClassFixture<MemoryFunctionAppFixture>;

public sealed class JourneyRunAzuriteTests(AzuriteFunctionAppFixture fixture) : JourneyRunTests(fixture), IClassFixture<AzuriteFunctionAppFixture>;

public sealed class JourneyRunAzureStorageBackendTests(AzureStorageBackendFunctionAppFixture fixture) : JourneyRunTests(fixture), IClassFixture<AzureStorageBackendFunctionAppFixture>;
