using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Core.Tests.Services;

public sealed class EventRoutingTests
{
    [Fact]
    public async Task CartUpdated_NoOrder_SendsRenderedReminderWithOneClickUnsubscribeAnHourLater()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");

        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        await h.AdvanceAsync(TimeSpan.FromMinutes(59));
        Assert.Empty(h.Emails.Sent);
        await h.AdvanceAsync(TimeSpan.FromMinutes(2));

        var email = Assert.Single(h.Emails.Sent);
        Assert.Equal("ana@example.com", email.To.Address);
        Assert.Contains("Linen tee", email.Html, StringComparison.Ordinal);
        Assert.StartsWith("<https://shop.example/api/unsubscribe?token=", email.Headers["List-Unsubscribe"], StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", email.Headers["List-Unsubscribe-Post"]);
        var stats = await h.Get<JourneyStatsService>().GetAsync("abandoned-cart");
        Assert.NotNull(stats);
        Assert.Equal(1, stats.Entered);
        Assert.Equal(1, stats.EmailsSent);
        Assert.Equal(1, stats.Steps.Single(s => s.StepId == "wait-order").WaitingNow);
        Assert.Equal(0, stats.Steps.Single(s => s.StepId == "grace").WaitingNow);
        Assert.Equal(1, stats.Active);
    }

    [Fact]
    public async Task OrderPlaced_DuringGracePeriod_SendsNothingAndCountsTheGoal()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");

        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        await h.AdvanceAsync(TimeSpan.FromMinutes(30));
        await h.SendAsync("ana", "order.placed", new { orderId = "o-1", total = 89.90m });
        await h.AdvanceAsync(TimeSpan.FromDays(3));

