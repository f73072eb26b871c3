using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Core.Tests.Scenarios;

public sealed class WelcomeSeriesScenarioTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(1));

    private static JourneyDriver Driver(DateTimeOffset start) =>
        new(Repo.LoadJourney("welcome-series"), new Contact { Id = "leo", Email = "leo@example.com", TimeZone = "Europe/Madrid" }, start);

    [Fact]
    public void WelcomeSeries_NoOrder_SendsThreeEmailsTagsAndCompletes()
    {
        var d = Driver(Monday);

        d.Trigger("contact.subscribed", """{"source":"footer-form"}""");
        d.RunToEnd();

        Assert.Equal(["welcome", "welcome-tips", "welcome-first-purchase"], d.Templates);
        Assert.Equal([Monday, Monday.AddDays(2), Monday.AddDays(7)], d.Emails.Select(e => e.At));
        var tags = Assert.Single(d.Activities, a => a.Request is ChangeTagsRequest);
        Assert.Equal(["onboarded"], ((ChangeTagsRequest)tags.Request).Add);
        Assert.Equal(Monday.AddDays(2), tags.At);
        Assert.Equal(CompletionReason.Finished, d.State!.Completion);
        Assert.Equal("series complete", d.State.CompletionDetail);
        Assert.Null(d.State.GoalReachedAt);
    }

    [Fact]
    public void WelcomeSeries_SubscribedAtNight_WelcomeAtOnceTipsWaitForEightLocal()
    {
        // The welcome answers the sign-up (ignoreSendWindow), so it goes at 22:15; the tips two days later fall at
        // 22:15 too, outside the 08:00-21:00 window, and wait for 08:00.
        var night = new DateTimeOffset(2026, 11, 23, 22, 15, 0, TimeSpan.FromHours(1));
        var d = Driver(night);

        d.Trigger("contact.subscribed");
        d.AdvanceBy(TimeSpan.FromDays(2) + TimeSpan.FromHours(12));

        Assert.Equal(["welcome", "welcome-tips"], d.Templates);
        var sent = d.Emails.Select(e => e.At).ToList();
        Assert.Equal(night, sent[0]);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.FromHours(1)), sent[1]);
    }

    [Fact]
    public void WelcomeSeries_OrderAfterTips_ReachesGoalAndSendsNoNudge()
    {
        var d = Driver(Monday);
        d.Trigger("contact.subscribed");

        d.AdvanceBy(TimeSpan.FromDays(3));
        d.Send("order.placed", """{"orderId":"o-7","total":25}""");
        d.RunToEnd();

        Assert.Equal(["welcome", "welcome-tips"], d.Templates);
        Assert.Equal(CompletionReason.GoalReached, d.State!.Completion);
        Assert.Contains(d.Commands, c => c.Command is RecordGoal);
    }

    [Fact]
    public void WelcomeSeries_SecondSubscription_NeverReenters()
    {
        var d = Driver(Monday);
        var previous = new PreviousRun("welcome-series:leo", 1, Monday.AddDays(-40), Monday.AddDays(-33));

        var entry = d.Trigger(d.Event("contact.subscribed"), previous);

        Assert.False(entry.Enter);
        Assert.Contains("does not allow re-entry", entry.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WelcomeSeries_OtherEvent_DoesNotStart()
    {
        var d = Driver(Monday);

        var entry = d.Trigger("cart.updated", """{"cartId":"c"}""");

        Assert.False(entry.Enter);
        Assert.Null(entry.RunId);
    }
}
