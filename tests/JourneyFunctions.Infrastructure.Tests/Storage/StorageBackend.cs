using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Memory;
using Microsoft.Extensions.Time.Testing;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>
/// Builds the store under test for one contract suite: the memory backend or Azurite. Each instance is a fresh,
/// empty store set (Azurite: a unique table prefix and queue name), sharing one <see cref="Time"/>.
/// </summary>
public interface IStorageBackend
{
    FakeTimeProvider Time { get; }

    IContactStore Contacts();

    IJourneyStore Journeys();

    IRunStore Runs();

    ISendLedger Ledger();

    ISuppressionStore Suppressions();

    ITimelineStore Timeline();

    IStatsStore Stats();

    IProcessedEventStore ProcessedEvents();

    IContactTombstones Tombstones();

    ILeaseStore Leases();

    IEventQueue Queue();

    /// <summary>The unit of work over this backend's stores.</summary>
    IContactWork Work();

    /// <summary>Puts a raw body on the queue, as another producer could.</summary>
    Task EnqueueRawAsync(IEventQueue queue, string body);

    /// <summary>Storage requests sent so far (0 for memory, which sends none).</summary>
    int RequestCount { get; }
}

public sealed class MemoryBackend : IStorageBackend
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    public int RequestCount => 0;

    public IContactStore Contacts() => new MemoryContactStore();

    public IJourneyStore Journeys() => new MemoryJourneyStore(Time);

    public IRunStore Runs() => new MemoryRunStore();

    public ISendLedger Ledger() => new MemorySendLedger();

    public ISuppressionStore Suppressions() => new MemorySuppressionStore();

    public ITimelineStore Timeline() => new MemoryTimelineStore();

    public IStatsStore Stats() => new MemoryStatsStore();

    public IProcessedEventStore ProcessedEvents() => new MemoryProcessedEventStore();

    public IContactTombstones Tombstones() => new MemoryContactTombstones();

    public ILeaseStore Leases() => new MemoryLeaseStore(Time);

    public IEventQueue Queue() => new MemoryEventQueue(Time);

    public IContactWork Work() => ImmediateContactWork.Instance;

    public Task EnqueueRawAsync(IEventQueue queue, string body) => ((MemoryEventQueue)queue).EnqueueRawAsync(body);
}
