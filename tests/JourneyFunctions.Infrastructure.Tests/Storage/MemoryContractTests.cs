namespace JourneyFunctions.Infrastructure.Tests.Storage;

// The contract suites against the in-memory stores. xunit makes one instance per test, so each test gets fresh stores.

public sealed class MemoryContactStoreTests : ContactStoreContract
{
    protected override IStorageBackend Backend { get; } = new MemoryBackend();
}

public sealed class MemoryJourneyStoreTests : JourneyStoreContract
{
    protected override IStorageBackend Backend { get; } = new MemoryBackend();
}

public sealed class MemoryRunStoreTests : RunStoreContract
{
    protected override IStorageBackend Backend { get; } = new MemoryBackend();
}

public sealed class MemorySendLedgerTests : SendLedgerContract
{
    protected override IStorageBackend Backend { get; } = new MemoryBackend();
}

public sealed class MemorySmallStoresTests : SmallStoresContract
{
    protected override IStorageBackend Backend { get; } = new MemoryBackend();
}

public sealed class MemoryStatsStoreTests : StatsStoreContract
{
    protected override IStorageBackend Backend { get; } = new MemoryBackend();
}

public sealed class MemoryLeaseStoreTests : LeaseStoreContract
{
    protected override IStorageBackend Backend { get; } = new MemoryBackend();
}

public sealed class MemoryEventQueueTests : EventQueueContract
{
    protected override IStorageBackend Backend { get; } = new MemoryBackend();
}
