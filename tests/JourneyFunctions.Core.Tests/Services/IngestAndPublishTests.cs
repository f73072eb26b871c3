using System.Text.Json;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Core.Tests.Services;

public sealed class IngestAndPublishTests
{
    [Fact]
    public async Task IngestAsync_InvalidBatch_ReportsEveryFieldAndEnqueuesNothing()
    {
        await using var h = new ServiceHarness();
        var batch = new[]
        {
            new EventSubmission { ContactId = "ana", Name = "cart.updated" },
            new EventSubmission { Name = "9bad name" },
            new EventSubmission { ContactId = "bob", Name = "x", Data = JsonSerializer.SerializeToElement(new[] { 1 }), Contact = new Contacts.ContactPatch { TimeZone = "Nowhere/City" } },
        };

        var ex = await Assert.ThrowsAsync<RequestValidationException>(() => h.Get<EventIngestService>().IngestAsync(batch, null, isBatch: true));

        Assert.Equal(["$[1].contactId", "$[1].name", "$[2].contact.timeZone", "$[2].data"], ex.Errors.Select(e => e.Field).Order().ToArray());
        Assert.Empty(await h.Get<IEventQueue>().ReceiveAsync(10, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task IngestAsync_NumbersBeyondDecimal_EachReportedWithItsPathOnlyThere()
    {
        await using var h = new ServiceHarness();
        using var data = JsonDocument.Parse("""{ "ok": 1.5, "items": [ { "price": 1 }, { "price": 1e30 } ], "odd name": -1e400, "deep": { "a": [ [ 2, 3e29 ] ] } }""");
        var batch = new[]
        {
            new EventSubmission { ContactId = "ana", Name = "cart.updated", Data = JsonSerializer.SerializeToElement(new { total = 1.5, items = new[] { 1, 2 } }) },
            new EventSubmission
            {
                ContactId = "bob",
                Name = "cart.updated",
                Data = data.RootElement,
                Contact = new Contacts.ContactPatch { Fields = new Dictionary<string, JsonElement> { ["ltv"] = JsonSerializer.SerializeToElement(1e30), ["name"] = JsonSerializer.SerializeToElement("Bob") } },
            },
        };

        var ex = await Assert.ThrowsAsync<RequestValidationException>(() => h.Get<EventIngestService>().IngestAsync(batch, null, isBatch: true));

        Assert.Equal(["$[1].contact.fields.ltv", "$[1].data.deep.a[0][1]", "$[1].data.items[1].price", "$[1].data['odd name']"], ex.Errors.Select(e => e.Field).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task IngestAsync_IdempotencyKey_GivesTheSameIdsOnRetry()
    {
        await using var h = new ServiceHarness();
        var batch = new[] { new EventSubmission { ContactId = "ana", Name = "a" }, new EventSubmission { ContactId = "ana", Name = "b" } };

        var first = await h.Get<EventIngestService>().IngestAsync(batch, "req-42", isBatch: true);
        var retry = await h.Get<EventIngestService>().IngestAsync(batch, "req-42", isBatch: true);

        Assert.Equal(["req-42:0", "req-42:1"], first.EventIds);
        Assert.Equal(first.EventIds, retry.EventIds);
    }

    [Fact]
    public async Task PublishAsync_SameTextTwice_KeepsOneVersion_ChangedTextAddsOne()
    {
        await using var h = new ServiceHarness();
        var path = Path.Combine(Scenarios.Repo.Root, "journeys", "welcome-series.json");
        var text = await File.ReadAllTextAsync(path);
        var publisher = h.Get<JourneyPublisher>();

        var first = await publisher.PublishAsync(text);
        var again = await publisher.PublishAsync(text);
        var changed = await publisher.PublishAsync(text.Replace("\"name\": \"", "\"name\": \"New: ", StringComparison.Ordinal));

        Assert.Equal(1, first.Published!.Version);
        Assert.True(again.Unchanged);
        Assert.Equal(1, again.Published!.Version);
        Assert.Equal(2, changed.Published!.Version);
    }

    [Fact]
    public async Task PublishAsync_UnknownTemplateAndIdMismatch_ReportsBothWithPaths()
    {
        await using var h = new ServiceHarness();

        var result = await h.Get<JourneyPublisher>().PublishAsync(
            """{ "id": "promo", "name": "Promo", "trigger": { "event": "x" }, "steps": [ { "id": "send", "type": "email", "template": "no-such-template" } ] }""",
            expectedId: "other");

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Path == "$.id");
        Assert.Contains(result.Errors, e => e.Path == "$.steps[0].template");
    }
}
