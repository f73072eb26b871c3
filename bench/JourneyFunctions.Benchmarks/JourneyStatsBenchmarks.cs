using BenchmarkDotNet.Attributes;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Memory;
using JourneyFunctions.Infrastructure.Storage;

namespace JourneyFunctions.Benchmarks;

/// <summary>
/// What the journey page's stats cost with many runs in the store (issue 13.8): <see cref="ScanActiveRuns"/> is how
/// <see cref="JourneyStatsService"/> answered before (the counters plus one read of every active run of the journey,
/// for "active" and "waiting now"), <see cref="FromCounters"/> how it answers now (the counters only, the waiting
/// gauge included). Memory storage holds 100,000 waiting runs; Azurite (set <c>JOURNEYS_BENCH_AZURITE</c> to its
/// connection string) 10,000, as seeding more takes minutes on a shared machine. Run in process (the seeding is per
/// process): <c>--filter '*JourneyStats*' --inProcess --strategy Monitoring --launchCount 1 --warmupCount 2 --iterationCount 7</c>.
/// </summary>
public class JourneyStatsBenchmarks
{
    private const string JourneyId = "abandoned-cart";

    private IStatsStore _stats = null!;
    private IRunStore _runs = null!;
    private JourneyStatsService _service = null!;

    [Params("memory", "azurite")]
    public string Backend { get; set; } = "memory";

    public int Runs => Backend == "memory" ? 100_000 : 10_000;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public async Task<long> ScanActiveRuns()
    {
        var counters = await _stats.GetAsync(JourneyId);
        var waiting = new Dictionary<string, long>(StringComparer.Ordinal);
        long active = 0;
        await foreach (var run in _runs.ListActiveForJourneyAsync(JourneyId))
        {
            active++;
            if (run.StepId is { } stepId)
            {
                waiting[stepId] = waiting.GetValueOrDefault(stepId) + 1;
            }
        }

        return active + counters.Count + waiting.Count;
    }

    [Benchmark]
    public async Task<long> FromCounters() => (await _service.GetAsync(JourneyId))!.Active;

    private async Task SetupAsync()
    {
        var journey = JourneyJson.DeserializeJourney(await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "journeys", JourneyId + ".json")));
        var time = TimeProvider.System;
        if (Backend == "memory")
        {
            _runs = new MemoryRunStore();
            _stats = new MemoryStatsStore();
        }
        else
        {
            var connection = Environment.GetEnvironmentVariable("JOURNEYS_BENCH_AZURITE")
                ?? throw new InvalidOperationException("Set JOURNEYS_BENCH_AZURITE to the Azurite connection string.");
            var tables = new StorageTables(StorageClients.CreateTableService(new StorageOptions { Provider = StorageProvider.AzureStorage, ConnectionString = connection }), "b" + Guid.NewGuid().ToString("N")[..10]);
            _runs = new TableRunStore(tables, time);
            _stats = new TableStatsStore(tables);
        }

        var start = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, Runs), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var contactId = $"c-{i:D6}";
            await _runs.CreateAsync(
                new RunState
                {
                    RunId = RunIds.For(JourneyId, contactId, $"cart-{i}"),
                    JourneyId = JourneyId,
                    Version = 1,
                    ContactId = contactId,
                    Key = $"cart-{i}",
                    Status = RunStatus.Waiting,
                    StepId = "grace",
                    Sequence = 1,
                    StartedAt = start,
                    Wait = new RunWait { StepId = "grace", Sequence = 1, Until = start.AddHours(1) },
                },
                ct);
        });
        await _stats.IncrementAsync(JourneyId, null, StatCounters.Entered, Runs);
        await _stats.IncrementAsync(JourneyId, "grace", StatCounters.Visited, Runs);
        await _stats.IncrementAsync(JourneyId, "grace", StatCounters.Waiting, Runs);
        _service = new JourneyStatsService(_stats, new OneJourney(journey));
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JourneyFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Run the benchmarks from inside the repository.");
    }

    private sealed class OneJourney(JourneyDefinition journey) : IJourneyCatalog
    {
        public Task<IReadOnlyList<CatalogEntry>> GetLatestAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<CatalogEntry>>([new CatalogEntry(journey, false)]);

        public Task<JourneyDefinition?> GetVersionAsync(string journeyId, int version, CancellationToken cancellationToken = default) =>
            Task.FromResult<JourneyDefinition?>(journey);

        public void Invalidate()
        {
        }
    }
}
