using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Infrastructure.Memory;

namespace JourneyFunctions.Infrastructure.Tests.Memory;

/// <summary>
/// The memory queue hands receivers a snapshot of the queued event instead of parsing its body again; what they get
/// must still be what a parse of the body would give, whatever the producer does with its objects afterwards.
/// </summary>
public sealed class MemoryEventQueueSnapshotTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(1));

    [Fact]
    public async Task ReceiveAsync_ProducerDisposesAndChangesItsObjects_GetsTheEventAsQueued()
    {
        var queue = new MemoryEventQueue(TimeProvider.System);
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var tags = new List<string> { "vip" };
        using (var data = JsonDocument.Parse("""{ "total": 12.5, "items": [ { "sku": "A" } ] }"""))
        using (var name = JsonDocument.Parse("\"Ann\""))
        {
            fields["firstName"] = name.RootElement;
            await queue.EnqueueAsync(new ContactEvent
            {
                Id = "e-1",
                ContactId = "c-1",
                Name = "cart.updated",
                Data = data.RootElement,
                OccurredAt = At,
                Contact = new ContactPatch { Email = "ann@example.com", Fields = fields, Tags = tags },
            });
        }

        fields["firstName"] = JsonSerializer.SerializeToElement("Changed");
        tags.Add("changed");

        var message = Assert.Single(await queue.ReceiveAsync(32, TimeSpan.FromMinutes(1)));

        var received = Assert.IsType<ContactEvent>(message.Event);
        Assert.Equal(12.5m, received.Data!.Value.GetProperty("total").GetDecimal());
        Assert.Equal("A", received.Data.Value.GetProperty("items")[0].GetProperty("sku").GetString());
        Assert.Equal("Ann", received.Contact!.Fields!["firstName"].GetString());
        Assert.Equal(["vip"], received.Contact.Tags!);
        Assert.Equal(At, received.OccurredAt);
        Assert.Equal(JsonSerializer.Serialize(received, Core.Serialization.JourneyJson.Options), message.Body);
    }

    [Fact]
    public async Task ReceiveAsync_JsonNullData_IsNullAsWhenParsed()
    {
        var queue = new MemoryEventQueue(TimeProvider.System);
        await queue.EnqueueAsync(new ContactEvent { Id = "e-1", ContactId = "c-1", Name = "ping", Data = JsonSerializer.SerializeToElement<object?>(null), OccurredAt = At });

        var message = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromMinutes(1)));

        Assert.Null(message.Event!.Data);
        Assert.Null(JourneyFunctions.Infrastructure.Storage.QueueMessages.TryParse(message.Body, out _)!.Data);
    }
}
