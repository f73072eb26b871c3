using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Core.Tests.Services;

public sealed class ContactServiceTests
{
    [Fact]
    public async Task Unsubscribe_EndsMarketingRuns_SuppressesTheAddress_AndWithdrawsConsent()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());

        Assert.True(await h.Get<ContactService>().UnsubscribeAsync("ana", "unsubscribe-link", h.Engine));
        await h.AdvanceAsync(TimeSpan.FromDays(2));

        Assert.Empty(h.Emails.Sent);
        var view = await h.Get<ContactService>().GetAsync("ana");
        Assert.NotNull(view);
        Assert.False(view.Contact.Consent.Marketing);
        Assert.Equal("unsubscribe-link", view.Contact.Consent.Source);
        Assert.True(view.Suppressed);
        Assert.Empty(view.ActiveRuns);
        var run = await h.Get<IRunStore>().GetAsync(RunIds.For("abandoned-cart", "ana", "c-1"));
        Assert.Equal(CompletionReason.Cancelled, run!.State.Completion);
    }

    [Fact]
    public async Task Erase_DeletesPersonalDataAndRuns_KeepsTheSuppressionHash()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        await h.AdvanceAsync(TimeSpan.FromHours(2));
        await h.Get<ContactService>().UnsubscribeAsync("ana", "unsubscribe-link", h.Engine);

        Assert.True(await h.Get<ContactService>().EraseAsync("ana", h.Engine));

        Assert.Null(await h.Get<IContactStore>().GetAsync("ana"));
        Assert.Empty(await h.Get<IRunStore>().ListForContactAsync("ana"));
        Assert.Empty(await h.Get<ITimelineStore>().ListAsync("ana"));
        Assert.Equal(0, await h.Get<ISendLedger>().CountSentToContactAsync("ana", DateTimeOffset.MinValue));
        Assert.NotNull(await h.Get<AddressSuppressions>().GetAsync("ana@example.com"));
        Assert.False(await h.Get<ContactService>().EraseAsync("ana", h.Engine));
    }

    [Fact]
    public async Task Erase_ThenEngagementReportAndLateEvent_DoNotRecreateTheContactUntilAnUpsert()
    {
        await using var h = new ServiceHarness();
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        Assert.True(await h.Get<ContactService>().EraseAsync("ana", h.Engine));
        Assert.False(await h.Get<ContactService>().EraseAsync("ana", h.Engine));

        await h.SendAsync("ana", SystemEvents.EmailOpened, new { messageId = "m-1" });
        await h.SendAsync("ana", SystemEvents.EmailClicked, new { messageId = "m-1", url = "https://shop.example/" });
        await h.SendAsync("ana", "order.placed", new { orderId = "o-1" }, ServiceHarness.Ana());

        Assert.Null(await h.Get<IContactStore>().GetAsync("ana"));
        Assert.Empty(await h.Get<ITimelineStore>().ListAsync("ana"));
        Assert.True(await h.Get<IContactTombstones>().ContainsAsync("ana"));

        await h.Get<ContactService>().UpsertAsync("ana", ServiceHarness.Ana());
        await h.SendAsync("ana", "order.placed", new { orderId = "o-2" });

        Assert.False(await h.Get<IContactTombstones>().ContainsAsync("ana"));
        Assert.NotNull(await h.Get<IContactStore>().GetAsync("ana"));
        Assert.Contains(await h.Get<ITimelineStore>().ListAsync("ana"), e => e.Kind == "event" && e.Message == "order.placed");
    }

    [Fact]
    public async Task Erase_UnknownContact_LeavesNoTombstone()
    {
        await using var h = new ServiceHarness();

        Assert.False(await h.Get<ContactService>().EraseAsync("nobody", h.Engine));

        Assert.False(await h.Get<IContactTombstones>().ContainsAsync("nobody"));
    }

    [Fact]
    public async Task Upsert_WithInvalidFields_ReportsEveryFieldByPath()
    {
        await using var h = new ServiceHarness();

        var ex = await Assert.ThrowsAsync<RequestValidationException>(() => h.Get<ContactService>().UpsertAsync(
            "ana",
            new Contacts.ContactPatch { Email = "not-an-email", TimeZone = "Mars/Olympus", Tags = [" "] }));

        Assert.Equal(["$.email", "$.tags", "$.timeZone"], ex.Errors.Select(e => e.Field).Order().ToArray());
    }

    [Fact]
    public async Task Get_ShowsActiveRunsAndTimeline()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        await h.AdvanceAsync(TimeSpan.FromHours(2));

        var view = await h.Get<ContactService>().GetAsync("ana");

        var run = Assert.Single(view!.ActiveRuns);
        Assert.Equal("wait-order", run.StepId);
        Assert.Contains(view.Timeline, e => e.Kind == "email" && e.StepId == "reminder-1");
        Assert.Contains(view.Timeline, e => e.Kind == "event" && e.Message == "cart.updated");
    }
}
