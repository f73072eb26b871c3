using System.Text.Json.Nodes;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.FunctionApp.Tests.Support;
using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.FunctionApp.Tests.Orchestrations;

/// <summary>
/// The workload of bench/JourneyFunctions.SideBySide on the Functions path it measures: the shipped
/// journeys/abandoned-cart.json (keyed by cart, exit and goal on the order, the order wait raced with a timeout, a
/// branch on a tag, a tags step) on the app's orchestrator over DTFx's Azure Storage backend. The benchmark counts a
/// run as one reminder for a shopper who orders and two for one who does not; this holds it to that, exactly. As in
/// the benchmark, the waits are shortened to seconds and the send window is dropped, so the test runs at any hour.
/// </summary>
public sealed class SampleJourneyTests(AzureStorageBackendFunctionAppFixture fixture) : IClassFixture<AzureStorageBackendFunctionAppFixture>
{
    private readonly FunctionAppHost _app = fixture.Host;

    private static string AbandonedCartWithShortWaits()
    {
        var journey = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "journeys", "abandoned-cart.json")))!.AsObject();
        journey.Remove("sendWindow");
        var steps = journey["steps"]!.AsArray().Select(s => s!.AsObject()).ToList();
        steps.Single(s => (string?)s["id"] == "grace")["duration"] = "PT1S";
        steps.Single(s => (string?)s["id"] == "wait-order")["timeout"] = "PT3S";
        return journey.ToJsonString();
    }

    private static object Cart(string contact) => new
    {
        cartId = "cart-" + contact,
        currency = "EUR",
        total = 84.5,
        cartUrl = "https://northwind.example/cart/" + contact,
        items = new[] { new { name = "Merino beanie", quantity = 1, price = 60.0 } },
    };

    [Fact]
    public async Task AbandonedCart_OneShopperOrdersOneDoesNot_OneReminderAndGoalVersusTwoRemindersTaggedAndFinished()
    {
        await _app.PublishAsync(AbandonedCartWithShortWaits());
        var buyer = "buyer-" + Guid.NewGuid().ToString("N")[..6];
        var leaver = "leaver-" + Guid.NewGuid().ToString("N")[..6];
        var buyerRun = RunIds.For("abandoned-cart", buyer, "cart-" + buyer);
        var leaverRun = RunIds.For("abandoned-cart", leaver, "cart-" + leaver);

        await _app.RouteAsync(FunctionAppHost.Event(buyer, "cart.updated", Cart(buyer), buyer + "@example.com"));
        await _app.RouteAsync(FunctionAppHost.Event(leaver, "cart.updated", Cart(leaver), leaver + "@example.com"));
        await _app.WaitForWaitingAtAsync(buyerRun, "wait-order");
        await _app.RouteAsync(FunctionAppHost.Event(buyer, "order.placed", new { cartId = "cart-" + buyer, orderId = "order-1", total = 84.5 }));
        var bought = await _app.WaitForRunAsync(buyerRun, r => r.Status == RunStatus.Completed, "completion");
        var left = await _app.WaitForCompletionAsync(leaverRun);

        Assert.Equal(["reminder-1"], _app.Email.SentTo(buyer + "@example.com").Select(m => m.OperationId.Split('|')[1]));
        Assert.Equal(CompletionReason.GoalReached, bought.Completion);
        Assert.Equal(["reminder-1", "reminder-2"], _app.Email.SentTo(leaver + "@example.com").Select(m => m.OperationId.Split('|')[1]));
        Assert.Equal(CompletionReason.Finished, left.Completion);
        var contacts = _app.Get<IContactStore>();
        Assert.Contains("cart-abandoner", (await contacts.GetAsync(leaver))!.Tags);
        Assert.DoesNotContain("cart-abandoner", (await contacts.GetAsync(buyer))!.Tags);
    }
}
