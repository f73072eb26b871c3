using Azure.Data.Tables;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>
/// The <see cref="IContactWork"/> contract: what an input writes inside a unit of work is stored once it commits, a
/// race lost against another writer surfaces as <see cref="ConcurrencyException"/>, erase leaves nothing behind. Run
/// against every implementation (in memory the scope is a no-op and writes happen at once).
/// </summary>
public abstract class ContactWorkContract
{
    protected abstract IStorageBackend Backend { get; }

    /// <summary>Runs <paramref name="action"/> outside the ambient unit of work, as another worker would.</summary>
    protected static async Task Outside(Func<Task> action)
    {
        Task task;
        using (ExecutionContext.SuppressFlow())
        {
            task = Task.Run(action);
        }

        await task;
    }

    protected static LedgerEntry Entry(string runId, string operationId, string contactId = "c-1") => new()
    {
        RunId = runId, StepId = "welcome", OperationId = operationId, JourneyId = "welcome", ContactId = contactId,
        Kind = "email", Status = LedgerStatus.Reserved, At = TestData.T0,
    };

    [Fact]
    public async Task Commit_EveryRowOfAnInput_IsStored()
    {
        var (work, contacts, runs, ledger, timeline, processed) = Stores();
        var run = TestData.Run("welcome", "c-1");

        await using (var scope = work.Begin("c-1"))
        {
            await contacts.SaveAsync(TestData.Contact("c-1", "vip"));
            var created = await runs.CreateAsync(run);
            await runs.UpdateAsync(TestData.Waiting(created.State, TestData.T0.AddHours(1)), created.ETag);
            Assert.True(await ledger.TryReserveAsync(Entry(run.RunId, "op-1")));
            var reserved = (await ledger.GetAsync("c-1", run.RunId, "op-1"))!;
            await ledger.CompleteAsync(reserved with { Status = LedgerStatus.Done, MessageId = "m-1" });
            await timeline.AppendAsync("c-1", [new TimelineEntry(TestData.T0, "event", "cart.updated")]);
            await processed.MarkAsync("c-1", "e-1", TestData.T0);
            await scope.CommitAsync();
        }

        Assert.Contains("vip", (await contacts.GetAsync("c-1"))!.Tags);
        Assert.Equal(RunStatus.Waiting, (await runs.GetAsync(run.RunId))!.State.Status);
        Assert.Equal(run.RunId, Assert.Single(await runs.ListDueAsync(TestData.T0.AddHours(2), 10)).State.RunId);
        Assert.Equal(LedgerStatus.Done, (await ledger.FindByMessageIdAsync("m-1"))!.Status);
        Assert.Equal(1, await ledger.CountSentToContactAsync("c-1", TestData.T0.AddDays(-1)));
        Assert.Equal("cart.updated", Assert.Single(await timeline.ListAsync("c-1")).Message);
        Assert.True(await processed.ContainsAsync("c-1", "e-1"));
        Assert.False(await processed.ContainsAsync("c-1", "e-2"));
    }

    [Fact]
    public async Task Reads_InAScope_SeeTheScopesOwnWrites()
    {
        var (work, contacts, runs, ledger, _, processed) = Stores();
        await using var scope = work.Begin("c-1");
        var saved = await contacts.SaveAsync(TestData.Contact("c-1"));
        var created = await runs.CreateAsync(TestData.Run("welcome", "c-1"));
        await ledger.TryReserveAsync(Entry(created.State.RunId, "op-1"));
        await processed.MarkAsync("c-1", "e-1", TestData.T0);

        Assert.Equal(saved.ETag, (await contacts.GetAsync("c-1"))!.ETag);
        Assert.Equal(created.ETag, (await runs.GetAsync(created.State.RunId))!.ETag);
        Assert.Equal(created.State.RunId, Assert.Single(await runs.ListActiveForContactAsync("c-1")).State.RunId);
        Assert.Equal(created.State.RunId, (await runs.GetLatestAsync("welcome", "c-1", null))!.RunId);
        Assert.False(await ledger.TryReserveAsync(Entry(created.State.RunId, "op-1")));
        Assert.True(await processed.ContainsAsync("c-1", "e-1"));
        await Assert.ThrowsAsync<ConcurrencyException>(() => contacts.SaveAsync(TestData.Contact("c-1")));
        await Assert.ThrowsAsync<ConcurrencyException>(() => runs.CreateAsync(TestData.Run("welcome", "c-1")));
        await scope.CommitAsync();
    }

