using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>The contracts of the suppression, timeline and processed-event stores, run against every implementation.</summary>
public abstract class SmallStoresContract
{
    protected abstract IStorageBackend Backend { get; }

    public static TheoryData<string> NastyIds => TestData.NastyIds;

    [Fact]
    public async Task Suppressions_AddGetReplaceRemove()
    {
        var store = Backend.Suppressions();
        var hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        Assert.Null(await store.GetAsync(hash));
        Assert.False(await store.RemoveAsync(hash));

        await store.AddAsync(new Suppression(hash, SuppressionReason.Unsubscribed, TestData.T0, "unsubscribe-link"));
        Assert.Equal(new Suppression(hash, SuppressionReason.Unsubscribed, TestData.T0, "unsubscribe-link"), await store.GetAsync(hash));

        await store.AddAsync(new Suppression(hash, SuppressionReason.Bounced, TestData.T0.AddDays(1), null));
        Assert.Equal(new Suppression(hash, SuppressionReason.Bounced, TestData.T0.AddDays(1), null), await store.GetAsync(hash));

        Assert.True(await store.RemoveAsync(hash));
        Assert.Null(await store.GetAsync(hash));
    }

    [Theory]
    [MemberData(nameof(NastyIds))]
    public async Task Suppressions_NastyKey_RoundTrips(string key)
    {
        var store = Backend.Suppressions();
        await store.AddAsync(new Suppression(key, SuppressionReason.Manual, TestData.T0, key));

        Assert.Equal(key, (await store.GetAsync(key))!.Detail);
        Assert.True(await store.RemoveAsync(key));
    }

    [Fact]
    public async Task Timeline_ListsNewestFirstUpToMax()
    {
        var store = Backend.Timeline();
        var t = TestData.T0;
        await store.AppendAsync("c-1", [new TimelineEntry(t, "event", "cart.updated", Data: TestData.Json("""{"cartId":"c1"}"""))]);
        await store.AppendAsync("c-1",
        [
            new TimelineEntry(t.AddMinutes(5), "decision", "entered", "cart", "run-1", "wait-1"),
            new TimelineEntry(t.AddMinutes(5), "email", "sent reminder", "cart", "run-1", "email-1"),
        ]);
        await store.AppendAsync("c-2", [new TimelineEntry(t.AddDays(1), "event", "other contact")]);

        var all = await store.ListAsync("c-1");
        var top = await store.ListAsync("c-1", 2);

        Assert.Equal(["sent reminder", "entered", "cart.updated"], all.Select(e => e.Message));
        Assert.Equal(["sent reminder", "entered"], top.Select(e => e.Message));
        Assert.Equal(new TimelineEntry(t.AddMinutes(5), "decision", "entered", "cart", "run-1", "wait-1"), all[1]);
        Assert.Equal("c1", all[2].Data!.Value.GetProperty("cartId").GetString());
        Assert.Empty(await store.ListAsync("c-3"));
    }

    [Fact]
    public async Task Timeline_ManyEntries_AppendsInBatchesAndDeletes()
    {
        var store = Backend.Timeline();
        var entries = Enumerable.Range(0, 250).Select(i => new TimelineEntry(TestData.T0.AddSeconds(i), "event", $"e{i}")).ToList();

        await store.AppendAsync("c/1", entries);

        var listed = await store.ListAsync("c/1", 300);
        Assert.Equal(250, listed.Count);
        Assert.Equal("e249", listed[0].Message);
        Assert.Equal("e0", listed[^1].Message);
        Assert.Equal(250, await store.DeleteForContactAsync("c/1"));
        Assert.Empty(await store.ListAsync("c/1"));
        Assert.Equal(0, await store.DeleteForContactAsync("c/1"));
    }

    [Fact]
    public async Task ProcessedEvents_MarkThenContains()
    {
        var store = Backend.ProcessedEvents();
        Assert.False(await store.ContainsAsync("c-1", "evt-1"));

        await store.MarkAsync("c-1", "evt-1", TestData.T0);
        await store.MarkAsync("c-1", "evt-1", TestData.T0.AddMinutes(1));

        Assert.True(await store.ContainsAsync("c-1", "evt-1"));
        Assert.False(await store.ContainsAsync("c-2", "evt-1"));
        Assert.False(await store.ContainsAsync("c-1", "evt-2"));
    }

    [Theory]
    [MemberData(nameof(NastyIds))]
    public async Task ProcessedEvents_NastyIds_RoundTrip(string id)
    {
        var store = Backend.ProcessedEvents();
        await store.MarkAsync(id, id, TestData.T0);

        Assert.True(await store.ContainsAsync(id, id));
        Assert.False(await store.ContainsAsync(id, id + "/"));
    }

    [Fact]
    public async Task Tombstones_MarkContainsRemove_OutliveTheContactAndItsMarks()
    {
        var store = Backend.Tombstones();
        var contacts = Backend.Contacts();
        var processed = Backend.ProcessedEvents();
        Assert.False(await store.ContainsAsync("c-1"));
        Assert.False(await store.RemoveAsync("c-1"));

        await contacts.SaveAsync(new Core.Contacts.Contact { Id = "c-1", Email = "ann@example.com", CreatedAt = TestData.T0 });
        await store.MarkAsync("c-1", TestData.T0);
        await store.MarkAsync("c-1", TestData.T0.AddMinutes(1));
        Assert.True(await contacts.DeleteAsync("c-1"));
        for (var i = 0; i < 300; i++)
        {
            await processed.MarkAsync("c-1", $"late-{i}", TestData.T0);
        }

        Assert.True(await store.ContainsAsync("c-1"));
        Assert.False(await store.ContainsAsync("c-2"));
        Assert.Null(await contacts.GetAsync("c-1"));
        Assert.True(await store.RemoveAsync("c-1"));
        Assert.False(await store.ContainsAsync("c-1"));
    }

    [Theory]
    [MemberData(nameof(NastyIds))]
    public async Task Tombstones_NastyIds_RoundTrip(string id)
    {
        var store = Backend.Tombstones();
        await store.MarkAsync(id, TestData.T0);

        Assert.True(await store.ContainsAsync(id));
        Assert.False(await store.ContainsAsync(id + "/"));
        Assert.True(await store.RemoveAsync(id));
    }
}
