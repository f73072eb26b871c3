using Azure;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Moq;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>The whole <see cref="IStatsStore"/> contract through the buffer, on Azurite (reads include pending counters).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteBufferedStatsStoreContractTests(AzuriteFixture azurite) : StatsStoreContract
{
    protected override IStorageBackend Backend { get; } = new AzuriteBackend(azurite)
    {
        StatsDecorator = (table, time) => new BufferedStatsStore(table, new StatsBufferOptions(), time),
    };
}

/// <summary><see cref="BufferedStatsStore"/> over <see cref="TableStatsStore"/> on a real Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteBufferedStatsStoreTests(AzuriteFixture azurite)
{
    private readonly AzuriteBackend _backend = new(azurite);

    private BufferedStatsStore Buffer(StatsBufferOptions? options = null) =>
        new(_backend.TableStats(), options ?? new StatsBufferOptions(), _backend.Time);

    [Fact]
    public async Task TwoBuffers_ConcurrentIncrementsAndFlushes_SumExactly()
    {
        await using var a = Buffer();
        await using var b = Buffer();
        var counters = new[] { StatCounters.Visited, StatCounters.EmailsSent, StatCounters.Entered };

        // Two "processes" increment the same counters and flush at the same time, racing on the same shard rows.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(round => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                var store = (round + i) % 2 == 0 ? a : b;
                await store.IncrementAsync("race", i % 3 == 2 ? null : "step-1", counters[i % 3]);
                if (i % 10 == 9)
                {
                    await store.FlushAsync();
                }
            }
        })));
        await a.FlushAsync();
        await b.FlushAsync();

        var stored = await _backend.TableStats().GetAsync("race");
        Assert.Equal(8 * 17, stored["step-1"][StatCounters.Visited]);
        Assert.Equal(8 * 17, stored["step-1"][StatCounters.EmailsSent]);
        Assert.Equal(8 * 16, stored[""][StatCounters.Entered]);
        Assert.Equal(0, a.PendingCounters);
        Assert.Equal(0, b.PendingCounters);
    }

    [Fact]
    public async Task IncrementAsync_UntilDisposed_IsWrittenOnDisposeOnly()
    {
        var buffer = Buffer();
        await buffer.IncrementAsync("dispose", "email-1", StatCounters.EmailsSent, 3);
        await buffer.IncrementAsync("dispose", null, StatCounters.Entered);

        var before = await _backend.TableStats().GetAsync("dispose");
        await buffer.DisposeAsync();
        var after = await _backend.TableStats().GetAsync("dispose");

        Assert.Empty(before);
        Assert.Equal(3, after["email-1"][StatCounters.EmailsSent]);
        Assert.Equal(1, after[""][StatCounters.Entered]);
    }

    [Fact]
    public async Task GetAsync_StoredAndPending_ReturnsTheirSum()
    {
        await using var buffer = Buffer();
        await buffer.IncrementAsync("reads", "s", StatCounters.Visited, 2);
        await buffer.FlushAsync();
        await buffer.IncrementAsync("reads", "s", StatCounters.Visited, 5);
        await buffer.IncrementAsync("reads", "t", StatCounters.Visited);

        var through = await buffer.GetAsync("reads");
        var stored = await _backend.TableStats().GetAsync("reads");

        Assert.Equal(7, through["s"][StatCounters.Visited]);
        Assert.Equal(1, through["t"][StatCounters.Visited]);
        Assert.Equal(2, stored["s"][StatCounters.Visited]);
        Assert.False(stored.ContainsKey("t"));
    }

    [Fact]
    public async Task FlushAsync_ManyIncrementsOfOneJourney_IsOneReadAndOneTransaction()
    {
        await using var buffer = Buffer();
        await buffer.IncrementAsync("cost", null, StatCounters.Entered);
        await buffer.FlushAsync(); // creates the table and the first rows
        for (var i = 0; i < 300; i++)
        {
            await buffer.IncrementAsync("cost", $"step-{i % 5}", StatCounters.Visited);
        }

        var before = _backend.RequestCount;
        await buffer.FlushAsync();
        var requests = _backend.RequestCount - before;

        Assert.Equal(2, requests);
        var stored = await _backend.TableStats().GetAsync("cost");
        Assert.All(Enumerable.Range(0, 5), i => Assert.Equal(60, stored[$"step-{i}"][StatCounters.Visited]));
    }

    [Fact]
    public async Task Timer_AfterTheInterval_FlushesInTheBackground()
    {
        await using var buffer = Buffer(new StatsBufferOptions { FlushInterval = TimeSpan.FromSeconds(1) });
        await buffer.IncrementAsync("timer", null, StatCounters.Entered, 4);

        _backend.Time.Advance(TimeSpan.FromSeconds(1));

        await WaitForAsync(async () => (await _backend.TableStats().GetAsync("timer")).TryGetValue("", out var c) && c[StatCounters.Entered] == 4);
    }

    [Fact]
    public async Task IncrementAsync_ThresholdReached_FlushesWithoutWaitingForTheTimer()
    {
        await using var buffer = Buffer(new StatsBufferOptions { MaxPendingCounters = 3, FlushInterval = TimeSpan.FromHours(1) });
        await buffer.IncrementAsync("threshold", "a", StatCounters.Visited);
        await buffer.IncrementAsync("threshold", "b", StatCounters.Visited);
        await buffer.IncrementAsync("threshold", "c", StatCounters.Visited);

        await WaitForAsync(async () => (await _backend.TableStats().GetAsync("threshold")).Count == 3);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the background flush");
            await Task.Delay(25);
        }
    }
}