    [Fact]
    public async Task Commit_RowChangedByAnotherWriter_ThrowsConcurrency()
    {
        var (work, _, runs, _, _, _) = Stores();
        var created = await runs.CreateAsync(TestData.Run("welcome", "c-1"));

        await using var scope = work.Begin("c-1");
        var mine = (await runs.GetAsync(created.State.RunId))!;
        await Outside(async () =>
        {
            var theirs = (await runs.GetAsync(created.State.RunId))!;
            await runs.UpdateAsync(theirs.State with { Sequence = 5 }, theirs.ETag);
        });

        await Assert.ThrowsAsync<ConcurrencyException>(async () =>
        {
            await runs.UpdateAsync(mine.State with { Sequence = 9 }, mine.ETag);
            await scope.CommitAsync();
        });
        Assert.Equal(5, (await runs.GetAsync(created.State.RunId))!.State.Sequence);
    }

    [Fact]
    public async Task Begin_SameContactTwice_TheInnerJoinsAndTheOuterCommits()
    {
        var (work, contacts, _, _, timeline, _) = Stores();
        await using (var outer = work.Begin("c-1"))
        {
            await using (var inner = work.Begin("c-1"))
            {
                await contacts.SaveAsync(TestData.Contact("c-1"));
                await inner.CommitAsync();
            }

            await timeline.AppendAsync("c-1", [new TimelineEntry(TestData.T0, "event", "after the inner scope")]);
            await outer.CommitAsync();
        }

        Assert.NotNull(await contacts.GetAsync("c-1"));
        Assert.Single(await timeline.ListAsync("c-1"));
    }

    [Fact]
    public async Task Commit_MoreThanOneHundredRows_StoresThemAll()
    {
        var (work, contacts, _, _, timeline, processed) = Stores();
        await using (var scope = work.Begin("c-1"))
        {
            await contacts.SaveAsync(TestData.Contact("c-1"));
            await timeline.AppendAsync("c-1", [.. Enumerable.Range(0, 230).Select(i => new TimelineEntry(TestData.T0.AddSeconds(i), "event", $"e{i}"))]);
            await processed.MarkAsync("c-1", "e-1", TestData.T0);
            await scope.CommitAsync();
        }

        var listed = await timeline.ListAsync("c-1", 500);
        Assert.Equal(230, listed.Count);
        Assert.Equal("e229", listed[0].Message);
        Assert.True(await processed.ContainsAsync("c-1", "e-1"));
    }

    [Fact]
    public async Task Erase_AfterAnInput_LeavesNothingOfTheContact()
    {
        var (work, contacts, runs, ledger, timeline, processed) = Stores();
        var run = TestData.Waiting(TestData.Run("welcome", "c-1"), TestData.T0.AddHours(1));
        await using (var scope = work.Begin("c-1"))
        {
            await contacts.SaveAsync(TestData.Contact("c-1", "vip"));
            await runs.CreateAsync(run);
            await ledger.TryReserveAsync(Entry(run.RunId, "op-1"));
            await ledger.CompleteAsync(Entry(run.RunId, "op-1") with { Status = LedgerStatus.Done, MessageId = "m-1" });
            await timeline.AppendAsync("c-1", [new TimelineEntry(TestData.T0, "event", "x")]);
            await processed.MarkAsync("c-1", "e-1", TestData.T0);
            await scope.CommitAsync();
        }

        await runs.DeleteForContactAsync("c-1");
        await ledger.DeleteForContactAsync("c-1");
        await timeline.DeleteForContactAsync("c-1");
        Assert.True(await contacts.DeleteAsync("c-1"));

        Assert.Null(await contacts.GetAsync("c-1"));
        Assert.Empty(await runs.ListForContactAsync("c-1"));
        Assert.Empty(await runs.ListDueAsync(TestData.T0.AddHours(2), 10));
        Assert.Null(await ledger.GetAsync("c-1", run.RunId, "op-1"));
        Assert.Null(await ledger.FindByMessageIdAsync("m-1"));
        Assert.Empty(await timeline.ListAsync("c-1"));
        await foreach (var id in contacts.ListIdsByTagAsync("vip"))
        {
            Assert.Fail($"The tag index still names {id}.");
        }

        await AssertNothingLeftAsync("c-1");
    }

