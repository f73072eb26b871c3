using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Services;
using JourneyFunctions.FunctionApp.Tests.Support;

namespace JourneyFunctions.FunctionApp.Tests.Orchestrations;

/// <summary>
/// Two runs of one keyed journey (two carts) for one contact, each its own orchestration, woken by the same routed
/// event: an order naming one cart ends and converts that cart's run only. The machine decides; this checks the app's
/// orchestrator hands it the event and keeps the other run's wait going.
/// </summary>
public abstract class KeyedRunTests(FunctionAppFixture fixture)
{
    private readonly FunctionAppHost _app = fixture.Host;

    [Fact]
    public async Task OrderForCartA_WhileBothCartsWait_EndsOnlyAWithOneGoalAndBTimesOutToItsReminder()
    {
        var id = "fa-keyed-" + fixture.Storage.ToString().ToLowerInvariant();
        await _app.PublishAsync($$"""
            { "id": "{{id}}", "name": "{{id}}", "trigger": { "event": "fa.keyed.cart", "key": "cartId" },
              "exitWhen": [ { "event": "cart.emptied" } ],
              "goal": { "event": "order.placed" },
              "steps": [
                { "id": "welcome", "type": "email", "template": "welcome" },
                { "id": "wait-order", "type": "waitForEvent", "event": "order.placed", "timeout": "PT8S", "onEvent": "end", "onTimeout": "tips" },
                { "id": "tips", "type": "email", "template": "welcome-tips" },
                { "id": "end", "type": "exit" }
              ] }
            """);
        var contact = $"keyed-{Guid.NewGuid().ToString("N")[..6]}";
        var address = contact + "@example.com";
        await _app.RouteAsync(FunctionAppHost.Event(contact, "fa.keyed.cart", new { cartId = "cart-a" }, address));
        await _app.RouteAsync(FunctionAppHost.Event(contact, "fa.keyed.cart", new { cartId = "cart-b" }, address));
        var runA = RunIds.For(id, contact, "cart-a");
        var runB = RunIds.For(id, contact, "cart-b");
        await _app.WaitForWaitingAtAsync(runA, "wait-order");
        await _app.WaitForWaitingAtAsync(runB, "wait-order");

        await _app.RouteAsync(FunctionAppHost.Event(contact, "order.placed", new { orderId = "o-1", cartId = "cart-a" }, address));
        var a = await _app.WaitForCompletionAsync(runA);
        var b = await _app.WaitForCompletionAsync(runB);

        Assert.Equal(CompletionReason.GoalReached, a.Completion);
        Assert.Equal(CompletionReason.Finished, b.Completion);
        Assert.Null(b.GoalReachedAt);
        var sent = _app.Email.SentTo(address).Select(m => m.OperationId).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([runA + "|welcome", runB + "|tips", runB + "|welcome"], sent);
        var stats = await _app.Get<JourneyStatsService>().GetAsync(id);
        Assert.Equal(1, stats!.Goals);
    }
}

public sealed class KeyedRunMemoryTests(MemoryFunctionAppFixture fixture) : KeyedRunTests(fixture), IClassFixture<MemoryFunctionAppFixture>;

public sealed class KeyedRunAzuriteTests(AzuriteFunctionAppFixture fixture) : KeyedRunTests(fixture), IClassFixture<AzuriteFunctionAppFixture>;
