using Azure.Core;
using Azure.Core.Pipeline;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>
/// The Azure stores against the shared Azurite, with a table prefix and queue name of their own (so tests never see
/// each other's rows) and a pipeline policy that counts every request sent.
/// </summary>
public sealed class AzuriteBackend : IStorageBackend
{
    private readonly CountingPolicy _counter = new();
    private readonly StorageTables _tables;
    private readonly Azure.Storage.Queues.QueueServiceClient _queues;

    public string TablePrefix { get; }

    public string QueueName { get; }

    public AzuriteBackend(AzuriteFixture azurite)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var options = new StorageOptions { Provider = StorageProvider.AzureStorage, ConnectionString = azurite.ConnectionString };
        TablePrefix = "t" + id;
        QueueName = "q-" + id;
        _tables = new StorageTables(StorageClients.CreateTableService(options, policies: _counter), TablePrefix);
        _queues = StorageClients.CreateQueueService(options, policies: _counter);
    }

    public FakeTimeProvider Time { get; } = new(TestData.T0);

    /// <summary>The backend's tables, to write rows as an earlier version did.</summary>
    public StorageTables Tables => _tables;

    public int RequestCount => _counter.Count;

    /// <summary>The address hash of the contact store's email index.</summary>
    public JourneyFunctions.Core.Security.AddressHasher Hasher { get; } = new("azurite-backend-contact-email-index-key-0123");

    public IContactStore Contacts() => new TableContactStore(_tables, Hasher);

    public IJourneyStore Journeys() => new TableJourneyStore(_tables, Time);

    public IRunStore Runs() => new TableRunStore(_tables, Time);

    /// <summary>A run store whose stale timer rows are deleted after <paramref name="staleTimerGrace"/> on <see cref="Time"/>.</summary>
    public IRunStore Runs(TimeSpan staleTimerGrace) =>
        new TableRunStore(_tables, Time, Microsoft.Extensions.Options.Options.Create(new StorageOptions { StaleTimerGrace = staleTimerGrace }));

    public ISendLedger Ledger() => new TableSendLedger(_tables);

    public ISuppressionStore Suppressions() => new TableSuppressionStore(_tables, Time);

    public ITimelineStore Timeline() => new TableTimelineStore(_tables);

    public IStatsStore Stats() => StatsDecorator is { } decorate ? decorate(new TableStatsStore(_tables), Time) : new TableStatsStore(_tables);

    /// <summary>Wraps every store <see cref="Stats"/> returns (the buffered stats contract runs through it).</summary>
    public Func<TableStatsStore, TimeProvider, IStatsStore>? StatsDecorator { get; init; }

    /// <summary>The table store itself, bypassing any decorator: what another process would read.</summary>
    public TableStatsStore TableStats() => new(_tables);

    public TableSuppressionStore TableSuppressions() => new(_tables, Time);

    /// <summary>The stats reconciler over this backend's tables (and a buffer of this "process", if any).</summary>
    public StatsReconciler Reconciler(BufferedStatsStore? buffer = null) => new(_tables, new TableStatsStore(_tables), Time, buffer);

    public IProcessedEventStore ProcessedEvents() => new TableProcessedEventStore(_tables);

    public IContactTombstones Tombstones() => new TableContactTombstones(_tables);

    public ILeaseStore Leases() => new TableLeaseStore(_tables, Time);

    public IEventQueue Queue() => new AzureEventQueue(_queues, QueueName, Time);

    public IContactWork Work() => new TableContactWork(_tables);

    public Task EnqueueRawAsync(IEventQueue queue, string body) => ((AzureEventQueue)queue).EnqueueRawAsync(body);

    /// <summary>Counts requests as they go out (per retry: every attempt is a billed storage operation).</summary>
    private sealed class CountingPolicy : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
