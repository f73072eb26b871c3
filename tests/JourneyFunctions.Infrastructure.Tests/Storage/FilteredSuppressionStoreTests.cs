using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>
/// <see cref="FilteredSuppressionStore"/> over <see cref="TableSuppressionStore"/> on a real Azurite; "another
/// instance" is a second filter (or the bare table store) over the same tables.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteFilteredSuppressionStoreTests(AzuriteFixture azurite)
{
    private readonly AzuriteBackend _backend = new(azurite);

    private FilteredSuppressionStore Filter() => new(_backend.TableSuppressions(), new SuppressionFilterOptions(), _backend.Time);

    private static Suppression Bounced(string hash) => new(hash, SuppressionReason.Bounced, TestData.T0, "elsewhere");

    [Fact]
    public async Task GetAsync_UnsuppressedAddressAfterLoad_CostsNoRequest()
    {
        await _backend.TableSuppressions().AddAsync(Bounced("hash-a"));
        await using var filter = Filter();
        await filter.RefreshAsync();

        var before = _backend.RequestCount;
        for (var i = 0; i < 50; i++)
        {
            Assert.Null(await filter.GetAsync($"clean-{i}"));
        }

        Assert.Equal(before, _backend.RequestCount);
        Assert.True(filter.IsLoaded);
    }

    [Fact]
    public async Task GetAsync_SuppressedBeforeLoad_IsFoundWithOneRead()
    {
        await _backend.TableSuppressions().AddAsync(Bounced("hash-b"));
        await using var filter = Filter();
        await filter.RefreshAsync();

        var before = _backend.RequestCount;
        var found = await filter.GetAsync("hash-b");

        Assert.Equal(SuppressionReason.Bounced, found?.Reason);
        Assert.Equal(before + 1, _backend.RequestCount);
    }

    [Fact]
    public async Task GetAsync_AddedByAnotherInstance_IsSeenAfterTheNextRefresh()
    {
        await using var filter = Filter();
        await filter.RefreshAsync();

        // Another instance's add is a plain table store's add (its own filter would only add to its memory besides).
        _backend.Time.Advance(TimeSpan.FromSeconds(3));
        await _backend.TableSuppressions().AddAsync(Bounced("hash-c"));
        var beforeRefresh = await filter.GetAsync("hash-c");
        var before = _backend.RequestCount;
        await filter.RefreshAsync();
        var refreshRequests = _backend.RequestCount - before;
        var afterRefresh = await filter.GetAsync("hash-c");

        Assert.Null(beforeRefresh);
        Assert.Equal(1, refreshRequests);
        Assert.Equal(SuppressionReason.Bounced, afterRefresh?.Reason);
    }

    [Fact]
    public async Task GetAsync_AddedElsewhereWithAClockBehindByAMinute_IsStillSeen()
    {
        await using var filter = Filter();
        _backend.Time.Advance(TimeSpan.FromMinutes(10));
        await filter.RefreshAsync();

        // The other instance's clock is 60 s behind: its index row lands in a minute before this filter's last refresh.
        var behind = new FakeTimeProvider(_backend.Time.GetUtcNow() - TimeSpan.FromSeconds(60));
        await new TableSuppressionStore(SharedTables(), behind).AddAsync(Bounced("hash-skew"));
        _backend.Time.Advance(TimeSpan.FromSeconds(5));
        await filter.RefreshAsync();

        Assert.Equal(SuppressionReason.Bounced, (await filter.GetAsync("hash-skew"))?.Reason);
    }

    [Fact]
    public async Task AddAndRemove_ThroughTheFilter_AreSeenAtOnce()
    {
        await using var filter = Filter();
        await filter.RefreshAsync();
        Assert.Null(await filter.GetAsync("hash-d"));

        await filter.AddAsync(new Suppression("hash-d", SuppressionReason.Unsubscribed, TestData.T0, null));
        var added = await filter.GetAsync("hash-d");
        Assert.True(await filter.RemoveAsync("hash-d"));
        var removed = await filter.GetAsync("hash-d");

        Assert.Equal(SuppressionReason.Unsubscribed, added?.Reason);
        Assert.Null(removed);
    }

    [Fact]
    public async Task RemoveAsync_OnAnotherInstance_IsHonoured()
    {
        await _backend.TableSuppressions().AddAsync(Bounced("hash-e"));
        await using var filter = Filter();
        await filter.RefreshAsync();
        Assert.NotNull(await filter.GetAsync("hash-e"));

        Assert.True(await _backend.TableSuppressions().RemoveAsync("hash-e"));

        Assert.Null(await filter.GetAsync("hash-e"));
    }

    [Fact]
    public async Task AddAsync_WritesTheTimeIndexRowOfItsMinute()
    {
        var store = _backend.TableSuppressions();
        _backend.Time.Advance(TimeSpan.FromMinutes(3));
        var at = _backend.Time.GetUtcNow();

        await store.AddAsync(Bounced("hash-f"));

        var table = await SharedTables().GetAsync(TableSuppressionStore.ByTimeTableName, default);
        var row = await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(TableSuppressionStore.MinuteKey(at), "hash-f");
        Assert.True(row.HasValue);
        Assert.Equal("hash-f", row.Value!.GetString("AddressHash"));
        Assert.Equal(new[] { "hash-f" }, await store.ListAddedSinceAsync(at));
        Assert.Empty(await store.ListAddedSinceAsync(at + TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task GetAsync_BeforeAnyLoad_ReadsTheTableAndStartsTheLoad()
    {
        await _backend.TableSuppressions().AddAsync(Bounced("hash-g"));
        await using var filter = Filter();

        Assert.Equal(SuppressionReason.Bounced, (await filter.GetAsync("hash-g"))?.Reason);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!filter.IsLoaded && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(filter.IsLoaded);
        Assert.Equal(1, filter.Count);
    }

    private StorageTables SharedTables() =>
        new(StorageClients.CreateTableService(new StorageOptions { Provider = StorageProvider.AzureStorage, ConnectionString = azurite.ConnectionString }), _backend.TablePrefix);
}

/// <summary>Refresh failures and the first load, with Moq injecting the table's behaviour.</summary>
public sealed class FilteredSuppressionStoreFailureTests
{
    private readonly FakeTimeProvider _time = new(TestData.T0);
    private readonly Mock<ISuppressionIndex> _inner = new();

    public FilteredSuppressionStoreFailureTests()
    {
        _inner.Setup(s => s.GetAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((Suppression?)null);
        _inner.Setup(s => s.ListAllAsync(It.IsAny<CancellationToken>())).Returns(Hashes());
    }

    [Fact]
    public async Task GetAsync_RefreshesFailingPastMaxStaleness_ReadsTheTableOnEveryLookup()
    {
        await using var filter = new FilteredSuppressionStore(_inner.Object, new SuppressionFilterOptions(), _time);
        await filter.RefreshAsync();
        _inner.Setup(s => s.ListAddedSinceAsync(It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("table down"));

        _time.Advance(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<InvalidOperationException>(() => filter.RefreshAsync());
        await filter.GetAsync("h1");
        var readsWhileFresh = ReadCount();

        _time.Advance(TimeSpan.FromSeconds(31));
        await Assert.ThrowsAsync<InvalidOperationException>(() => filter.RefreshAsync());
        await filter.GetAsync("h1");
        await filter.GetAsync("h2");
        var readsWhenStale = ReadCount() - readsWhileFresh;

        _inner.Setup(s => s.ListAddedSinceAsync(It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        await filter.RefreshAsync();
        await filter.GetAsync("h3");
        var readsAfterRecovery = ReadCount() - readsWhileFresh - readsWhenStale;

        Assert.Equal(0, readsWhileFresh);
        Assert.Equal(2, readsWhenStale);
        Assert.Equal(0, readsAfterRecovery);
    }

    [Fact]
    public async Task GetAsync_WhileTheFirstLoadHangs_ReadsTheTable()
    {
        var hanging = new TaskCompletionSource();
        _inner.Setup(s => s.ListAllAsync(It.IsAny<CancellationToken>())).Returns(Hashes(hanging.Task, "h-late"));
        await using var filter = new FilteredSuppressionStore(_inner.Object, new SuppressionFilterOptions(), _time);

        await filter.GetAsync("h1");
        await filter.GetAsync("h2");
        var whileLoading = ReadCount();
        hanging.SetResult();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!filter.IsLoaded && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await filter.GetAsync("h1");

        Assert.Equal(2, whileLoading);
        Assert.True(filter.IsLoaded);
        Assert.Equal(2, ReadCount());
    }

    [Fact]
    public async Task RefreshAsync_AfterLoad_QueriesTheIndexFromTheLastRefreshMinusTheOverlap()
    {
        var options = new SuppressionFilterOptions();
        await using var filter = new FilteredSuppressionStore(_inner.Object, options, _time);
        await filter.RefreshAsync();
        var loadedAt = _time.GetUtcNow();
        _inner.Setup(s => s.ListAddedSinceAsync(It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).ReturnsAsync(["h-new"]);

        _time.Advance(options.RefreshInterval);
        await filter.RefreshAsync();

        _inner.Verify(s => s.ListAddedSinceAsync(loadedAt - options.Overlap, It.IsAny<CancellationToken>()), Times.Once);
        _inner.Verify(s => s.ListAllAsync(It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(1, filter.Count);
    }

    [Fact]
    public async Task AddAsync_WhoseWriteFails_StillMakesLookupsReadTheTable()
    {
        await using var filter = new FilteredSuppressionStore(_inner.Object, new SuppressionFilterOptions(), _time);
        await filter.RefreshAsync();
        _inner.Setup(s => s.AddAsync(It.IsAny<Suppression>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException());

        await Assert.ThrowsAsync<TimeoutException>(() => filter.AddAsync(new Suppression("h-x", SuppressionReason.Complained, TestData.T0, null)));
        await filter.GetAsync("h-x");

        Assert.Equal(1, ReadCount());
    }

    [Fact]
    public void Constructor_MaxStalenessBelowTheInterval_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FilteredSuppressionStore(
            _inner.Object, new SuppressionFilterOptions { RefreshInterval = TimeSpan.FromSeconds(10), MaxStaleness = TimeSpan.FromSeconds(5) }, _time));
    }

    private int ReadCount() => _inner.Invocations.Count(i => i.Method.Name == nameof(ISuppressionStore.GetAsync));

    private static async IAsyncEnumerable<string> Hashes(Task? gate = null, params string[] hashes)
    {
        if (gate is not null)
        {
            await gate;
        }

        foreach (var hash in hashes)
        {
            yield return hash;
        }
    }
}