/// <summary><see cref="BufferedStatsStore"/> when the store fails: nothing is dropped and nothing is counted twice.</summary>
public sealed class BufferedStatsStoreFailureTests
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Empty =
        new Dictionary<string, IReadOnlyDictionary<string, long>>();

    [Fact]
    public async Task FlushAsync_BatchWriteFails_KeepsTheDeltasAndRetriesThemMerged()
    {
        var written = new List<StatDelta>();
        var failures = 2;
        var inner = new Mock<IStatsBatchStore>(MockBehavior.Strict);
        inner.Setup(s => s.GetAsync("j", It.IsAny<CancellationToken>())).ReturnsAsync(Empty);
        inner.Setup(s => s.IncrementManyAsync("j", It.IsAny<IReadOnlyList<StatDelta>>(), It.IsAny<CancellationToken>()))
            .Returns((string _, IReadOnlyList<StatDelta> deltas, CancellationToken _) =>
            {
                if (failures-- > 0)
                {
                    throw new RequestFailedException(503, "storage is down");
                }

                written.AddRange(deltas);
                return Task.CompletedTask;
            });
        await using var buffer = new BufferedStatsStore(inner.Object, new StatsBufferOptions { FlushInterval = TimeSpan.FromHours(1) }, TimeProvider.System);

        await buffer.IncrementAsync("j", "s", StatCounters.EmailsSent, 2);
        await Assert.ThrowsAsync<RequestFailedException>(() => buffer.FlushAsync());
        await buffer.IncrementAsync("j", "s", StatCounters.EmailsSent);
        await buffer.IncrementAsync("j", null, StatCounters.Entered);
        await Assert.ThrowsAsync<RequestFailedException>(() => buffer.FlushAsync());
        var whileDown = await buffer.GetAsync("j");
        await buffer.FlushAsync();

        Assert.Equal(3, whileDown["s"][StatCounters.EmailsSent]);
        Assert.Equal(1, whileDown[""][StatCounters.Entered]);
        Assert.Equal(2, written.Count);
        Assert.Contains(new StatDelta("s", StatCounters.EmailsSent, 3), written);
        Assert.Contains(new StatDelta(string.Empty, StatCounters.Entered, 1), written);
        Assert.Equal(0, buffer.PendingCounters);
    }

    [Fact]
    public async Task FlushAsync_PlainStoreFailsMidway_RetriesOnlyWhatWasNotWritten()
    {
        var written = new Dictionary<string, long>();
        var failNext = true;
        var inner = new Mock<IStatsStore>(MockBehavior.Strict);
        inner.Setup(s => s.IncrementAsync("j", It.IsAny<string?>(), It.IsAny<string>(), It.IsAny<long>(), It.IsAny<CancellationToken>()))
            .Returns((string _, string? step, string counter, long delta, CancellationToken _) =>
            {
                if (counter == StatCounters.Exited && failNext)
                {
                    failNext = false;
                    throw new RequestFailedException(500, "boom");
                }

                written[$"{step}|{counter}"] = written.GetValueOrDefault($"{step}|{counter}") + delta;
                return Task.CompletedTask;
            });
        await using var buffer = new BufferedStatsStore(inner.Object, new StatsBufferOptions { FlushInterval = TimeSpan.FromHours(1) }, TimeProvider.System);
        await buffer.IncrementAsync("j", "a", StatCounters.Visited, 4);
        await buffer.IncrementAsync("j", "a", StatCounters.Exited, 1);
        await buffer.IncrementAsync("j", "b", StatCounters.Visited, 2);

        await Assert.ThrowsAsync<RequestFailedException>(() => buffer.FlushAsync());
        await buffer.FlushAsync();

        Assert.Equal(4, written["a|visited"]);
        Assert.Equal(1, written["a|exited"]);
        Assert.Equal(2, written["b|visited"]);
    }

    [Fact]
    public async Task DisposeAsync_StoreDownThenUp_RetriesTheFinalFlush()
    {
        var calls = 0;
        var inner = new Mock<IStatsBatchStore>(MockBehavior.Strict);
        inner.Setup(s => s.IncrementManyAsync("j", It.IsAny<IReadOnlyList<StatDelta>>(), It.IsAny<CancellationToken>()))
            .Returns(() => ++calls == 1 ? Task.FromException(new RequestFailedException(503, "busy")) : Task.CompletedTask);
        var buffer = new BufferedStatsStore(inner.Object, new StatsBufferOptions(), TimeProvider.System);
        await buffer.IncrementAsync("j", null, StatCounters.Entered);

        await buffer.DisposeAsync();

        Assert.Equal(2, calls);
        Assert.Equal(0, buffer.PendingCounters);
    }
}
