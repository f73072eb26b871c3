using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.DependencyInjection;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>
/// What only the Azure implementations have: request counts per operation, limits of Table and Queue Storage, stale
/// timer rows, raw bodies from other producers, and the DI wiring of the AzureStorage provider.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteStorageTests(AzuriteFixture azurite)
{
    private readonly AzuriteBackend _backend = new(azurite);

    [Fact]
    public async Task TimerRows_OfConcurrentRunsDueInOneMinute_ShareTransactions()
    {
        var runs = _backend.Runs();
        var until = TestData.T0.AddHours(1);
        await runs.CreateAsync(TestData.Waiting(TestData.Run("group", "warm-up"), until)); // creates the tables
        const int count = 200;

        var requests = await CountAsync(() => Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            Task.Run(() => runs.CreateAsync(TestData.Waiting(TestData.Run("group", $"c-{i}"), until.AddSeconds(i % 50)))))));

        // Each run row is its own request (one partition per contact); the timer rows queue behind the transaction
        // in flight and go together, so far fewer than one request each.
        Assert.InRange(requests, count + 1, count + (count / 4));
        var due = await runs.ListDueAsync(until.AddMinutes(1), 1000);
        Assert.Equal(count + 1, due.Count);
        Assert.Equal(count + 1, due.Select(r => r.State.RunId).Distinct().Count());
    }

    [Fact]
    public async Task RunStep_ReadAndUpdate_CostsAtMostThreeRequests()
    {
        var runs = _backend.Runs();
        var created = await runs.CreateAsync(TestData.Run("welcome", "c-1"));
        var waiting = await runs.UpdateAsync(TestData.Waiting(created.State, TestData.T0.AddHours(1)), created.ETag);

        var waitStep = await CountAsync(async () =>
        {
            var run = (await runs.GetAsync(waiting.State.RunId))!;
            waiting = await runs.UpdateAsync(TestData.Waiting(run.State, TestData.T0.AddDays(1), "wait-2"), run.ETag);
        });
        var activityStep = await CountAsync(async () =>
        {
            var run = (await runs.GetAsync(waiting.State.RunId))!;
            waiting = await runs.UpdateAsync(run.State with { Status = RunStatus.Executing, Wait = null, Sequence = run.State.Sequence + 1 }, run.ETag);
        });
        var lastStep = await CountAsync(async () =>
        {
            var run = (await runs.GetAsync(waiting.State.RunId))!;
            await runs.UpdateAsync(TestData.Completed(run.State, TestData.T0.AddDays(1)), run.ETag);
        });

        Assert.Equal(3, waitStep);
        Assert.Equal(2, activityStep);
        Assert.Equal(2, lastStep);
    }

    [Fact]
    public async Task OtherHotPaths_RequestCounts_StayConstant()
    {
        var runs = _backend.Runs();
        var ledger = _backend.Ledger();
        var processed = _backend.ProcessedEvents();
        var stats = _backend.Stats();
        await WarmUpAsync(runs, ledger, processed, stats);
        var entry = new LedgerEntry
        {
            RunId = "r-1", StepId = "email-1", OperationId = "r-1|email-1", JourneyId = "welcome", ContactId = "c-1",
            Kind = "email", Status = LedgerStatus.Reserved, At = TestData.T0,
        };

        // Outside a unit of work; inside one, every row of the contact's partition is served by one read and one
        // transaction (ContactWorkTests).
        Assert.Equal(2, await CountAsync(() => runs.CreateAsync(TestData.Waiting(TestData.Run("welcome", "c-9"), TestData.T0))));
        Assert.Equal(1, await CountAsync(() => ledger.TryReserveAsync(entry)));
        Assert.Equal(1, await CountAsync(() => ledger.TryReserveAsync(entry)));
        Assert.Equal(2, await CountAsync(async () => await ledger.CompleteAsync(entry with { Status = LedgerStatus.Done, MessageId = "m-1" })));
        Assert.Equal(2, await CountAsync(() => ledger.FindByMessageIdAsync("m-1")));
        Assert.Equal(1, await CountAsync(() => ledger.CountSentToContactAsync("c-1", TestData.T0.AddDays(-1))));
        Assert.Equal(1, await CountAsync(() => processed.ContainsAsync("c-1", "e-1")));
        Assert.Equal(2, await CountAsync(async () => await processed.MarkAsync("c-1", "e-1", TestData.T0)));
        Assert.Equal(2, await CountAsync(async () => await stats.IncrementAsync("welcome", "email-1", StatCounters.EmailsSent)));
    }

    [Fact]
    public async Task ContactReadModifyWrite_RequestCounts_OneReadOneWritePlusChangedTagsAndAddress()
    {
        var contacts = _backend.Contacts();
        await contacts.SaveAsync(TestData.Contact("warm", "warm"));

        // A new contact: its tag row, its address's index row, the contact row.
        Assert.Equal(3, await CountAsync(() => contacts.SaveAsync(TestData.Contact("c-1", "vip"))));

        // A new address: the read, the new index row, the write, the old index row deleted.
        Assert.Equal(4, await CountAsync(async () =>
        {
            var contact = (await contacts.GetAsync("c-1"))!;
            await contacts.SaveAsync(contact with { Email = "new@example.com" });
        }));

        // Tags changed, address kept: no index request for the address.
        Assert.Equal(4, await CountAsync(async () =>
        {
            var contact = (await contacts.GetAsync("c-1"))!;
            await contacts.SaveAsync(contact with { Tags = new HashSet<string>(["onboarded"], StringComparer.OrdinalIgnoreCase) });
        }));
    }

    [Fact]
    public async Task SaveAsync_ETagReadByAnotherInstance_StillDiffsTagsFromTheStoredRow()
    {
        var creator = _backend.Contacts();
        var other = _backend.Contacts();
        var writer = _backend.Contacts();
        await creator.SaveAsync(TestData.Contact("c-1", "vip", "new"));
        var read = (await other.GetAsync("c-1"))!;

        var before = _backend.RequestCount;
        await writer.SaveAsync(read with { Tags = new HashSet<string>(["vip"], StringComparer.OrdinalIgnoreCase) });

        Assert.Equal(3, _backend.RequestCount - before);

        var tagged = new List<string>();
        await foreach (var id in other.ListIdsByTagAsync("new"))
        {
            tagged.Add(id);
        }

        Assert.Empty(tagged);
    }

    [Fact]
    public async Task UpdateAsync_StateBeyondOneRow_ThrowsStorageLimitNamingTheRun()
    {
        var runs = _backend.Runs();
        var created = await runs.CreateAsync(TestData.Run("welcome", "c-1"));
        var huge = created.State with { Trigger = TestData.Json("\"" + new string('x', TablePayload.MaxBytes + 1) + "\"") };

        var ex = await Assert.ThrowsAsync<StorageLimitException>(() => runs.UpdateAsync(huge, created.ETag));

        Assert.Contains(created.State.RunId, ex.Message, StringComparison.Ordinal);
        Assert.Contains(TablePayload.MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Equal(created.ETag, (await runs.GetAsync(created.State.RunId))!.ETag);
    }

    [Fact]
    public async Task UpdateAsync_LargeState_IsSplitAcrossColumnsOfOneRow()
    {
        var runs = _backend.Runs();
        var created = await runs.CreateAsync(TestData.Run("welcome", "c-1"));
        var large = created.State with { Trigger = TestData.Json("\"" + new string('y', 300_000) + "\"") };

        await runs.UpdateAsync(large, created.ETag);

        var row = await RawTable("Contacts").GetEntityAsync<TableEntity>(TableKeys.Escape("c-1"), "r|" + TableKeys.Escape(created.State.RunId));
        Assert.Equal(5, row.Value.GetInt32("DataChunks"));
        Assert.NotNull(row.Value.GetBinary("Data4"));
        Assert.Equal(300_000, (await runs.GetAsync(created.State.RunId))!.State.Trigger!.Value.GetString()!.Length);
    }

    [Fact]
    public async Task ListDueAsync_StaleTimerRowsOlderThanGrace_AreDeleted()
    {
        _backend.Time.SetUtcNow(DateTimeOffset.UtcNow.AddHours(1));
        var runs = _backend.Runs();
        var created = await runs.CreateAsync(TestData.Run("welcome", "c-1"));
        var first = await runs.UpdateAsync(TestData.Waiting(created.State, TestData.T0), created.ETag);
        var second = await runs.UpdateAsync(TestData.Waiting(first.State, TestData.T0.AddMinutes(1), "wait-2"), first.ETag);
        await runs.CreateAsync(TestData.Waiting(TestData.Run("welcome", "c-2"), TestData.T0));
        Assert.Equal(3, await CountRowsAsync("RunTimers"));
        await runs.DeleteForContactAsync("c-2");
        Assert.Equal(2, await CountRowsAsync("RunTimers"));
        _backend.Time.Advance(TimeSpan.FromMinutes(6));

        var due = await runs.ListDueAsync(TestData.T0.AddMinutes(5), 10);

        Assert.Equal(second.ETag, Assert.Single(due).ETag);
        Assert.Equal(1, await CountRowsAsync("RunTimers"));
    }

    [Fact]
    public async Task ListDueAsync_VirtualClockBehindTheServer_StaleRowsGoAfterTheGraceOnThatClock()
    {
        // A virtual clock months behind the server's: rows are judged by the time their writer stamped on this clock,
        // not by the server's Timestamp (which would never look old to it).
        _backend.Time.SetUtcNow(TestData.T0);
        var runs = _backend.Runs(TimeSpan.FromMinutes(2));
        var created = await runs.CreateAsync(TestData.Waiting(TestData.Run("welcome", "c-1"), TestData.T0));
        await runs.UpdateAsync(TestData.Waiting(created.State, TestData.T0.AddDays(1), "wait-2"), created.ETag);

        _backend.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await runs.ListDueAsync(TestData.T0.AddMinutes(1), 10));
        Assert.Equal(2, await CountRowsAsync("RunTimers"));

        _backend.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Empty(await runs.ListDueAsync(TestData.T0.AddMinutes(3), 10));
        Assert.Equal(1, await CountRowsAsync("RunTimers"));
    }

    [Fact]
    public async Task UpdateAsync_InAUnitOfWork_MovingTheRunOn_DeletesItsOldTimerRowAtTheNextScanWithoutReadingTheRun()
    {
        _backend.Time.SetUtcNow(TestData.T0);
        var runs = _backend.Runs();
        var work = _backend.Work();
        await runs.CreateAsync(TestData.Waiting(TestData.Run("welcome", "c-0"), TestData.T0.AddDays(2))); // creates the tables
        var created = await runs.CreateAsync(TestData.Waiting(TestData.Run("welcome", "c-1"), TestData.T0.AddHours(1)));

        // An event moves the run on (completes it) a minute later: nothing about the old timer is sent with the input.
        _backend.Time.Advance(TimeSpan.FromMinutes(1));
        var input = await CountAsync(async () =>
        {
            await using var scope = work.Begin("c-1");
            var run = (await runs.GetAsync(created.State.RunId))!;
            await runs.UpdateAsync(TestData.Completed(run.State, TestData.T0), run.ETag);
            await scope.CommitAsync();
        });
        Assert.Equal(2, input); // the working set read and the transaction
        Assert.Equal(2, await CountRowsAsync("RunTimers"));

        // Well before the old timer was due and within the grace: the scan deletes it in one transaction, reads nothing.
        var scan = await CountAsync(async () => Assert.Empty(await runs.ListDueAsync(TestData.T0.AddMinutes(2), 10)));

        Assert.Equal(1, await CountRowsAsync("RunTimers"));
        Assert.Equal(2, scan); // the delete transaction and the (empty) scan of the index
    }

    [Fact]
    public async Task UpdateAsync_InAUnitOfWork_BackOnTheSameTimer_KeepsTheRow()
    {
        _backend.Time.SetUtcNow(TestData.T0);
        var runs = _backend.Runs();
        var work = _backend.Work();
        var until = TestData.T0.AddHours(1);
        var created = await runs.CreateAsync(TestData.Waiting(TestData.Run("welcome", "c-1"), until));

        await using (var scope = work.Begin("c-1"))
        {
            var run = (await runs.GetAsync(created.State.RunId))!;
            var moved = await runs.UpdateAsync(TestData.Waiting(run.State, until.AddHours(1), "wait-2"), run.ETag);
            await runs.UpdateAsync(TestData.Waiting(moved.State, until), moved.ETag);
            await scope.CommitAsync();
        }

        _backend.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(created.State.RunId, Assert.Single(await runs.ListDueAsync(until, 10)).State.RunId);
        Assert.Equal(1, await CountRowsAsync("RunTimers"));
    }

    [Fact]
    public async Task UpdateAsync_InAUnitOfWorkNotCommitted_KeepsTheOldTimerRow()
    {
        _backend.Time.SetUtcNow(TestData.T0);
        var runs = _backend.Runs();
        var work = _backend.Work();
        var created = await runs.CreateAsync(TestData.Waiting(TestData.Run("welcome", "c-1"), TestData.T0.AddHours(1)));

        await using (var scope = work.Begin("c-1"))
        {
            var run = (await runs.GetAsync(created.State.RunId))!;
            await runs.UpdateAsync(TestData.Completed(run.State, TestData.T0), run.ETag);
        }

        Assert.Equal(created.State.RunId, Assert.Single(await runs.ListDueAsync(TestData.T0.AddHours(1), 10)).State.RunId);
    }

    [Fact]
    public async Task StreamDueAsync_YieldsInDueOrderUpToMax_WithManyReadsAhead()
    {
        var runs = (TableRunStore)_backend.Runs();
        for (var i = 0; i < 30; i++)
        {
            await runs.CreateAsync(TestData.Waiting(TestData.Run("welcome", $"c-{i}"), TestData.T0.AddSeconds(i)));
        }

        var due = new List<string>();
        await foreach (var run in runs.StreamDueAsync(TestData.T0.AddMinutes(1), 25, readAhead: 8))
        {
            due.Add(run.State.ContactId);
        }

        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"c-{i}"), due);
    }

    [Fact]
    public async Task DeleteForContactAsync_RemovesTheTimerRowsOfTheContactsRuns()
    {
        var runs = _backend.Runs();
        await runs.CreateAsync(TestData.Waiting(TestData.Run("welcome", "c-1"), TestData.T0));
        await runs.CreateAsync(TestData.Waiting(TestData.Run("cart", "c-1"), TestData.T0.AddDays(3)));
        await runs.CreateAsync(TestData.Waiting(TestData.Run("welcome", "c-2"), TestData.T0));
        Assert.Equal(3, await CountRowsAsync("RunTimers"));

        Assert.Equal(2, await runs.DeleteForContactAsync("c-1"));

        var left = new List<string>();
        await foreach (var row in RawTable("RunTimers").QueryAsync<TableEntity>())
        {
            left.Add(row.GetString("RunId"));
        }

        Assert.Equal([RunIds.For("welcome", "c-2", null)], left);
        Assert.Equal(0, await runs.DeleteForContactAsync("c-1"));
    }

    [Fact]
    public async Task Tombstone_IsInTheWorkingSet_ReadFromTheUnitOfWorksSnapshot()
    {
        var tombstones = _backend.Tombstones();
        await tombstones.MarkAsync("c-1", TestData.T0);
        var work = _backend.Work();

        await using var scope = work.Begin("c-1");
        var contacts = _backend.Contacts();
        await contacts.GetAsync("c-1");
        var reads = await CountAsync(async () => Assert.True(await tombstones.ContainsAsync("c-1")));

        Assert.Equal(0, reads);
    }

    [Fact]
    public async Task ListDueAsync_StaleTimerRowWithinGrace_IsKeptForItsWriter()
    {
        _backend.Time.SetUtcNow(DateTimeOffset.UtcNow);
        var runs = _backend.Runs();
        var created = await runs.CreateAsync(TestData.Run("welcome", "c-1"));
        var first = await runs.UpdateAsync(TestData.Waiting(created.State, TestData.T0), created.ETag);
        await runs.UpdateAsync(TestData.Waiting(first.State, TestData.T0.AddMinutes(1), "wait-2"), first.ETag);

        Assert.Single(await runs.ListDueAsync(TestData.T0.AddMinutes(5), 10));
        Assert.Equal(2, await CountRowsAsync("RunTimers"));
    }

    [Fact]
    public async Task FireDueRun_InAUnitOfWork_UsesTheScansReadAndItsTimerRowGoesAtTheNextScan()
    {
        var (runs, work, due) = await HandOutOneDueRunAsync();

        var fire = await CountAsync(async () =>
        {
            await using var scope = work.Begin("c-1");
            var run = (await runs.GetAsync(due.State.RunId))!;
            Assert.Equal(due.ETag, run.ETag);
            await runs.UpdateAsync(TestData.Waiting(run.State, TestData.T0.AddDays(1), "wait-2"), run.ETag);
            await scope.CommitAsync();
        });

        // No read (the scan's working set serves the scope), the new timer row, one transaction.
        Assert.Equal(2, fire);
        Assert.Equal(2, await CountRowsAsync("RunTimers"));
        Assert.Empty(await runs.ListDueAsync(TestData.T0.AddMinutes(1), 10));
        Assert.Equal(1, await CountRowsAsync("RunTimers"));
    }

    [Fact]
    public async Task FireDueRun_NotCommitted_KeepsItsTimerRow()
    {
        var (runs, work, due) = await HandOutOneDueRunAsync();

        await using (var scope = work.Begin("c-1"))
        {
            var run = (await runs.GetAsync(due.State.RunId))!;
            await runs.UpdateAsync(TestData.Completed(run.State, TestData.T0), run.ETag);
        }

        Assert.Single(await runs.ListDueAsync(TestData.T0.AddMinutes(1), 10));
        Assert.Equal(1, await CountRowsAsync("RunTimers"));
    }

    [Fact]
    public async Task ReceiveAsync_BodyNotBase64_ReportsParseErrorWithRawBody()
    {
        var queue = _backend.Queue();
        await queue.PeekPoisonAsync(1);
        var raw = new QueueClient(azurite.ConnectionString, QueueNameOf(queue));
        await raw.SendMessageAsync("plain text, not base64!");

        var received = Assert.Single(await queue.ReceiveAsync(5, TimeSpan.FromSeconds(30)));

        Assert.Null(received.Event);
        Assert.Equal("plain text, not base64!", received.Body);
        Assert.Contains("base64", received.ParseError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnqueueAsync_WritesBase64Json_AsTheFunctionsQueueTriggerReadsIt()
    {
        var queue = _backend.Queue();
        await queue.EnqueueAsync(new Core.Contacts.ContactEvent { Id = "e-1", ContactId = "c-1", Name = "order.placed", OccurredAt = TestData.T0 });

        var raw = new QueueClient(azurite.ConnectionString, QueueNameOf(queue));
        var message = Assert.Single((await raw.PeekMessagesAsync(1)).Value);

        var json = Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText));
        Assert.Equal("""{"id":"e-1","contactId":"c-1","name":"order.placed","occurredAt":"2026-03-01T09:00:00+00:00"}""", json);
    }

    [Fact]
    public async Task PeekPoisonAsync_MessageMovedByTheFunctionsRuntime_KeepsItsBody()
    {
        var queue = _backend.Queue();
        await queue.PeekPoisonAsync(1);
        var raw = new QueueClient(azurite.ConnectionString, QueueNameOf(queue) + "-poison");
        await raw.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"id":"e-1"}""")));

        var poison = Assert.Single(await queue.PeekPoisonAsync(5));

        Assert.Equal("""{"id":"e-1"}""", poison.Body);
        Assert.Contains("queue trigger", poison.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddJourneyStorage_AzureStorageProvider_WiresTableAndQueueStores()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureStorage",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = "di" + Guid.NewGuid().ToString("N")[..10],
            ["Storage:QueueName"] = "di-" + Guid.NewGuid().ToString("N")[..10],
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddJourneyStorage(configuration);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var contacts = provider.GetRequiredService<IContactStore>();
        var queue = provider.GetRequiredService<IEventQueue>();
        await contacts.SaveAsync(TestData.Contact("c-1", "vip"));
        await queue.EnqueueAsync(new Core.Contacts.ContactEvent { Id = "e-1", ContactId = "c-1", Name = "x", OccurredAt = TestData.T0 });

        Assert.IsType<TableContactStore>(contacts);
        Assert.IsType<AzureEventQueue>(queue);
        Assert.IsType<TableRunStore>(provider.GetRequiredService<IRunStore>());
        Assert.IsType<TableLeaseStore>(provider.GetRequiredService<ILeaseStore>());
        Assert.NotNull(await contacts.GetAsync("c-1"));
        Assert.Equal("e-1", Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30))).Event!.Id);
    }

    /// <summary>A run waiting on a timer at T0, handed out as due by a scan at T0 + 1 min.</summary>
    private async Task<(IRunStore Runs, IContactWork Work, StoredRun Due)> HandOutOneDueRunAsync()
    {
        _backend.Time.SetUtcNow(DateTimeOffset.UtcNow);
        var runs = _backend.Runs();
        await runs.CreateAsync(TestData.Waiting(TestData.Run("welcome", "c-1"), TestData.T0));
        var due = Assert.Single(await runs.ListDueAsync(TestData.T0.AddMinutes(1), 10));
        return (runs, _backend.Work(), due);
    }

    private async Task<int> CountAsync(Func<Task> action)
    {
        var before = _backend.RequestCount;
        await action();
        return _backend.RequestCount - before;
    }

    private static async Task WarmUpAsync(IRunStore runs, ISendLedger ledger, IProcessedEventStore processed, IStatsStore stats)
    {
        var warm = await runs.CreateAsync(TestData.Waiting(TestData.Run("warm", "warm"), TestData.T0));
        await runs.UpdateAsync(TestData.Completed(warm.State, TestData.T0), warm.ETag);
        var entry = new LedgerEntry
        {
            RunId = "warm", StepId = "s", OperationId = "o", JourneyId = "warm", ContactId = "warm", Kind = "email",
            Status = LedgerStatus.Reserved, At = TestData.T0,
        };
        await ledger.TryReserveAsync(entry);
        await ledger.CompleteAsync(entry with { MessageId = "warm" });
        await ledger.FindByMessageIdAsync("warm");
        await processed.ContainsAsync("warm", "warm");
        await stats.GetAsync("warm");
    }

    private TableClient RawTable(string name) => new TableServiceClient(azurite.ConnectionString).GetTableClient(TablePrefixOf() + name);

    private string TablePrefixOf() => _backend.TablePrefix;

    private string QueueNameOf(IEventQueue queue) => _backend.QueueName;

    [Fact]
    public async Task EmailIndex_KeysRowsByKeyedHash_NeverThePlainAddress()
    {
        var contacts = _backend.Contacts();
        await contacts.SaveAsync(TestData.Contact("c-1") with { Email = "Ana@Example.com" });

        var rows = new List<TableEntity>();
        await foreach (var row in RawTable("ContactEmails").QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        var only = Assert.Single(rows);
        Assert.Equal(_backend.Hasher.Compute("ana@example.com"), only.PartitionKey);
        Assert.NotEqual(JourneyFunctions.Core.Security.AddressHasher.Legacy("ana@example.com"), only.PartitionKey);
        Assert.DoesNotContain(only.Keys, k => only[k] is string v && v.Contains("example.com", StringComparison.OrdinalIgnoreCase));

        Assert.True(await contacts.DeleteAsync("c-1"));
        Assert.Equal(0, await CountRowsAsync("ContactEmails"));
    }

    private async Task<int> CountRowsAsync(string table)
    {
        var count = 0;
        await foreach (var unused in RawTable(table).QueryAsync<TableEntity>())
        {
            count++;
        }

        return count;
    }
}
