using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Moq;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary><see cref="CachedSuppressionStore"/> over <see cref="TableSuppressionStore"/> on a real Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteCachedSuppressionStoreTests(AzuriteFixture azurite)
{
    private readonly AzuriteBackend _backend = new(azurite);

    private CachedSuppressionStore Cache() => new(_backend.TableSuppressions(), new SuppressionCacheOptions(), _backend.Time);

    [Fact]
    public async Task AddAndRemove_ThroughTheCache_AreSeenAtOnce()
    {
        var cache = Cache();
        Assert.Null(await cache.GetAsync("hash-1"));

        await cache.AddAsync(new Suppression("hash-1", SuppressionReason.Unsubscribed, TestData.T0, null));
        var added = await cache.GetAsync("hash-1");
        Assert.True(await cache.RemoveAsync("hash-1"));
        var removed = await cache.GetAsync("hash-1");

        Assert.Equal(SuppressionReason.Unsubscribed, added?.Reason);
        Assert.Null(removed);
    }

    [Fact]
    public async Task GetAsync_WithinTheTtl_CostsNoRequest()
    {
        var cache = Cache();
        await cache.GetAsync("hash-2");

        var before = _backend.RequestCount;
        Assert.Null(await cache.GetAsync("hash-2"));

        Assert.Equal(before, _backend.RequestCount);
    }

    [Fact]
    public async Task GetAsync_AddedByAnotherProcess_IsSeenOnceTheTtlHasPassed()
    {
        var cache = Cache();
        Assert.Null(await cache.GetAsync("hash-3"));

        await _backend.TableSuppressions().AddAsync(new Suppression("hash-3", SuppressionReason.Bounced, TestData.T0, "elsewhere"));
        var withinTtl = await cache.GetAsync("hash-3");
        _backend.Time.Advance(TimeSpan.FromSeconds(5));
        var afterTtl = await cache.GetAsync("hash-3");

        Assert.Null(withinTtl);
        Assert.Equal(SuppressionReason.Bounced, afterTtl?.Reason);
    }
}

/// <summary>A lookup racing with an add of the same process must not cache its stale answer.</summary>
public sealed class CachedSuppressionStoreRaceTests
{
    [Fact]
    public async Task GetAsync_StartedBeforeAnAdd_DoesNotCacheTheStaleMiss()
    {
        var slowMiss = new TaskCompletionSource<Suppression?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stored = (Suppression?)null;
        var inner = new Mock<ISuppressionStore>(MockBehavior.Strict);
        inner.SetupSequence(s => s.GetAsync("h", It.IsAny<CancellationToken>()))
            .Returns(slowMiss.Task)
            .ReturnsAsync(() => stored);
        inner.Setup(s => s.AddAsync(It.IsAny<Suppression>(), It.IsAny<CancellationToken>()))
            .Returns((Suppression s, CancellationToken _) =>
            {
                stored = s;
                return Task.CompletedTask;
            });
        var cache = new CachedSuppressionStore(inner.Object, new SuppressionCacheOptions(), TimeProvider.System);

        var racing = cache.GetAsync("h");
        await cache.AddAsync(new Suppression("h", SuppressionReason.Complained, TestData.T0, null));
        slowMiss.SetResult(null);
        Assert.Null(await racing);

        Assert.Equal(SuppressionReason.Complained, (await cache.GetAsync("h"))?.Reason);
    }

    [Fact]
    public async Task GetAsync_ManyAddresses_StaysWithinMaxEntries()
    {
        var inner = new Mock<ISuppressionStore>();
        inner.Setup(s => s.GetAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((Suppression?)null);
        var cache = new CachedSuppressionStore(inner.Object, new SuppressionCacheOptions { MaxEntries = 10 }, TimeProvider.System);

        for (var i = 0; i < 25; i++)
        {
            await cache.GetAsync($"h{i}");
        }

        Assert.InRange(cache.Count, 1, 10);
    }
}
