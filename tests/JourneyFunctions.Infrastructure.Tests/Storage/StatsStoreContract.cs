using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>The <see cref="IStatsStore"/> contract, run against every implementation.</summary>
public abstract class StatsStoreContract
{
    protected abstract IStorageBackend Backend { get; }

    [Fact]
    public async Task GetAsync_NoCounters_ReturnsEmpty()
    {
        Assert.Empty(await Backend.Stats().GetAsync("welcome"));
    }

    [Fact]
    public async Task IncrementAsync_JourneyAndStepCounters_AreSeparate()
    {
        var stats = Backend.Stats();
        await stats.IncrementAsync("welcome", null, StatCounters.Entered);
        await stats.IncrementAsync("welcome", null, StatCounters.Entered, 2);
        await stats.IncrementAsync("welcome", "email-1", StatCounters.EmailsSent);
        await stats.IncrementAsync("welcome", "email-1", StatCounters.Delivered, 5);
        await stats.IncrementAsync("welcome", "email/2#?", StatCounters.Visited);
        await stats.IncrementAsync("welcome", "email-1", StatCounters.Delivered, -1);
        await stats.IncrementAsync("other", null, StatCounters.Entered);

        var counters = await stats.GetAsync("welcome");

        Assert.Equal(3, counters[""][StatCounters.Entered]);
        Assert.Equal(1, counters["email-1"][StatCounters.EmailsSent]);
        Assert.Equal(4, counters["email-1"][StatCounters.Delivered]);
        Assert.Equal(1, counters["email/2#?"][StatCounters.Visited]);
        Assert.Equal(3, counters.Count);
        Assert.Equal(1, (await stats.GetAsync("other"))[""][StatCounters.Entered]);
    }

    [Fact]
    public async Task IncrementAsync_Concurrent_SumsAcrossShardsWithoutLoss()
    {
        var stats = Backend.Stats();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => stats.IncrementAsync("welcome", "email-1", StatCounters.EmailsSent, i % 2 == 0 ? 1 : 2)));

        Assert.Equal(60, (await stats.GetAsync("welcome"))["email-1"][StatCounters.EmailsSent]);
    }
}
