using System.Text.Json;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.EventGrid;
using JourneyFunctions.Infrastructure.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace JourneyFunctions.Infrastructure.Tests.EventGrid;

public sealed class AcsReportProcessorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private readonly MemorySendLedger _ledger = new();
    private readonly MemorySuppressionStore _suppressions = new();
    private readonly AddressHasher _hasher = new("acs-report-tests-address-key-0123456789");
    private readonly MemoryStatsStore _stats = new();
    private readonly MemoryProcessedEventStore _processed = new();
    private readonly MemoryEventQueue _queue;

    public AcsReportProcessorTests() => _queue = new MemoryEventQueue(_time);

    [Fact]
    public async Task ProcessAsync_DeliveredTwice_LedgerDeliveredAndCountedOnce()
    {
        await SentAsync();
        var processor = Processor();
        var reports = Parse(AcsReportSamples.DeliveryEventGrid("delivered"));

        var first = await processor.ProcessAsync(reports);
        var again = await processor.ProcessAsync(reports);

        Assert.Equal(1, first.Delivered);
        Assert.Equal(0, again.Delivered);
        Assert.Equal(LedgerStatus.Delivered, (await _ledger.GetAsync("c-1", "run-1", "run-1:email-1"))!.Status);
        Assert.Equal(1, await CounterAsync(StatCounters.Delivered));
        Assert.Null(await _suppressions.GetAsync(_hasher.Compute("test1@contoso.com")));
    }

    [Theory]
    [InlineData("Bounced")]
    [InlineData("Suppressed")]
    [InlineData("Failed")]
    public async Task ProcessAsync_HardFailure_SuppressesTheAddressAndMarksTheLedgerBounced(string status)
    {
        await SentAsync();

        var outcome = await Processor().ProcessAsync(Parse(AcsReportSamples.DeliveryEventGrid(status, recipient: " Test1@Contoso.com ")));

        Assert.Equal(new AcsReportOutcome(0, 1, 1, 0, 0, 0), outcome);
        var suppression = await _suppressions.GetAsync(_hasher.Compute("test1@contoso.com"));
        Assert.NotNull(suppression);
        Assert.Equal(SuppressionReason.Bounced, suppression.Reason);
        Assert.Contains("DestinationMailboxFull", suppression.Detail, StringComparison.Ordinal);
        Assert.Equal(LedgerStatus.Bounced, (await _ledger.GetAsync("c-1", "run-1", "run-1:email-1"))!.Status);
        Assert.Equal(1, await CounterAsync(StatCounters.Bounced));
    }

    [Theory]
    [InlineData("Quarantined")]
    [InlineData("FilteredSpam")]
    public async Task ProcessAsync_MessageRefused_LedgerBouncedButAddressNotSuppressed(string status)
    {
        await SentAsync();

        await Processor().ProcessAsync(Parse(AcsReportSamples.DeliveryEventGrid(status)));

        Assert.Null(await _suppressions.GetAsync(_hasher.Compute("test1@contoso.com")));
        Assert.Equal(LedgerStatus.Bounced, (await _ledger.GetAsync("c-1", "run-1", "run-1:email-1"))!.Status);
    }

    [Fact]
    public async Task ProcessAsync_BounceForAnUnsubscribedAddress_KeepsTheUnsubscribe()
    {
        await SentAsync();
        var hash = _hasher.Compute("test1@contoso.com");
        await _suppressions.AddAsync(new Suppression(hash, SuppressionReason.Unsubscribed, _time.GetUtcNow(), "link"));

        var outcome = await Processor().ProcessAsync(Parse(AcsReportSamples.DeliveryCloudEvents("Bounced")));

        Assert.Equal(0, outcome.Suppressed);
        Assert.Equal(1, outcome.Bounced);
        Assert.Equal(SuppressionReason.Unsubscribed, (await _suppressions.GetAsync(hash))!.Reason);
    }

    [Fact]
    public async Task ProcessAsync_RowsWrittenBeforeTheKeyedHash_StillMatchAndTheOldSuppressionIsRekeyed()
    {
        // A ledger row and an unsubscribe written by a version that stored the plain SHA-256 of the address.
        await SentAsync(legacyRecipientHash: true);
        var plain = AddressHasher.Legacy("test1@contoso.com");
        await _suppressions.AddAsync(new Suppression(plain, SuppressionReason.Unsubscribed, _time.GetUtcNow(), "link"));

        var outcome = await Processor().ProcessAsync(Parse(AcsReportSamples.DeliveryCloudEvents("Bounced")));

        Assert.Equal(new AcsReportOutcome(0, 1, 0, 0, 0, 0), outcome);
        Assert.Null(await _suppressions.GetAsync(plain));
        Assert.Equal(SuppressionReason.Unsubscribed, (await _suppressions.GetAsync(_hasher.Compute("test1@contoso.com")))!.Reason);
        Assert.Equal(LedgerStatus.Bounced, (await _ledger.GetAsync("c-1", "run-1", "run-1:email-1"))!.Status);
    }

    [Fact]
    public async Task ProcessAsync_LegacyRowAndAnotherRecipient_StillMismatched()
    {
        await SentAsync(legacyRecipientHash: true);

        var outcome = await Processor().ProcessAsync(Parse(AcsReportSamples.DeliveryEventGrid("Bounced", recipient: "victim@example.com")));

        Assert.Equal(1, outcome.Mismatched);
        Assert.Null(await _suppressions.GetAsync(_hasher.Compute("victim@example.com")));
        Assert.Null(await _suppressions.GetAsync(AddressHasher.Legacy("victim@example.com")));
    }

    [Theory]
    [InlineData("click", SystemEvents.EmailClicked, StatCounters.Clicked)]
    [InlineData("view", SystemEvents.EmailOpened, StatCounters.Opened)]
    public async Task ProcessAsync_Engagement_QueuesAContactEventAndCountsOncePerEmail(string type, string eventName, string counter)
    {
        await SentAsync();
        var processor = Processor();

        await processor.ProcessAsync(Parse(AcsReportSamples.EngagementCloudEvent(type, id: "r-1")));
        await processor.ProcessAsync(Parse(AcsReportSamples.EngagementCloudEvent(type, id: "r-2")));

        var queued = await _queue.ReceiveAsync(10, TimeSpan.FromMinutes(1));
        Assert.Equal(["acs:r-1", "acs:r-2"], queued.Select(q => q.Event!.Id));
        var contactEvent = queued[0].Event!;
        Assert.Equal("c-1", contactEvent.ContactId);
        Assert.Equal(eventName, contactEvent.Name);
        var data = contactEvent.Data!.Value;
        Assert.Equal("welcome", data.GetProperty("journeyId").GetString());
        Assert.Equal("email-1", data.GetProperty("stepId").GetString());
        Assert.Equal("run-1", data.GetProperty("runId").GetString());
        Assert.Equal(type == "click", data.TryGetProperty("url", out var url) && url.GetString() == "www.example.com");
        Assert.Equal(1, await CounterAsync(counter));
    }

    [Fact]
    public async Task ProcessAsync_ReportForAnUnknownMessage_CountedAsUnmatched()
    {
        var outcome = await Processor().ProcessAsync(Parse(AcsReportSamples.EngagementCloudEvent(messageId: "00000000-0000-0000-0000-000000000000")));

        Assert.Equal(1, outcome.Unmatched);
        Assert.Empty(await _queue.ReceiveAsync(10, TimeSpan.FromMinutes(1)));
    }

    [Theory]
    [InlineData("Bounced")]
    [InlineData("Delivered")]
    public async Task ProcessAsync_ForgedDeliveryForAnUnknownMessage_SuppressesNothingAndCountsNothing(string status)
    {
        await SentAsync();

        var outcome = await Processor().ProcessAsync(Parse(AcsReportSamples.DeliveryEventGrid(status, messageId: "forged-message", recipient: "victim@example.com")));

        Assert.Equal(new AcsReportOutcome(0, 0, 0, 0, 1, 0), outcome);
        Assert.Null(await _suppressions.GetAsync(_hasher.Compute("victim@example.com")));
        Assert.Equal(LedgerStatus.Done, (await _ledger.GetAsync("c-1", "run-1", "run-1:email-1"))!.Status);
    }

    [Fact]
    public async Task ProcessAsync_RealMessageIdWithAnotherRecipient_IsIgnored()
    {
        await SentAsync();

        var outcome = await Processor().ProcessAsync(Parse(AcsReportSamples.DeliveryEventGrid("Bounced", recipient: "victim@example.com")));

        Assert.Equal(new AcsReportOutcome(0, 0, 0, 0, 0, 1), outcome);
        Assert.Null(await _suppressions.GetAsync(_hasher.Compute("victim@example.com")));
        Assert.Null(await _suppressions.GetAsync(_hasher.Compute("test1@contoso.com")));
        Assert.Equal(LedgerStatus.Done, (await _ledger.GetAsync("c-1", "run-1", "run-1:email-1"))!.Status);
        Assert.Equal(0, await CounterAsync(StatCounters.Bounced));
    }

    [Theory]
    [InlineData("someone-else@example.com")]
    [InlineData("")]
    public async Task ProcessAsync_ClickNamingAnotherOrNoRecipient_IsNotRouted(string recipient)
    {
        await SentAsync();

        var outcome = await Processor().ProcessAsync(Parse(AcsReportSamples.EngagementCloudEvent(recipient: recipient)));

        Assert.Equal(1, outcome.Mismatched);
        Assert.Empty(await _queue.ReceiveAsync(10, TimeSpan.FromMinutes(1)));
        Assert.Equal(0, await CounterAsync(StatCounters.Clicked));
    }

    [Fact]
    public async Task ProcessAsync_LedgerRaceLost_ThrowsSoEventGridRedelivers()
    {
        var ledger = new Mock<ISendLedger>();
        ledger.Setup(l => l.FindByMessageIdAsync(AcsReportSamples.MessageId, It.IsAny<CancellationToken>())).ReturnsAsync(Entry());
        ledger.Setup(l => l.CompleteAsync(It.IsAny<LedgerEntry>(), It.IsAny<CancellationToken>())).ThrowsAsync(new ConcurrencyException("changed"));
        var processor = new AcsReportProcessor(ledger.Object, List(), _stats, _queue, _processed, _time, NullLogger<AcsReportProcessor>.Instance);

        await Assert.ThrowsAsync<ConcurrencyException>(() => processor.ProcessAsync(Parse(AcsReportSamples.DeliveryEventGrid())));

        Assert.Equal(0, await CounterAsync(StatCounters.Delivered));
    }

    private AcsReportProcessor Processor() => new(_ledger, List(), _stats, _queue, _processed, _time, NullLogger<AcsReportProcessor>.Instance);

    private static IReadOnlyList<AcsReport> Parse(string body) => AcsReportParser.Parse(BinaryData.FromString(body)).Reports;

    private LedgerEntry Entry() => new()
    {
        RunId = "run-1",
        StepId = "email-1",
        OperationId = "run-1:email-1",
        JourneyId = "welcome",
        ContactId = "c-1",
        Kind = "email",
        Status = LedgerStatus.Done,
        At = new DateTimeOffset(2023, 2, 9, 19, 0, 0, TimeSpan.Zero),
        MessageId = AcsReportSamples.MessageId,
        Detail = "Welcome!",
        RecipientHash = _hasher.Compute("test1@contoso.com"),
    };

    private AddressSuppressions List() => new(_suppressions, _hasher, new AddressHashOptions());

    private async Task SentAsync(bool legacyRecipientHash = false)
    {
        Assert.True(await _ledger.TryReserveAsync(Entry() with { Status = LedgerStatus.Reserved, MessageId = null }));
        var reserved = await _ledger.GetAsync("c-1", "run-1", "run-1:email-1");
        await _ledger.CompleteAsync(reserved! with { Status = LedgerStatus.Done, MessageId = AcsReportSamples.MessageId, RecipientHash = legacyRecipientHash ? AddressHasher.Legacy("test1@contoso.com") : _hasher.Compute("test1@contoso.com") });
    }

    private async Task<long> CounterAsync(string counter)
    {
        var all = await _stats.GetAsync("welcome");
        return all.TryGetValue("email-1", out var step) && step.TryGetValue(counter, out var value) ? value : 0;
    }
}
