using JourneyFunctions.Core.Contacts;
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
    public async Task Erase_WhileAnEventIsBeingRouted_LeavesNothingTheRoutingWouldHaveWritten()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");
        await h.Get<ContactService>().UpsertAsync("ana", ServiceHarness.Ana());
        var cart = new ContactEvent
        {
            Id = "race-1",
            ContactId = "ana",
            Name = "cart.updated",
            OccurredAt = ServiceHarness.Start,
            Data = System.Text.Json.JsonSerializer.SerializeToElement(ServiceHarness.Cart()),
        };

        // The erase is asked for while the routing is about to start the run (after it read "no tombstone"); the
        // routing then waits a moment for it. Without mutual exclusion the erase ran to its end right there and the
        // run, its timeline and its processed mark were written after it.
        var dispatcher = new EraseDuringStart(h.Engine, () => h.Get<ContactService>().EraseAsync("ana", h.Engine));
        await h.Get<EventRouter>().RouteAsync(cart, dispatcher);
        Assert.True(await dispatcher.Erase!);

        Assert.Null(await h.Get<IContactStore>().GetAsync("ana"));
        Assert.Empty(await h.Get<IRunStore>().ListForContactAsync("ana"));
        Assert.Empty(await h.Get<ITimelineStore>().ListAsync("ana"));
        Assert.True(await h.Get<IContactTombstones>().ContainsAsync("ana"));
        Assert.Equal(0, h.Get<ContactLocks>().Count);

        // A late copy of the event finds the tombstone: nothing is recreated.
        await h.Get<EventRouter>().RouteAsync(cart with { Id = "race-2" }, h.Engine);
        Assert.Null(await h.Get<IContactStore>().GetAsync("ana"));
        Assert.Empty(await h.Get<IRunStore>().ListForContactAsync("ana"));
    }

    /// <summary>Starts the erase on a flow of its own at the first run start, and gives it a moment before starting.</summary>
    private sealed class EraseDuringStart(IRunDispatcher inner, Func<Task<bool>> erase) : IRunDispatcher
    {
        public Task<bool>? Erase { get; private set; }

        public async Task StartAsync(StartRunRequest request, CancellationToken cancellationToken = default)
        {
            if (Erase is null)
            {
                using (ExecutionContext.SuppressFlow())
                {
                    Erase = Task.Run(erase, CancellationToken.None);
                }

                await Task.WhenAny(Erase, Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None));
            }

            await inner.StartAsync(request, cancellationToken);
        }

        public Task DeliverAsync(string runId, ContactEvent contactEvent, CancellationToken cancellationToken = default) =>
            inner.DeliverAsync(runId, contactEvent, cancellationToken);

        public Task CancelAsync(string runId, string reason, CancellationToken cancellationToken = default) =>
            inner.CancelAsync(runId, reason, cancellationToken);
    }

    [Fact]
    public async Task OptIn_ByUpsertOrByAnEventsProfile_IsOnTheTimeline_OnceAndNotForAProfileWithoutConsent()
    {
        await using var h = new ServiceHarness();
        await h.Get<ContactService>().UpsertAsync("ana", ServiceHarness.Ana());
        await h.Get<ContactService>().UpsertAsync("ana", ServiceHarness.Ana());
        await h.SendAsync("bo", "order.placed", new { orderId = "o-1" }, ServiceHarness.Ana(consent: false) with { Email = "bo@example.com" });
        await h.SendAsync("bo", "order.placed", new { orderId = "o-2" }, ServiceHarness.Ana() with { Email = "bo@example.com", ConsentSource = "checkout" });

        var ana = Assert.Single(await h.Get<ITimelineStore>().ListAsync("ana"), e => e.Kind == "consent");
        Assert.Equal("Opted in to marketing (signup-form)", ana.Message);
        var bo = Assert.Single(await h.Get<ITimelineStore>().ListAsync("bo"), e => e.Kind == "consent");
        Assert.Equal("Opted in to marketing (checkout)", bo.Message);
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
