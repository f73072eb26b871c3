using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>The <see cref="IRunStore"/> contract, run against every implementation.</summary>
public abstract class RunStoreContract
{
    protected abstract IStorageBackend Backend { get; }

    public static TheoryData<string> NastyIds => TestData.NastyIds;

    [Fact]
    public async Task GetAsync_Missing_ReturnsNull()
    {
        Assert.Null(await Backend.Runs().GetAsync("welcome:nobody"));
    }

    [Fact]
    public async Task CreateAsync_RoundTripsState()
    {
        var store = Backend.Runs();
        var state = TestData.Run("welcome", "c-1") with
        {
            Events = new Dictionary<string, System.Text.Json.JsonElement> { ["wait-order"] = TestData.Json("""{"orderId":"o-9"}""") },
            Sent = ["welcome"],
        };

        var created = await store.CreateAsync(state);
        var read = await store.GetAsync(state.RunId);

        Assert.NotNull(read);
        Assert.Equal(created.ETag, read.ETag);
        Assert.Equal(JourneyFunctions.Core.Serialization.JourneyJson.SerializeState(state), JourneyFunctions.Core.Serialization.JourneyJson.SerializeState(read.State));
    }

    [Fact]
    public async Task CreateAsync_Exists_ThrowsConcurrency()
    {
        var store = Backend.Runs();
        await store.CreateAsync(TestData.Run("welcome", "c-1"));

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.CreateAsync(TestData.Run("welcome", "c-1")));
    }

    [Fact]
    public async Task UpdateAsync_MatchingETag_ReplacesAndChangesETag()
    {
        var store = Backend.Runs();
        var created = await store.CreateAsync(TestData.Run("welcome", "c-1"));

        var updated = await store.UpdateAsync(TestData.Waiting(created.State, TestData.T0.AddDays(1)), created.ETag);

        Assert.NotEqual(created.ETag, updated.ETag);
        var read = await store.GetAsync(created.State.RunId);
        Assert.Equal(RunStatus.Waiting, read!.State.Status);
        Assert.Equal(TestData.T0.AddDays(1), read.State.Wait!.Until);
        Assert.Equal(updated.ETag, read.ETag);
    }

    [Fact]
    public async Task UpdateAsync_StaleETag_ThrowsConcurrency()
    {
        var store = Backend.Runs();
        var created = await store.CreateAsync(TestData.Run("welcome", "c-1"));
        await store.UpdateAsync(created.State with { Sequence = 2 }, created.ETag);

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.UpdateAsync(created.State with { Sequence = 3 }, created.ETag));
        Assert.Equal(2, (await store.GetAsync(created.State.RunId))!.State.Sequence);
    }

    [Fact]
    public async Task UpdateAsync_Missing_ThrowsConcurrency()
    {
        var store = Backend.Runs();
        var created = await store.CreateAsync(TestData.Run("welcome", "c-1"));
        await store.DeleteForContactAsync("c-1");

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.UpdateAsync(created.State, created.ETag));
    }

    [Fact]
    public async Task UpdateAsync_TwoWritersRace_LoserRetriesOnFreshStateAndNothingIsLost()
    {
        var store = Backend.Runs();
        var created = await store.CreateAsync(TestData.Run("welcome", "c-1"));
        using var bothRead = new Barrier(2);

        async Task<bool> Write(string opened)
        {
            var conflicted = false;
            var current = (await store.GetAsync(created.State.RunId))!;
            await Task.Run(() => bothRead.SignalAndWait(TimeSpan.FromSeconds(10)));
            while (true)
            {
                try
                {
                    await store.UpdateAsync(current.State with { Opened = [.. current.State.Opened, opened] }, current.ETag);
                    return conflicted;
                }
                catch (ConcurrencyException)
                {
                    conflicted = true;
                    current = (await store.GetAsync(created.State.RunId))!;
                }
            }
        }

        var conflicts = await Task.WhenAll(Write("email-1"), Write("email-2"));

        Assert.Equal(1, conflicts.Count(c => c));
        var final = (await store.GetAsync(created.State.RunId))!.State;
        Assert.Equal(["email-1", "email-2"], final.Opened.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListDueAsync_ReturnsDueWaitingRunsOldestFirstUpToMax()
    {
        var store = Backend.Runs();
        var t = TestData.T0;
        await Wait(store, "c-3", t.AddMinutes(30));
        await Wait(store, "c-1", t.AddMinutes(10));
        await Wait(store, "c-2", t.AddHours(2).AddSeconds(1));
        await Wait(store, "c-4", t.AddDays(3));
        await store.CreateAsync(TestData.Run("welcome", "c-5"));

        var due = await store.ListDueAsync(t.AddHours(2).AddSeconds(1), 10);
        var firstTwo = await store.ListDueAsync(t.AddDays(10), 2);
        var none = await store.ListDueAsync(t.AddMinutes(9), 10);

        Assert.Equal(["c-1", "c-3", "c-2"], due.Select(r => r.State.ContactId));
        Assert.Equal(["c-1", "c-3"], firstTwo.Select(r => r.State.ContactId));
        Assert.Empty(none);
        Assert.All(due, r => Assert.False(string.IsNullOrEmpty(r.ETag)));
    }

    [Fact]
    public async Task ListDueAsync_RunMovedOn_FollowsItsCurrentTimer()
    {
        var store = Backend.Runs();
        var t = TestData.T0;
        var waiting = await Wait(store, "c-1", t.AddMinutes(10));
        var later = await store.UpdateAsync(TestData.Waiting(waiting.State, t.AddHours(5), "wait-2"), waiting.ETag);

        Assert.Empty(await store.ListDueAsync(t.AddHours(1), 10));
        var due = Assert.Single(await store.ListDueAsync(t.AddHours(5), 10));
        Assert.Equal(later.ETag, due.ETag);

        await store.UpdateAsync(TestData.Completed(later.State, t.AddHours(5)), later.ETag);
        Assert.Empty(await store.ListDueAsync(t.AddDays(1), 10));
    }

    [Fact]
    public async Task ListDueAsync_ManyDueRuns_ReturnsThemAllInTimerOrder()
    {
        var store = Backend.Runs();
        var t = TestData.T0;
        for (var i = 0; i < 25; i++)
        {
            await Wait(store, $"c-{i:D2}", t.AddMinutes(-i * 7));
        }

        var due = await store.ListDueAsync(t, 100);

        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => $"c-{i:D2}"), due.Select(r => r.State.ContactId));
    }

    [Fact]
    public async Task ListActiveForContactAsync_And_ListForContactAsync_SeparateCompletedRuns()
    {
        var store = Backend.Runs();
        var first = await store.CreateAsync(TestData.Run("welcome", "c-1", startedAt: TestData.T0));
        await store.UpdateAsync(TestData.Completed(first.State, TestData.T0.AddDays(1)), first.ETag);
        await store.CreateAsync(TestData.Run("welcome", "c-1", generation: 2, startedAt: TestData.T0.AddDays(2)));
        await store.CreateAsync(TestData.Run("cart", "c-1", key: "cart-7", startedAt: TestData.T0.AddDays(3)));
        await store.CreateAsync(TestData.Run("welcome", "c-2"));

        var active = await store.ListActiveForContactAsync("c-1");
        var all = await store.ListForContactAsync("c-1");

        Assert.Equal([RunIds.For("cart", "c-1", "cart-7"), RunIds.For("welcome", "c-1", null, 2)], active.Select(r => r.State.RunId).Order(StringComparer.Ordinal));
        Assert.Equal(
            [RunIds.For("cart", "c-1", "cart-7"), RunIds.For("welcome", "c-1", null, 2), RunIds.For("welcome", "c-1", null)],
            all.Select(r => r.State.RunId));
    }

    [Fact]
    public async Task GetLatestAsync_ReturnsHighestGenerationForKey()
    {
        var store = Backend.Runs();
        Assert.Null(await store.GetLatestAsync("welcome", "c-1", null));

        var g1 = await store.CreateAsync(TestData.Run("welcome", "c-1"));
        await store.UpdateAsync(TestData.Completed(g1.State, TestData.T0.AddDays(1)), g1.ETag);
        var previous = await store.GetLatestAsync("welcome", "c-1", null);
        Assert.Equal(new PreviousRun(g1.State.RunId, 1, TestData.T0, TestData.T0.AddDays(1)), previous);

        await store.CreateAsync(TestData.Run("welcome", "c-1", generation: 2, startedAt: TestData.T0.AddDays(5)));
        await store.CreateAsync(TestData.Run("cart", "c-1", key: "k1", generation: 3, startedAt: TestData.T0.AddDays(6)));
        await store.CreateAsync(TestData.Run("cart", "c-1", key: "k2", startedAt: TestData.T0.AddDays(7)));

        Assert.Equal(new PreviousRun(RunIds.For("welcome", "c-1", null, 2), 2, TestData.T0.AddDays(5), null), await store.GetLatestAsync("welcome", "c-1", null));
        Assert.Equal(3, (await store.GetLatestAsync("cart", "c-1", "k1"))!.Generation);
        Assert.Equal(1, (await store.GetLatestAsync("cart", "c-1", "k2"))!.Generation);
        Assert.Null(await store.GetLatestAsync("cart", "c-1", null));
        Assert.Null(await store.GetLatestAsync("cart", "c-2", "k1"));
    }

    [Fact]
    public async Task ListActiveForJourneyAsync_ReturnsOnlyActiveRunsOfThatJourney()
    {
        var store = Backend.Runs();
        await store.CreateAsync(TestData.Run("welcome", "c-1"));
        await Wait(store, "c-2", TestData.T0.AddDays(1));
        var done = await store.CreateAsync(TestData.Run("welcome", "c-3"));
        await store.UpdateAsync(TestData.Completed(done.State, TestData.T0), done.ETag);
        await store.CreateAsync(TestData.Run("other", "c-1"));

        var active = new List<string>();
        await foreach (var run in store.ListActiveForJourneyAsync("welcome"))
        {
            active.Add(run.ContactId);
        }

        Assert.Equal(["c-1", "c-2"], active.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DeleteForContactAsync_RemovesEveryRunOfTheContact()
    {
        var store = Backend.Runs();
        await store.CreateAsync(TestData.Run("welcome", "c-1"));
        await Wait(store, "c-1", TestData.T0, journeyId: "cart");
        await store.CreateAsync(TestData.Run("welcome", "c-2"));

        Assert.Equal(2, await store.DeleteForContactAsync("c-1"));

        Assert.Empty(await store.ListForContactAsync("c-1"));
        Assert.Null(await store.GetAsync(RunIds.For("welcome", "c-1", null)));
        Assert.Empty(await store.ListDueAsync(TestData.T0.AddDays(1), 10));
        Assert.Null(await store.GetLatestAsync("welcome", "c-1", null));
        Assert.Single(await store.ListForContactAsync("c-2"));
        Assert.Equal(0, await store.DeleteForContactAsync("c-1"));
    }

    [Theory]
    [MemberData(nameof(NastyIds))]
    public async Task CreateAsync_NastyIds_RoundTripThroughEveryQuery(string id)
    {
        var store = Backend.Runs();
        var created = await store.CreateAsync(TestData.Run(id, id, key: id));
        await store.UpdateAsync(TestData.Waiting(created.State, TestData.T0), created.ETag);

        Assert.Equal(id, (await store.GetAsync(created.State.RunId))!.State.ContactId);
        Assert.Equal(created.State.RunId, Assert.Single(await store.ListForContactAsync(id)).State.RunId);
        Assert.Equal(created.State.RunId, Assert.Single(await store.ListDueAsync(TestData.T0, 5)).State.RunId);
        Assert.Equal(created.State.RunId, (await store.GetLatestAsync(id, id, id))!.RunId);
        Assert.Equal(1, await store.DeleteForContactAsync(id));
    }

    [Fact]
    public async Task UpdateAsync_LargeState_RoundTrips()
    {
        var store = Backend.Runs();
        var created = await store.CreateAsync(TestData.Run("welcome", "c-1"));
        var items = string.Join(",", Enumerable.Range(0, 4000).Select(i => $$"""{"sku":"SKU-{{i}}","name":"Product ünïcode {{i}}","price":{{i}}.99}"""));
        var large = created.State with { Trigger = TestData.Json($$"""{"items":[{{items}}]}""") };

        var updated = await store.UpdateAsync(large, created.ETag);
        var read = await store.GetAsync(created.State.RunId);

        Assert.True(JourneyFunctions.Core.Serialization.JourneyJson.SerializeState(large).Length > 200_000);
        Assert.Equal(JourneyFunctions.Core.Serialization.JourneyJson.SerializeState(large), JourneyFunctions.Core.Serialization.JourneyJson.SerializeState(read!.State));
        Assert.Equal(updated.ETag, read.ETag);

        var small = await store.UpdateAsync(created.State with { Sequence = 9 }, updated.ETag);
        Assert.Equal(9, (await store.GetAsync(created.State.RunId))!.State.Sequence);
        Assert.Equal(small.ETag, (await store.GetAsync(created.State.RunId))!.ETag);
    }

    private static async Task<StoredRun> Wait(IRunStore store, string contactId, DateTimeOffset until, string journeyId = "welcome")
    {
        var created = await store.CreateAsync(TestData.Run(journeyId, contactId));
        return await store.UpdateAsync(TestData.Waiting(created.State, until), created.ETag);
    }
}
