using System.Text;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>The <see cref="IEventQueue"/> contract, run against every implementation.</summary>
public abstract class EventQueueContract
{
    protected abstract IStorageBackend Backend { get; }

    private static ContactEvent Event(string id, string? payload = null) => new()
    {
        Id = id,
        ContactId = "c/1#ü",
        Name = "cart.updated",
        OccurredAt = TestData.T0,
        Data = TestData.Json(payload is null ? """{"cartId":"c1"}""" : $$"""{"blob":"{{payload}}"}"""),
        Contact = new ContactPatch { Email = "ana@example.com", Tags = ["vip"] },
    };

    [Fact]
    public async Task EnqueueAsync_ThenReceive_ParsesEventAndDeleteRemovesIt()
    {
        var queue = Backend.Queue();
        await queue.EnqueueAsync(Event("evt-1"));

        var received = Assert.Single(await queue.ReceiveAsync(10, TimeSpan.FromSeconds(30)));

        Assert.Null(received.ParseError);
        Assert.Equal("evt-1", received.Event!.Id);
        Assert.Equal("c/1#ü", received.Event.ContactId);
        Assert.Equal("c1", received.Event.Data!.Value.GetProperty("cartId").GetString());
        Assert.Equal(1, received.DequeueCount);
        Assert.Contains("\"evt-1\"", received.Body, StringComparison.Ordinal);

        await queue.DeleteAsync(received);
        Assert.Empty(await queue.ReceiveAsync(10, TimeSpan.Zero));
    }

    [Fact]
    public async Task ReceiveAsync_Invisible_UntilTimeoutThenCountsDequeues()
    {
        var queue = Backend.Queue();
        await queue.EnqueueAsync(Event("evt-1"));

        var first = Assert.Single(await queue.ReceiveAsync(10, TimeSpan.FromSeconds(1)));
        Assert.Empty(await queue.ReceiveAsync(10, TimeSpan.FromSeconds(1)));

        Backend.Time.Advance(TimeSpan.FromSeconds(2));
        var second = await WaitForOneAsync(queue);

        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(2, second.DequeueCount);
        await queue.DeleteAsync(second);
    }

    [Fact]
    public async Task ReceiveAsync_BadBody_ReportsParseErrorInsteadOfThrowing()
    {
        var queue = Backend.Queue();
        await Backend.EnqueueRawAsync(queue, "{ not json");
        await Backend.EnqueueRawAsync(queue, """{"id":"x"}""");

        var received = await queue.ReceiveAsync(10, TimeSpan.FromSeconds(30));

        Assert.Equal(2, received.Count);
        Assert.All(received, m => Assert.Null(m.Event));
        Assert.All(received, m => Assert.False(string.IsNullOrEmpty(m.ParseError)));
        Assert.Contains(received, m => m.Body == "{ not json");
    }

    [Fact]
    public async Task PoisonAsync_KeepsOriginalBodyAndReason()
    {
        var queue = Backend.Queue();
        await Backend.EnqueueRawAsync(queue, "{ not json");
        await queue.EnqueueAsync(Event("evt-2"));
        var received = await queue.ReceiveAsync(10, TimeSpan.FromSeconds(30));
        var bad = received.Single(m => m.Event is null);

        Backend.Time.Advance(TimeSpan.FromSeconds(1));
        await queue.PoisonAsync(bad, "unparseable: " + bad.ParseError);

        var poison = Assert.Single(await queue.PeekPoisonAsync(10));
        Assert.Equal("{ not json", poison.Body);
        Assert.StartsWith("unparseable: ", poison.Reason, StringComparison.Ordinal);
        Assert.Equal(bad.MessageId, poison.MessageId);
        Assert.Equal(TestData.T0.AddSeconds(1), poison.At);
        Assert.Single(await queue.PeekPoisonAsync(10));

        await queue.DeleteAsync(received.Single(m => m.Event is not null));
        Backend.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await queue.ReceiveAsync(10, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task PoisonAsync_BodyNearTheLimitFullOfQuotes_StillKeepsItWhole()
    {
        var queue = Backend.Queue();
        var payload = string.Concat(Enumerable.Repeat("\\\"q\\\"", QueueMessages.MaxBodyBytes / 6));
        await queue.EnqueueAsync(Event("evt-big", payload));
        var received = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));

        await queue.PoisonAsync(received, "kept failing");

        var poison = Assert.Single(await queue.PeekPoisonAsync(1));
        Assert.Equal(received.Body, poison.Body);
        Assert.Equal("kept failing", poison.Reason);
    }

    [Fact]
    public async Task EnqueueAsync_Oversized_ThrowsNamingTheSize()
    {
        var queue = Backend.Queue();
        var ev = Event("evt-huge", new string('x', 70_000));

        var ex = await Assert.ThrowsAsync<MessageTooLargeException>(() => queue.EnqueueAsync(ev));

        Assert.Contains("65536", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Encoding.UTF8.GetByteCount(Core.Serialization.JourneyJson.Serialize(ev)).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Empty(await queue.ReceiveAsync(10, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task EnqueueAsync_JustUnderTheLimit_IsAccepted()
    {
        var queue = Backend.Queue();
        var overhead = Encoding.UTF8.GetByteCount(Core.Serialization.JourneyJson.Serialize(Event("evt-edge", "")));
        var ev = Event("evt-edge", new string('x', QueueMessages.MaxBodyBytes - overhead));

        await queue.EnqueueAsync(ev);

        var received = Assert.Single(await queue.ReceiveAsync(10, TimeSpan.FromSeconds(30)));
        Assert.Equal("evt-edge", received.Event!.Id);
        await Assert.ThrowsAsync<MessageTooLargeException>(() => queue.EnqueueAsync(Event("evt-over", new string('x', QueueMessages.MaxBodyBytes - overhead + 1))));
    }

    [Fact]
    public async Task DeleteAsync_AfterAnotherReceive_ThrowsConcurrency()
    {
        var queue = Backend.Queue();
        await queue.EnqueueAsync(Event("evt-1"));
        var first = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)));
        Backend.Time.Advance(TimeSpan.FromSeconds(2));
        var second = await WaitForOneAsync(queue);

        await Assert.ThrowsAsync<ConcurrencyException>(() => queue.DeleteAsync(first));
        await queue.DeleteAsync(second);
        await queue.DeleteAsync(second);
    }

    /// <summary>
    /// Receives the one message whose visibility timeout just ran out. Azurite times visibility by its own clock, so
    /// this polls briefly there; the memory queue answers on the first try since the fake clock moved.
    /// </summary>
    private static async Task<QueuedEvent> WaitForOneAsync(IEventQueue queue)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var received = await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30));
            if (received.Count == 1 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(received);
            }

            await Task.Delay(200);
        }
    }
}
