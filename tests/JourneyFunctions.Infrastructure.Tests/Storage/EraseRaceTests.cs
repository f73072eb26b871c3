using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>
/// An input whose unit of work read the contact's partition before an erase wrote its tombstone must not commit
/// after it, on a real Azurite: the commit carries row <c>d</c> as its snapshot saw it, so it fails with a
/// concurrency conflict and the input, applied again, sees the tombstone.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteEraseRaceTests(AzuriteFixture azurite)
{
    private readonly AzuriteBackend _backend = new(azurite);

    [Fact]
    public async Task Commit_OfANewContactReadBeforeTheErase_FailsAndWritesNothing()
    {
        var work = _backend.Work();
        var tombstones = _backend.Tombstones();
        var runs = _backend.Runs();
        await runs.CreateAsync(TestData.Run("warm-up", "other")); // creates the tables

        await using (var scope = work.Begin("race-new"))
        {
            Assert.False(await tombstones.ContainsAsync("race-new"));
            await _backend.Contacts().SaveAsync(TestData.Contact("race-new"));
            await runs.CreateAsync(TestData.Run("welcome", "race-new"));

            // The erase of another worker lands between this input's read and its commit.
            await _backend.Tombstones().MarkAsync("race-new", TestData.T0);

            await Assert.ThrowsAsync<ConcurrencyException>(() => scope.CommitAsync());
        }

        Assert.Null(await _backend.Contacts().GetAsync("race-new"));
        Assert.Empty(await runs.ListForContactAsync("race-new"));
        Assert.True(await tombstones.ContainsAsync("race-new"));
    }

    [Fact]
    public async Task Commit_OfAnExistingContactReadBeforeTheErase_FailsAndWritesNothing()
    {
        var work = _backend.Work();
        var tombstones = _backend.Tombstones();
        var runs = _backend.Runs();
        await using (var first = work.Begin("race-old"))
        {
            await _backend.Contacts().SaveAsync(TestData.Contact("race-old"));
            await first.CommitAsync();
        }

        // The commit left the guard row: not a tombstone.
        Assert.False(await tombstones.ContainsAsync("race-old"));
        Assert.False(await tombstones.RemoveAsync("race-old"));

        await using (var scope = work.Begin("race-old"))
        {
            Assert.False(await tombstones.ContainsAsync("race-old"));
            await _backend.ProcessedEvents().MarkAsync("race-old", "e-1", TestData.T0);
            await runs.CreateAsync(TestData.Run("welcome", "race-old"));

            await _backend.Tombstones().MarkAsync("race-old", TestData.T0);

            await Assert.ThrowsAsync<ConcurrencyException>(() => scope.CommitAsync());
        }

        Assert.Empty(await runs.ListForContactAsync("race-old"));
        Assert.False(await _backend.ProcessedEvents().ContainsAsync("race-old", "e-1"));

        // Applied again, the input sees the tombstone; lifting it (an upsert) makes the contact live again.
        await using (var again = work.Begin("race-old"))
        {
            Assert.True(await tombstones.ContainsAsync("race-old"));
        }

        Assert.True(await tombstones.RemoveAsync("race-old"));
        Assert.False(await tombstones.ContainsAsync("race-old"));
    }
}
