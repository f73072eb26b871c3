using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

// The contract suites against the Azure implementations on a real Azurite. Each test gets its own table prefix.

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteContactStoreTests(AzuriteFixture azurite) : ContactStoreContract
{
    protected override IStorageBackend Backend { get; } = new AzuriteBackend(azurite);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteJourneyStoreTests(AzuriteFixture azurite) : JourneyStoreContract
{
    protected override IStorageBackend Backend { get; } = new AzuriteBackend(azurite);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteRunStoreTests(AzuriteFixture azurite) : RunStoreContract
{
    protected override IStorageBackend Backend { get; } = new AzuriteBackend(azurite);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteSendLedgerTests(AzuriteFixture azurite) : SendLedgerContract
{
    protected override IStorageBackend Backend { get; } = new AzuriteBackend(azurite);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteSmallStoresTests(AzuriteFixture azurite) : SmallStoresContract
{
    protected override IStorageBackend Backend { get; } = new AzuriteBackend(azurite);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteStatsStoreTests(AzuriteFixture azurite) : StatsStoreContract
{
    protected override IStorageBackend Backend { get; } = new AzuriteBackend(azurite);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteLeaseStoreTests(AzuriteFixture azurite) : LeaseStoreContract
{
    protected override IStorageBackend Backend { get; } = new AzuriteBackend(azurite);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteEventQueueTests(AzuriteFixture azurite) : EventQueueContract
{
    protected override IStorageBackend Backend { get; } = new AzuriteBackend(azurite);
}
