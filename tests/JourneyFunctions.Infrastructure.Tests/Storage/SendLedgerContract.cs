using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>The <see cref="ISendLedger"/> contract, run against every implementation.</summary>
public abstract class SendLedgerContract
{
    protected abstract IStorageBackend Backend { get; }

    public static TheoryData<string> NastyIds => TestData.NastyIds;

    private static LedgerEntry Entry(string runId, string operationId, string contactId = "c-1", string kind = "email", DateTimeOffset? at = null) => new()
    {
        RunId = runId,
        StepId = "welcome",
        OperationId = operationId,
        JourneyId = "welcome",
        ContactId = contactId,
        Kind = kind,
        Status = LedgerStatus.Reserved,
        At = at ?? TestData.T0,
    };

    [Fact]
    public async Task GetAsync_Missing_ReturnsNull()
    {
        Assert.Null(await Backend.Ledger().GetAsync("c-1", "run", "op"));
    }

    [Fact]
    public async Task TryReserveAsync_OnlyOncePerRunAndOperation()
    {
        var ledger = Backend.Ledger();

        Assert.True(await ledger.TryReserveAsync(Entry("run-1", "op-1")));
        Assert.False(await ledger.TryReserveAsync(Entry("run-1", "op-1") with { Detail = "retry" }));
        Assert.True(await ledger.TryReserveAsync(Entry("run-1", "op-2")));
        Assert.True(await ledger.TryReserveAsync(Entry("run-2", "op-1")));

        var row = await ledger.GetAsync("c-1", "run-1", "op-1");
        Assert.NotNull(row);
        Assert.Equal(LedgerStatus.Reserved, row.Status);
        Assert.Null(row.Detail);
        Assert.NotNull(row.ETag);
    }

    [Fact]
    public async Task TryReserveAsync_ConcurrentReservations_ExactlyOneWins()
    {
        var ledger = Backend.Ledger();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ledger.TryReserveAsync(Entry("run-1", "op-1"))));

        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task CompleteAsync_SetsFinalStatusAndMessageId_FindByMessageIdFindsIt()
    {
        var ledger = Backend.Ledger();
        await ledger.TryReserveAsync(Entry("run-1", "op-1"));
        var reserved = (await ledger.GetAsync("c-1", "run-1", "op-1"))!;

        await ledger.CompleteAsync(reserved with { Status = LedgerStatus.Done, MessageId = "acs-123", Detail = "Welcome, Ana" });

        var done = (await ledger.GetAsync("c-1", "run-1", "op-1"))!;
        Assert.Equal(LedgerStatus.Done, done.Status);
        Assert.Equal("acs-123", done.MessageId);
        Assert.Equal("Welcome, Ana", done.Detail);
        Assert.Equal("welcome", done.StepId);
        Assert.Equal("welcome", done.JourneyId);
        Assert.Equal(TestData.T0, done.At);
        Assert.NotEqual(reserved.ETag, done.ETag);

        var found = await ledger.FindByMessageIdAsync("acs-123");
        Assert.Equal(("run-1", "op-1"), (found!.RunId, found.OperationId));
        Assert.Null(await ledger.FindByMessageIdAsync("acs-999"));

        await ledger.CompleteAsync(found with { Status = LedgerStatus.Delivered, ETag = null });
        Assert.Equal(LedgerStatus.Delivered, (await ledger.FindByMessageIdAsync("acs-123"))!.Status);
    }

    [Fact]
    public async Task CompleteAsync_StaleETag_ThrowsConcurrency()
    {
        var ledger = Backend.Ledger();
        await ledger.TryReserveAsync(Entry("run-1", "op-1"));
        var reserved = (await ledger.GetAsync("c-1", "run-1", "op-1"))!;
        await ledger.CompleteAsync(reserved with { Status = LedgerStatus.Done });

        await Assert.ThrowsAsync<ConcurrencyException>(() => ledger.CompleteAsync(reserved with { Status = LedgerStatus.Failed }));
        Assert.Equal(LedgerStatus.Done, (await ledger.GetAsync("c-1", "run-1", "op-1"))!.Status);
    }

    [Fact]
    public async Task CountSentToContactAsync_CountsSentEmailsSince()
    {
        var ledger = Backend.Ledger();
        var t = TestData.T0;
        await Complete(ledger, Entry("r1", "e1", at: t.AddDays(-10)), LedgerStatus.Done);
        await Complete(ledger, Entry("r1", "e2", at: t.AddDays(-1)), LedgerStatus.Done);
        await Complete(ledger, Entry("r2", "e1", at: t.AddHours(-1)), LedgerStatus.Delivered);
        await Complete(ledger, Entry("r2", "e2", at: t.AddHours(-1)), LedgerStatus.Skipped);
        await Complete(ledger, Entry("r2", "e3", at: t.AddHours(-1)), LedgerStatus.Failed);
        await ledger.TryReserveAsync(Entry("r2", "e4", at: t.AddHours(-1)));
        await Complete(ledger, Entry("r2", "tags", kind: "tags", at: t.AddHours(-1)), LedgerStatus.Done);
        await Complete(ledger, Entry("r3", "e1", contactId: "c-2", at: t.AddHours(-1)), LedgerStatus.Done);

        Assert.Equal(2, await ledger.CountSentToContactAsync("c-1", t.AddDays(-7)));
        Assert.Equal(3, await ledger.CountSentToContactAsync("c-1", t.AddDays(-30)));
        Assert.Equal(1, await ledger.CountSentToContactAsync("c-2", t.AddDays(-30)));
        Assert.Equal(0, await ledger.CountSentToContactAsync("c-3", t.AddDays(-30)));
    }

    [Fact]
    public async Task DeleteForContactAsync_DropsOnlyThatContactsRows()
    {
        var ledger = Backend.Ledger();
        await Complete(ledger, Entry("r1", "e1") with { MessageId = "m-1" }, LedgerStatus.Done);
        await ledger.TryReserveAsync(Entry("r1", "e2"));
        await ledger.TryReserveAsync(Entry("r2", "e1", contactId: "c-2"));

        Assert.Equal(2, await ledger.DeleteForContactAsync("c-1"));

        Assert.Null(await ledger.GetAsync("c-1", "r1", "e1"));
        Assert.Null(await ledger.FindByMessageIdAsync("m-1"));
        Assert.Equal(0, await ledger.CountSentToContactAsync("c-1", TestData.T0.AddDays(-1)));
        Assert.NotNull(await ledger.GetAsync("c-2", "r2", "e1"));
        Assert.True(await ledger.TryReserveAsync(Entry("r1", "e1")));
    }

    [Theory]
    [MemberData(nameof(NastyIds))]
    public async Task Ledger_NastyIds_RoundTrip(string id)
    {
        var ledger = Backend.Ledger();
        await Complete(ledger, Entry(id, id, contactId: id) with { MessageId = id }, LedgerStatus.Done);

        Assert.Equal(id, (await ledger.GetAsync(id, id, id))!.OperationId);
        Assert.Equal(id, (await ledger.FindByMessageIdAsync(id))!.RunId);
        Assert.Equal(1, await ledger.CountSentToContactAsync(id, TestData.T0));
        Assert.Equal(1, await ledger.DeleteForContactAsync(id));
    }

    private static async Task Complete(ISendLedger ledger, LedgerEntry entry, LedgerStatus status)
    {
        Assert.True(await ledger.TryReserveAsync(entry));
        var reserved = (await ledger.GetAsync(entry.ContactId, entry.RunId, entry.OperationId))!;
        await ledger.CompleteAsync(reserved with { Status = status, MessageId = entry.MessageId });
    }
}