        Assert.Empty(h.Emails.Sent);
        var run = await h.Get<IRunStore>().GetAsync(RunIds.For("abandoned-cart", "ana", "c-1"));
        Assert.NotNull(run);
        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Equal(CompletionReason.GoalReached, run.State.Completion);
        var stats = await h.Get<JourneyStatsService>().GetAsync("abandoned-cart");
        Assert.Equal(1, stats!.Goals);
        Assert.Equal(1.0, stats.ConversionRate);
        Assert.Equal(0, stats.Active);
        var grace = stats.Steps.Single(s => s.StepId == "grace");
        Assert.Equal(1, grace.Goals);
        Assert.Equal(1, grace.ExitsByReason![StatCounters.ExitByGoal]);
        Assert.Equal(0, grace.WaitingNow);
    }

    [Fact]
    public async Task SameEventId_RoutedTwice_StartsOneRun()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");

        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana(), id: "evt-1");
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart("c-2"), ServiceHarness.Ana(), id: "evt-1");

        var runs = await h.Get<IRunStore>().ListForContactAsync("ana");
        Assert.Single(runs);
    }

    [Fact]
    public async Task SecondCartKey_StartsItsOwnRun_AndSameKeyRefreshesTheCart()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");

        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart("c-1"), ServiceHarness.Ana());
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart("c-2"));
        await h.SendAsync("ana", "cart.updated", new { cartId = "c-1", total = 10m, currency = "EUR", items = Array.Empty<object>() });

        var runs = await h.Get<IRunStore>().ListActiveForContactAsync("ana");
        Assert.Equal(2, runs.Count);
        var first = runs.Single(r => r.State.Key == "c-1").State;
        Assert.Equal(10m, first.Trigger!.Value.GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task NoMarketingConsent_EmailIsSkippedAndRecorded()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");

        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana(consent: false));
        await h.AdvanceAsync(TimeSpan.FromHours(2));

        Assert.Empty(h.Emails.Sent);
        var entry = await h.Get<ISendLedger>().GetAsync("ana", RunIds.For("abandoned-cart", "ana", "c-1"), RunIds.For("abandoned-cart", "ana", "c-1") + "|reminder-1");
        Assert.NotNull(entry);
        Assert.Equal(LedgerStatus.Skipped, entry.Status);
        var stats = await h.Get<JourneyStatsService>().GetAsync("abandoned-cart");
        Assert.Equal(1, stats!.Steps.Single(s => s.StepId == "reminder-1").EmailsSkipped);
    }

    [Fact]
    public async Task SuppressedAddress_GetsNoEmail()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");
        await h.Get<AddressSuppressions>().AddAsync(" Ana@Example.com ", SuppressionReason.Bounced, ServiceHarness.Start, "hard bounce");

        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        await h.AdvanceAsync(TimeSpan.FromHours(2));

        Assert.Empty(h.Emails.Sent);
    }

    [Fact]
    public async Task RateQuota_DefersTheSecondEmail_AndSendsItLater()
    {
        await using var h = new ServiceHarness(o => o.RatePerMinute = 1);
        await h.PublishSamplesAsync("abandoned-cart");

        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        await h.SendAsync("bob", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana() with { Email = "bob@example.com" });
        await h.AdvanceAsync(TimeSpan.FromMinutes(60));
        Assert.Single(h.Emails.Sent);
        await h.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(2, h.Emails.Sent.Count);
        Assert.Equal(2, h.Emails.Sent.Select(e => e.To.Address).Distinct().Count());
    }

    [Fact]
    public async Task FrequencyCap_DefersAnEmailOverTheCap_UntilTheWindowAllowsIt()
    {
        await using var h = new ServiceHarness(o =>
        {
            o.FrequencyCapMaxEmails = 1;
            o.FrequencyCapPeriod = TimeSpan.FromHours(12);
        });
        await h.PublishSamplesAsync("abandoned-cart");

        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart("c-1"), ServiceHarness.Ana());
        await h.AdvanceAsync(TimeSpan.FromMinutes(30));
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart("c-2"));
        await h.AdvanceAsync(TimeSpan.FromHours(2));
        Assert.Single(h.Emails.Sent);

        // Mon 10:00 + 1 h: first reminder; the second is held by the cap until 12 h have passed, and 23:00 is
        // outside the send window, so it goes out at 09:00 the next morning.
        await h.AdvanceAsync(TimeSpan.FromHours(22));
        Assert.Equal(2, h.Emails.Sent.Count);
    }

    [Fact]
    public async Task FrequencyCap_CappedEmail_IsRetriedWhenTheCapFreesUpWithOneTimelineRow()
    {
        await using var h = new ServiceHarness(o =>
        {
            o.FrequencyCapMaxEmails = 1;
            o.FrequencyCapPeriod = TimeSpan.FromHours(12);
        });
        await h.PublishSamplesAsync("abandoned-cart");
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart("c-1"), ServiceHarness.Ana());
        await h.AdvanceAsync(TimeSpan.FromMinutes(30));
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart("c-2"));

        // c-1's reminder at 10:00 UTC fills the cap until 22:00; c-2's, due 10:30, waits for it, not for the hour.
        await h.AdvanceAsync(TimeSpan.FromHours(2));
        var capped = Assert.Single(await h.Get<IRunStore>().ListActiveForContactAsync("ana"), r => r.State.Wait?.Purpose == WaitPurpose.Deferred);
        Assert.Equal(ServiceHarness.Start.AddHours(13).AddMinutes(1), capped.State.Wait!.Until);

        // The cap frees up at 23:01 Madrid, outside the send window: c-2's reminder goes at 09:00 the next morning.
        await h.AdvanceAsync(TimeSpan.FromHours(20).Add(TimeSpan.FromMinutes(29)));
        Assert.Single(h.Emails.Sent);
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, h.Emails.Sent.Count);
        var timeline = await h.Get<ITimelineStore>().ListAsync("ana", 500);
        var row = Assert.Single(timeline, e => e.RunId == capped.State.RunId && e.Message.Contains("frequency cap", StringComparison.Ordinal));
        Assert.Equal("deferred until Mon 23 Nov 23:01 Europe/Madrid: frequency cap: 1 emails in the last 12 h; it goes out when the cap frees up", row.Message);
        Assert.Equal(ServiceHarness.Start.AddHours(1).AddMinutes(30), row.At);
    }

    [Fact]
    public async Task TagAddedByAJourney_TriggersATagJourney()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");
        await h.PublishAsync("""
            { "id": "abandoner-survey", "name": "Ask abandoners why", "trigger": { "tagAdded": "cart-abandoner" },
              "steps": [ { "id": "survey", "type": "tags", "add": ["surveyed"] } ] }
            """);

        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        await h.AdvanceAsync(TimeSpan.FromDays(2));

        var contact = await h.Get<IContactStore>().GetAsync("ana");
        Assert.Contains("cart-abandoner", contact!.Tags);
        Assert.Contains("surveyed", contact.Tags);
    }

    [Fact]
    public async Task Inactivity_SweepStartsReEngagementOnce()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("re-engagement");
        await h.SendAsync("ana", "page.viewed", new { url = "/" }, ServiceHarness.Ana());
        var sweep = h.Get<InactivitySweep>();

        Assert.Equal(0, await sweep.SweepAsync());
        h.Time.Advance(TimeSpan.FromDays(61));
        Assert.Equal(1, await sweep.SweepAsync());
        await h.DrainAsync();
        Assert.Equal(1, await sweep.SweepAsync());
        await h.DrainAsync();

        var runs = await h.Get<IRunStore>().ListForContactAsync("ana");
        Assert.Single(runs);
        await h.AdvanceAsync(TimeSpan.FromHours(12));
        Assert.Equal("ana@example.com", Assert.Single(h.Emails.Sent).To.Address);
    }

    [Fact]
    public async Task PausedJourney_HoldsDueRunsWithoutStarvingOthers_AndResumeLetsThemFire()
    {
        // With room for one due run per pass, the paused cart run must not block the review request.
        await using var h = new ServiceHarness(runner: o => o.TimerBatchSize = 1);
        await h.PublishSamplesAsync("abandoned-cart", "post-purchase-review");
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        await h.SendAsync("bob", "order.placed", new { orderId = "o-1", items = Array.Empty<object>() }, ServiceHarness.Ana() with { Email = "bob@example.com" });
        await h.Get<JourneyPublisher>().SetPausedAsync("abandoned-cart", paused: true);

        for (var i = 0; i < 8 * 24 * 60; i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(1));
            ServiceHarness.Rethrow(await h.Runner.FireDueTimersAsync());
        }

        Assert.Equal("bob@example.com", Assert.Single(h.Emails.Sent).To.Address);
        await h.Get<JourneyPublisher>().SetPausedAsync("abandoned-cart", paused: false);
        await h.AdvanceAsync(TimeSpan.FromMinutes(6));
        Assert.Contains(h.Emails.Sent, e => e.To.Address == "ana@example.com");
    }

    [Fact]
    public async Task ResumedJourney_TimerThatFellDueDuringThePause_FiresAtResumeAndTheTimelineSaysItWasHeld()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        var publisher = h.Get<JourneyPublisher>();
        await publisher.SetPausedAsync("abandoned-cart", paused: true);
        await h.AdvanceAsync(TimeSpan.FromHours(3));
        Assert.Empty(h.Emails.Sent);
        var held = Assert.Single(await h.Get<IRunStore>().ListActiveForContactAsync("ana")).State.Wait!;
        Assert.Equal(ServiceHarness.Start.AddHours(1), held.HeldFrom);

        // No time passes: the resume itself wakes the held run.
        await publisher.SetPausedAsync("abandoned-cart", paused: false);
        await h.DrainAsync();

        var sent = Assert.Single(h.Emails.Sent);
        Assert.Equal("ana@example.com", sent.To.Address);
        var timeline = await h.Get<ITimelineStore>().ListAsync("ana");
        var heldRow = Assert.Single(timeline, e => e.Message.Contains("held while paused", StringComparison.Ordinal));
        Assert.Equal(ServiceHarness.Start.AddHours(3), heldRow.At);
        Assert.Contains("due Mon 23 Nov 11:00 Europe/Madrid", heldRow.Message, StringComparison.Ordinal);
        Assert.Equal("grace", heldRow.StepId);
        Assert.DoesNotContain(timeline, e => e.Message.Contains("journey.resumed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResumedJourney_PausedAgainBeforeTheResumeIsRouted_KeepsHoldingUntilTheNextResume()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        var publisher = h.Get<JourneyPublisher>();
        await publisher.SetPausedAsync("abandoned-cart", paused: true);
        await h.AdvanceAsync(TimeSpan.FromHours(2));

        await publisher.SetPausedAsync("abandoned-cart", paused: false);
        await publisher.SetPausedAsync("abandoned-cart", paused: true);
        await h.DrainAsync();
        Assert.Empty(h.Emails.Sent);

        await publisher.SetPausedAsync("abandoned-cart", paused: false);
        await h.DrainAsync();
        Assert.Single(h.Emails.Sent);
    }

    [Fact]
    public async Task ResumedJourney_RunWhoseTimerIsStillAhead_IsLeftAlone()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());
        var publisher = h.Get<JourneyPublisher>();
        await publisher.SetPausedAsync("abandoned-cart", paused: true);
        await h.AdvanceAsync(TimeSpan.FromMinutes(20));

        await publisher.SetPausedAsync("abandoned-cart", paused: false);
        Assert.Equal(0, ServiceHarness.Rethrow(await h.Runner.DrainQueueAsync()));
        await h.AdvanceAsync(TimeSpan.FromMinutes(45));

        Assert.Single(h.Emails.Sent);
        Assert.DoesNotContain(await h.Get<ITimelineStore>().ListAsync("ana"), e => e.Message.Contains("held while paused", StringComparison.Ordinal));
    }
}
