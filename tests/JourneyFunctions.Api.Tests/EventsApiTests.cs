using System.Net;
using System.Text.Json;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Host.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Api.Tests;

public sealed class EventsApiTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Runner:Enabled"] = "false" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task PostEvents_SingleEvent_Returns202AndQueuesIt()
    {
        using var response = await _host.PostJsonAsync("/api/events", """{ "id": "e-1", "contactId": "ana", "name": "cart.updated", "data": { "cartId": "c1" } }""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["e-1"], body.GetProperty("eventIds").EnumerateArray().Select(e => e.GetString()));
        var queued = await ReceiveAllAsync();
        var message = Assert.Single(queued);
        Assert.Equal("cart.updated", message.Event!.Name);
        Assert.Equal("c1", message.Event.Data!.Value.GetProperty("cartId").GetString());
    }

    [Fact]
    public async Task PostEvents_Batch_Returns202WithIdsInOrder()
    {
        using var response = await _host.PostJsonAsync(
            "/api/events",
            """[ { "contactId": "bo", "name": "contact.subscribed" }, { "contactId": "bo", "name": "order.placed", "data": { "orderId": "o1" } } ]""",
            idempotencyKey: "req-42");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var ids = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("eventIds").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["req-42:0", "req-42:1"], ids);
        Assert.Equal(["contact.subscribed", "order.placed"], (await ReceiveAllAsync()).Select(m => m.Event!.Name));
    }

    [Fact]
    public async Task PostEvents_RetryWithSameIdempotencyKey_GetsSameEventId()
    {
        const string body = """{ "contactId": "cy", "name": "order.placed" }""";
        using var first = await _host.PostJsonAsync("/api/events", body, idempotencyKey: "order-77");
        using var retry = await _host.PostJsonAsync("/api/events", body, idempotencyKey: "order-77");

        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Contains("order-77", await retry.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostEvents_BatchWithOneBadEvent_AcceptsNoneAndNamesTheField()
    {
        using var response = await _host.PostJsonAsync(
            "/api/events",
            """[ { "contactId": "di", "name": "contact.subscribed" }, { "contactId": "di", "name": "9 bad name" } ]""");

        var message = await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, "$[1].name");
        Assert.Contains("not an event name", message, StringComparison.Ordinal);
        Assert.Empty(await ReceiveAllAsync());
    }

    [Theory]
    [InlineData("""{ "contactId": "ed", "name": "cart.updated", "data": { "total": 1e30 } }""", "$.data.total")]
    [InlineData("""{ "contactId": "ed", "name": "cart.updated", "data": { "items": [ { "price": 1 }, { "price": -1e400 } ] } }""", "$.data.items[1].price")]
    [InlineData("""{ "contactId": "ed", "name": "cart.updated", "data": { "odd key": 1e29 } }""", "$.data['odd key']")]
    [InlineData("""{ "contactId": "ed", "name": "cart.updated", "contact": { "fields": { "ltv": 1E400 } } }""", "$.contact.fields.ltv")]
    public async Task PostEvents_NumberBeyondWhatTheEngineHandles_Returns400NamingThePathAndQueuesNothing(string body, string field)
    {
        using var response = await _host.PostJsonAsync("/api/events", body);

        var message = await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Contains("beyond the numbers journeys handle", message, StringComparison.Ordinal);
        Assert.Empty(await ReceiveAllAsync());
    }

    [Fact]
    public async Task PostEvents_LargeButHandledNumbers_AreAccepted()
    {
        using var response = await _host.PostJsonAsync("/api/events", """{ "contactId": "fi", "name": "cart.updated", "data": { "total": 79000000000000000000000000000, "tiny": 1e-30, "price": "1e30" } }""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(await ReceiveAllAsync());
    }

    private async Task<IReadOnlyList<QueuedEvent>> ReceiveAllAsync()
    {
        var queue = _host.App.Services.GetRequiredService<IEventQueue>();
        var all = new List<QueuedEvent>();
        while (true)
        {
            var batch = await queue.ReceiveAsync(32, TimeSpan.FromMinutes(5));
            if (batch.Count == 0)
            {
                return all;
            }

            all.AddRange(batch);
            foreach (var message in batch)
            {
                await queue.DeleteAsync(message);
            }
        }
    }
}
