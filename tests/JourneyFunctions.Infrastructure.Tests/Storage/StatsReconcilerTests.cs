using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.DependencyInjection;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary><see cref="StatsReconciler"/> on a real Azurite: counters a crash left behind are raised to the facts.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StatsReconcilerTests(AzuriteFixture azurite)
{
    private readonly AzuriteBackend _backend = new(azurite);

    [Fact]
    public async Task ReconcileAsync_CountsMissingAfterACrash_RaisesThemToTheRunsAndLedger()
    {
        await StoreFactsAsync();
        // What a killed process left: one "entered" of three and one "sent" of four were written, "finished" never.
        var stats = _backend.TableStats();
        await stats.IncrementAsync("welcome", null, StatCounters.Entered);
        await stats.IncrementAsync("welcome", "first", StatCounters.EmailsSent);

        var result = await _backend.Reconciler().ReconcileAsync(TimeSpan.Zero);

        var counters = await stats.GetAsync("welcome");
        Assert.Equal(3, counters[""][StatCounters.Entered]);
        Assert.Equal(2, counters[""][StatCounters.Finished]);
        Assert.Equal(1, counters[""][StatCounters.Cancelled]);
        Assert.Equal(4, counters["first"][StatCounters.EmailsSent]); // done, done, delivered, bounced
        Assert.Equal(1, counters["first"][StatCounters.Delivered]);
        Assert.Equal(1, counters["first"][StatCounters.Bounced]);
        Assert.Equal(1, counters["first"][StatCounters.EmailsSkipped]);
        Assert.False(counters.ContainsKey("tag-them")); // tags rows are no email
        Assert.Equal(1, (await stats.GetAsync("other"))[""][StatCounters.Entered]);
        Assert.Equal(4, result.Runs);
        Assert.Equal(2 + 2 + 1 + 3 + 1 + 1 + 1 + 1, result.Added); // entered, finished, cancelled, sent, delivered, bounced, skipped; other's entered

        // Facts and counters agree now: a second reconcile finds nothing missing and changes nothing.
        var again = await _backend.Reconciler().ReconcileAsync(TimeSpan.Zero);
        Assert.Equal(0, again.Added);
        Assert.Equal(Flatten(counters), Flatten(await stats.GetAsync("welcome")));
    }

    [Fact]
    public async Task ReconcileAsync_CounterAboveItsFacts_IsKept()
    {
        await StoreFactsAsync();
        var stats = _backend.TableStats();
        // Erasing contacts deletes their runs and ledger rows but keeps their counts: more counted than stored is history.
        await stats.IncrementAsync("welcome", null, StatCounters.Entered, 10);
        await stats.IncrementAsync("welcome", "first", StatCounters.EmailsSent, 7);

        await _backend.Reconciler().ReconcileAsync(TimeSpan.Zero);

        var counters = await stats.GetAsync("welcome");
        Assert.Equal(10, counters[""][StatCounters.Entered]);
        Assert.Equal(7, counters["first"][StatCounters.EmailsSent]);
        Assert.Equal(2, counters[""][StatCounters.Finished]);
    }

    [Fact]
    public async Task ReconcileAsync_TwoInstancesAtOnce_RaiseOnlyOnce()
    {
        await StoreFactsAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => _backend.Reconciler().ReconcileAsync(TimeSpan.Zero))));

        var counters = await _backend.TableStats().GetAsync("welcome");
        Assert.Equal(3, counters[""][StatCounters.Entered]);
        Assert.Equal(4, counters["first"][StatCounters.EmailsSent]);
    }

    [Fact]
    public async Task ReconcileAsync_CountsPendingInThisProcess_AreFlushedNotCountedTwice()
    {
        await StoreFactsAsync();
        await using var buffer = new BufferedStatsStore(_backend.TableStats(), new StatsBufferOptions { FlushInterval = TimeSpan.FromHours(1) }, _backend.Time);
        // The live runner counted every fact, but its buffer has not written them yet.
        await buffer.IncrementAsync("welcome", null, StatCounters.Entered, 3);
        await buffer.IncrementAsync("welcome", "first", StatCounters.EmailsSent, 4);

        await _backend.Reconciler(buffer).ReconcileAsync(TimeSpan.Zero);

        var counters = await _backend.TableStats().GetAsync("welcome");
        Assert.Equal(3, counters[""][StatCounters.Entered]);
        Assert.Equal(4, counters["first"][StatCounters.EmailsSent]);
        Assert.Equal(0, buffer.PendingCounters);
    }

    [Fact]
    public async Task StatsBufferFlush_AzureStorage_ReconcilesAtStartAndAgainEveryInterval()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureStorage",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = _backend.TablePrefix,
            ["Storage:QueueName"] = _backend.QueueName,
            ["Storage:StatsReconcile:SettleTime"] = "00:00:00",
            ["Storage:StatsReconcile:Interval"] = "00:00:00.200",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddJourneyStorage(configuration);
        await using var provider = services.BuildServiceProvider();
        using var flush = new StatsBufferFlush(provider, NullLogger<StatsBufferFlush>.Instance);
        await StoreFactsAsync();
        var stats = _backend.TableStats();

        await ((IHostedService)flush).StartAsync(CancellationToken.None);
        await WaitUntilAsync(async () => (await stats.GetAsync("welcome")).GetValueOrDefault("")?.GetValueOrDefault(StatCounters.Entered) == 3);

        // A fact stored while the host runs, whose count its writer never wrote: the next pass counts it.
        await _backend.Runs().CreateAsync(TestData.Run("welcome", "late"));
        await WaitUntilAsync(async () => (await stats.GetAsync("welcome"))[""][StatCounters.Entered] == 4);
        await ((IHostedService)flush).StopAsync(CancellationToken.None);
        Assert.Equal(4, (await stats.GetAsync("welcome"))[""][StatCounters.Entered]);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the reconcile did not run in 30 s");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Journey "welcome": three runs (two finished, one cancelled) and email rows of step "first" in every status;
    /// journey "other": one waiting run.
    /// </summary>
    private async Task StoreFactsAsync()
    {
        var runs = _backend.Runs();
        var ledger = _backend.Ledger();
        foreach (var (contact, reason) in new[] { ("c-1", CompletionReason.Finished), ("c-2", CompletionReason.Finished), ("c-3", CompletionReason.Cancelled) })
        {
            var created = await runs.CreateAsync(TestData.Run("welcome", contact));
            await runs.UpdateAsync(TestData.Completed(created.State, TestData.T0.AddHours(1)) with { Completion = reason }, created.ETag);
        }

        await runs.CreateAsync(TestData.Waiting(TestData.Run("other", "c-1"), TestData.T0.AddDays(1)));

        var statuses = new[] { LedgerStatus.Done, LedgerStatus.Done, LedgerStatus.Delivered, LedgerStatus.Bounced, LedgerStatus.Skipped, LedgerStatus.Reserved };
        for (var i = 0; i < statuses.Length; i++)
        {
            var entry = new LedgerEntry
            {
                RunId = RunIds.For("welcome", $"c-{i}", null),
                StepId = "first",
                OperationId = $"op-{i}",
                JourneyId = "welcome",
                ContactId = $"c-{i}",
                Kind = "email",
                Status = LedgerStatus.Reserved,
                At = TestData.T0,
            };
            Assert.True(await ledger.TryReserveAsync(entry));
            if (statuses[i] != LedgerStatus.Reserved)
            {
                await ledger.CompleteAsync(entry with { Status = statuses[i], MessageId = $"m-{i}" });
            }
        }

        var tags = new LedgerEntry
        {
            RunId = RunIds.For("welcome", "c-1", null),
            StepId = "tag-them",
            OperationId = "op-tags",
            JourneyId = "welcome",
            ContactId = "c-1",
            Kind = "tags",
            Status = LedgerStatus.Reserved,
            At = TestData.T0,
        };
        Assert.True(await ledger.TryReserveAsync(tags));
        await ledger.CompleteAsync(tags with { Status = LedgerStatus.Done });
    }

    private static List<string> Flatten(IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> counters) =>
        [.. counters.SelectMany(s => s.Value.Select(c => $"{s.Key}/{c.Key}={c.Value}")).Order(StringComparer.Ordinal)];
}
