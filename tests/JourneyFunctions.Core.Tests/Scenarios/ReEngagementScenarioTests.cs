using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Tests.Scenarios;

public sealed class ReEngagementScenarioTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(1));

    private static Contact Sleeper(bool unsubscribeWhenDormant = false) => new()
    {
        Id = "max",
        Email = "max@example.com",
        TimeZone = "Europe/Madrid",
        Fields = unsubscribeWhenDormant
            ? new Dictionary<string, JsonElement> { ["winbackUnsubscribe"] = JourneyDriver.Json("true") }
            : new Dictionary<string, JsonElement>(),
    };

    private static JourneyDriver Driver(Contact contact) => new(Repo.LoadJourney("re-engagement"), contact, Start);

    private const string Inactive = """{"journeyId":"re-engagement"}""";

    [Fact]
    public void ReEngagement_NoOrder_SendsWinbackAndLastChanceThenTagsDormant()
    {
        var d = Driver(Sleeper());

        var entry = d.Trigger(SystemEvents.Inactive, Inactive);
        d.RunToEnd();

        Assert.True(entry.Enter);
        Assert.Equal(["winback", "winback-last-chance"], d.Templates);
        Assert.Equal([Start, Start.AddDays(14)], d.Emails.Select(e => e.At));
        var tags = Assert.IsType<ChangeTagsRequest>(Assert.Single(d.Activities, a => a.Request is ChangeTagsRequest).Request);
        Assert.Equal(["dormant"], tags.Add);
        Assert.DoesNotContain(d.Activities, a => a.Request is SetFieldRequest);
        Assert.Equal("dormant", d.State!.CompletionDetail);
        Assert.Equal(Start.AddDays(21), d.State.EndedAt);
    }

    [Fact]
    public void ReEngagement_DormantAndAskedToUnsubscribe_WithdrawsMarketingConsent()
    {
        var d = Driver(Sleeper(unsubscribeWhenDormant: true));

        d.Trigger(SystemEvents.Inactive, Inactive);
        d.RunToEnd();

        var set = Assert.IsType<SetFieldRequest>(Assert.Single(d.Activities, a => a.Request is SetFieldRequest).Request);
        Assert.Equal("marketingConsent", set.Field);
        Assert.Equal(JsonValueKind.False, set.Value!.Value.ValueKind);
        Assert.Equal(CompletionReason.Finished, d.State!.Completion);
    }

    [Fact]
    public void ReEngagement_OrderAfterWinback_TagsReactivatedAndRecordsGoal()
    {
        var d = Driver(Sleeper());
        d.Trigger(SystemEvents.Inactive, Inactive);

        d.AdvanceBy(TimeSpan.FromDays(3));
        d.Send("order.placed", """{"orderId":"o-9","total":40}""");
        d.RunToEnd();

        Assert.Equal(["winback"], d.Templates);
        var tags = Assert.IsType<ChangeTagsRequest>(Assert.Single(d.Activities, a => a.Request is ChangeTagsRequest).Request);
        Assert.Equal(["reactivated"], tags.Add);
        Assert.Equal(["dormant"], tags.Remove);
        Assert.Equal(Start.AddDays(3), d.State!.GoalReachedAt);
        Assert.Equal("reactivated", d.State.CompletionDetail);
        Assert.Equal("o-9", d.State.Events["wait-return"].GetProperty("orderId").GetString());
    }

    [Fact]
    public void ReEngagement_InactivityForAnotherJourney_DoesNotStart()
    {
        var d = Driver(Sleeper());

        var entry = d.Trigger(SystemEvents.Inactive, """{"journeyId":"other"}""");

        Assert.False(entry.Enter);
    }

    [Theory]
    [InlineData(30, false)]
    [InlineData(89, false)]
    [InlineData(91, true)]
    [InlineData(200, true)]
    public void ReEngagement_Reentry_HonoursNinetyDayCooldown(int daysSinceEnd, bool enters)
    {
        var d = Driver(Sleeper());
        var previous = new PreviousRun("re-engagement:max", 1, Start.AddDays(-daysSinceEnd - 21), Start.AddDays(-daysSinceEnd));

        var entry = d.Trigger(d.Event(SystemEvents.Inactive, Inactive), previous);

        Assert.Equal(enters, entry.Enter);
        if (enters)
        {
            Assert.Equal("re-engagement:max:g=2", entry.RunId);
            Assert.Equal(2, entry.Generation);
        }
    }
}