    /// <summary>Backend-specific check that no row of the contact is left anywhere.</summary>
    protected virtual Task AssertNothingLeftAsync(string contactId) => Task.CompletedTask;

    protected (IContactWork Work, IContactStore Contacts, IRunStore Runs, ISendLedger Ledger, ITimelineStore Timeline, IProcessedEventStore Processed) Stores() =>
        (Backend.Work(), Backend.Contacts(), Backend.Runs(), Backend.Ledger(), Backend.Timeline(), Backend.ProcessedEvents());
}

public sealed class MemoryContactWorkTests : ContactWorkContract
{
    protected override IStorageBackend Backend { get; } = new MemoryBackend();
}

/// <summary>The contract on Azurite, plus what only the Table Storage unit of work does: one read, one write, buffering.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteContactWorkTests(AzuriteFixture azurite) : ContactWorkContract
{
    private readonly AzuriteBackend _backend = new(azurite);

    protected override IStorageBackend Backend => _backend;

    [Fact]
    public async Task Reads_InAScope_AreServedByOneRangeQuery()
    {
        var (work, contacts, runs, ledger, _, processed) = Stores();
        await contacts.SaveAsync(TestData.Contact("c-1", "vip"));
        var first = await runs.CreateAsync(TestData.Run("welcome", "c-1"));
        await runs.CreateAsync(TestData.Run("cart", "c-1", "cart-7"));
        await ledger.TryReserveAsync(Entry(first.State.RunId, "op-1"));
        await processed.MarkAsync("c-1", "e-1", TestData.T0);

        var before = _backend.RequestCount;
        await using var scope = work.Begin("c-1");
        Assert.NotNull(await contacts.GetAsync("c-1"));
        Assert.NotNull(await runs.GetAsync(first.State.RunId));
        Assert.Equal(2, (await runs.ListActiveForContactAsync("c-1")).Count);
        Assert.NotNull(await runs.GetLatestAsync("cart", "c-1", "cart-7"));
        Assert.NotNull(await ledger.GetAsync("c-1", first.State.RunId, "op-1"));
        Assert.Equal(0, await ledger.CountSentToContactAsync("c-1", TestData.T0.AddDays(-1)));
        Assert.True(await processed.ContainsAsync("c-1", "e-1"));

        Assert.Equal(1, _backend.RequestCount - before);
    }

    [Fact]
    public async Task Writes_InAScope_AreInvisibleToOthersUntilOneTransactionCommitsThem()
    {
        var (work, contacts, runs, _, timeline, processed) = Stores();
        var created = await runs.CreateAsync(TestData.Run("welcome", "c-1"));

        await using var scope = work.Begin("c-1");
        var run = (await runs.GetAsync(created.State.RunId))!;
        await contacts.SaveAsync(TestData.Contact("c-1"));
        await runs.UpdateAsync(run.State with { Sequence = 7 }, run.ETag);
        await timeline.AppendAsync("c-1", [new TimelineEntry(TestData.T0, "event", "a"), new TimelineEntry(TestData.T0, "event", "b")]);
        await processed.MarkAsync("c-1", "e-1", TestData.T0);
        await Outside(async () =>
        {
            Assert.Null(await contacts.GetAsync("c-1"));
            Assert.Equal(1, (await runs.GetAsync(created.State.RunId))!.State.Sequence);
            Assert.Empty(await timeline.ListAsync("c-1"));
            Assert.False(await processed.ContainsAsync("c-1", "e-1"));
        });

        var before = _backend.RequestCount;
        await scope.CommitAsync();

        Assert.Equal(1, _backend.RequestCount - before);
        Assert.Equal(7, (await runs.GetAsync(created.State.RunId))!.State.Sequence);
        Assert.Equal(2, (await timeline.ListAsync("c-1")).Count);
    }

    [Fact]
    public async Task Dispose_WithoutCommit_DropsTheBufferedWrites()
    {
        var (work, contacts, _, _, timeline, _) = Stores();
        await using (var scope = work.Begin("c-1"))
        {
            await contacts.SaveAsync(TestData.Contact("c-1"));
            await timeline.AppendAsync("c-1", [new TimelineEntry(TestData.T0, "event", "a")]);
        }

        Assert.Null(await contacts.GetAsync("c-1"));
        Assert.Empty(await timeline.ListAsync("c-1"));
    }

    [Fact]
    public async Task TryReserve_InAScope_IsStoredAtOnceWithTheWritesBeforeIt()
    {
        var (work, contacts, _, ledger, _, _) = Stores();
        var runId = RunIds.For("welcome", "c-1", null);
        await using (var scope = work.Begin("c-1"))
        {
            await contacts.SaveAsync(TestData.Contact("c-1"));
            var before = _backend.RequestCount;
            Assert.True(await ledger.TryReserveAsync(Entry(runId, "op-1")));
            Assert.Equal(1, _backend.RequestCount - before);
            await Outside(async () =>
            {
                Assert.Equal(LedgerStatus.Reserved, (await ledger.GetAsync("c-1", runId, "op-1"))!.Status);
                Assert.NotNull(await contacts.GetAsync("c-1"));
            });

            // Later writes build on the flushed rows: the contact saved again with the ETag the scope gave it.
            var contact = (await contacts.GetAsync("c-1"))!;
            await contacts.SaveAsync(contact with { Email = "new@example.com" });
            await scope.CommitAsync();
        }

        Assert.Equal("new@example.com", (await contacts.GetAsync("c-1"))!.Email);
    }

    [Fact]
    public async Task Begin_SameContactTwice_InnerCommitWritesNothing()
    {
        var (work, contacts, _, _, _, _) = Stores();
        await using var outer = work.Begin("c-1");
        await using (var inner = work.Begin("c-1"))
        {
            Assert.False(inner.Owner);
            await contacts.SaveAsync(TestData.Contact("c-1"));
            await inner.CommitAsync();
        }

        await Outside(async () => Assert.Null(await contacts.GetAsync("c-1")));
        await outer.CommitAsync();
        Assert.NotNull(await contacts.GetAsync("c-1"));
    }

    [Fact]
    public async Task AfterCommitAsync_RunsAfterTheCommitAndNeverForAFailedOne()
    {
        var (work, _, runs, _, _, _) = Stores();
        var created = await runs.CreateAsync(TestData.Run("welcome", "c-1"));
        var ran = new List<string>();

        await using (var scope = work.Begin("c-1"))
        {
            var run = (await runs.GetAsync(created.State.RunId))!;
            await runs.UpdateAsync(run.State with { Sequence = 2 }, run.ETag);
            await work.AfterCommitAsync(_ => { ran.Add("first"); return Task.CompletedTask; });
            Assert.Empty(ran);
            await scope.CommitAsync();
        }

        await using (var scope = work.Begin("c-1"))
        {
            var run = (await runs.GetAsync(created.State.RunId))!;
            await runs.UpdateAsync(run.State with { Sequence = 3 }, run.ETag);
            await work.AfterCommitAsync(_ => { ran.Add("second"); return Task.CompletedTask; });
            await Outside(async () =>
            {
                var theirs = (await runs.GetAsync(created.State.RunId))!;
                await runs.UpdateAsync(theirs.State with { Sequence = 9 }, theirs.ETag);
            });
            await Assert.ThrowsAsync<ConcurrencyException>(() => scope.CommitAsync());
        }

        Assert.Equal(["first"], ran);
        await work.AfterCommitAsync(_ => { ran.Add("no scope: at once"); return Task.CompletedTask; });
        Assert.Equal(["first", "no scope: at once"], ran);
    }

    protected override async Task AssertNothingLeftAsync(string contactId)
    {
        // The processed-event marks live in the contact's partition here, so they go with it.
        Assert.False(await _backend.ProcessedEvents().ContainsAsync(contactId, "e-1"));
        var service = new TableServiceClient(azurite.ConnectionString);
        var partition = TableKeys.Escape(contactId);
        foreach (var name in new[] { "Contacts", "Tags", "LedgerByMessage" })
        {
            await foreach (var row in service.GetTableClient(_backend.TablePrefix + name).QueryAsync<TableEntity>())
            {
                Assert.Fail($"{name} still holds {row.PartitionKey}/{row.RowKey} (erasing {partition}).");
            }
        }
    }
}
