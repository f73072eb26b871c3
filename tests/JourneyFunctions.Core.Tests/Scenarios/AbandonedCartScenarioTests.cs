using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Core.Tests.Scenarios;

public sealed class AbandonedCartScenarioTests
{
    // Monday 23 November 2026; Madrid is UTC+1 in November.
    private static readonly DateTimeOffset MondayMorning = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(1));

    private const string Cart = """{"cartId":"c-1","total":89.90,"currency":"EUR","cartUrl":"https://shop.example/cart/c-1","items":[{"sku":"TEE-1","name":"Tee","quantity":2,"price":44.95}]}""";

    private static Contact Shopper(params string[] tags) => new()
    {
        Id = "ana",
        Email = "ana@example.com",
        TimeZone = "Europe/Madrid",
        Tags = new HashSet<string>(tags, StringComparer.OrdinalIgnoreCase),
    };

    private static JourneyDriver Driver(DateTimeOffset start, params string[] tags) =>
        new(Repo.LoadJourney("abandoned-cart"), Shopper(tags), start);

    [Fact]
    public void AbandonedCart_NoOrder_SendsReminderOneAnHourLater()
    {
        var d = Driver(MondayMorning);

        var entry = d.Trigger("cart.updated", Cart);
        d.AdvanceBy(TimeSpan.FromHours(2));

        Assert.True(entry.Enter);
        Assert.Equal("abandoned-cart:ana:k=c-1", entry.RunId);
        var (at, email) = Assert.Single(d.Emails);
        Assert.Equal("cart-reminder-1", email.Template);
        Assert.Equal(MondayMorning.AddHours(1), at);
        Assert.Equal("abandoned-cart:ana:k=c-1|reminder-1", email.OperationId);
        Assert.True(email.Marketing);
        Assert.Equal("c-1", email.Data.Trigger!.Value.GetProperty("cartId").GetString());
    }

    [Fact]
    public void AbandonedCart_NoOrderAndNotVip_SendsReminderTwoTagsAndFinishes()
    {
        var d = Driver(MondayMorning);

        d.Trigger("cart.updated", Cart);
        d.RunToEnd();

        Assert.Equal(["cart-reminder-1", "cart-reminder-2"], d.Templates);
        Assert.Equal(MondayMorning.AddHours(1).AddDays(1), d.Emails.Last().At);
        var tags = Assert.IsType<ChangeTagsRequest>(d.Activities.Last().Request);
        Assert.Equal(["cart-abandoner"], tags.Add);
        Assert.Equal(RunStatus.Completed, d.State!.Status);
        Assert.Equal(CompletionReason.Finished, d.State.Completion);
        Assert.Equal("end", d.State.CompletionDetail);
        Assert.Contains(d.Decisions, x => x.Kind == DecisionKind.Branch && x.Message == "vip-check: not (contact has tag vip) -> reminder-2");
    }

    [Fact]
    public void AbandonedCart_Vip_GetsCouponReminder()
    {
        var d = Driver(MondayMorning, "VIP");

        d.Trigger("cart.updated", Cart);
        d.RunToEnd();

        Assert.Equal(["cart-reminder-1", "cart-reminder-2-coupon"], d.Templates);
        Assert.Contains(d.Decisions, x => x.Message == "vip-check: contact has tag vip -> reminder-2-coupon");
    }

    [Fact]
    public void AbandonedCart_CartAtNight_ReminderMovedToNineLocal()
    {
        var lateMonday = new DateTimeOffset(2026, 11, 23, 23, 30, 0, TimeSpan.FromHours(1));
        var d = Driver(lateMonday);

        d.Trigger("cart.updated", Cart);
        d.AdvanceBy(TimeSpan.FromHours(12));

        var (at, email) = Assert.Single(d.Emails);
        Assert.Equal("cart-reminder-1", email.Template);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.FromHours(1)), at);
        Assert.Contains(d.Decisions, x => x.Kind == DecisionKind.Deferred && x.Message == "held until Tue 24 Nov 09:00 Europe/Madrid: outside the send window");
    }

    [Fact]
    public void AbandonedCart_SaturdayEvening_ReminderWaitsForMonday()
    {
        var saturday = new DateTimeOffset(2026, 11, 28, 19, 30, 0, TimeSpan.FromHours(1));
        var d = Driver(saturday);

        d.Trigger("cart.updated", Cart);
        d.AdvanceBy(TimeSpan.FromDays(3));

        Assert.Equal(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.FromHours(1)), d.Emails.First().At);
    }

    [Fact]
    public void AbandonedCart_OrderWithinHalfAnHour_SendsNothingAndReachesGoal()
    {
        var d = Driver(MondayMorning);
        d.Trigger("cart.updated", Cart);

        d.AdvanceBy(TimeSpan.FromMinutes(30));
        var order = d.Event("order.placed", """{"orderId":"o-1","total":89.90}""");
        var result = d.Send(order);
        d.AdvanceBy(TimeSpan.FromDays(3));

        Assert.Empty(d.Emails);
        Assert.Equal(CompletionReason.GoalReached, d.State!.Completion);
        Assert.Equal(MondayMorning.AddMinutes(30), d.State.GoalReachedAt);
        Assert.Equal(
            [new RecordGoal(order.Id, MondayMorning.AddMinutes(30)), new CompleteRun(CompletionReason.GoalReached, "order.placed")],
            result.Commands);
    }

    [Fact]
    public void AbandonedCart_CartEmptied_ExitsByRule()
    {
        var d = Driver(MondayMorning);
        d.Trigger("cart.updated", Cart);

        d.AdvanceBy(TimeSpan.FromMinutes(10));
        d.Send("cart.emptied", """{"cartId":"c-1"}""");
        d.AdvanceBy(TimeSpan.FromDays(2));

        Assert.Empty(d.Emails);
        Assert.Equal(CompletionReason.ExitedByRule, d.State!.Completion);
        Assert.Equal("cart.emptied", d.State.CompletionDetail);
    }

    [Fact]
    public void AbandonedCart_SecondCartKey_GetsItsOwnRunId()
    {
        var journey = Repo.LoadJourney("abandoned-cart");
        var contact = Shopper();
        var first = JourneyMachine.DecideEntry(journey, contact, new ContactEvent { Id = "e1", ContactId = "ana", Name = "cart.updated", Data = JourneyDriver.Json(Cart), OccurredAt = MondayMorning }, null, MondayMorning);
        var second = JourneyMachine.DecideEntry(journey, contact, new ContactEvent { Id = "e2", ContactId = "ana", Name = "cart.updated", Data = JourneyDriver.Json("""{"cartId":"c-2"}"""), OccurredAt = MondayMorning }, null, MondayMorning);

        Assert.True(first.Enter);
        Assert.True(second.Enter);
        Assert.Equal("c-2", second.Key);
        Assert.Equal("abandoned-cart:ana:k=c-2", second.RunId);
        Assert.NotEqual(first.RunId, second.RunId);
    }

    [Fact]
    public void AbandonedCart_SameKeyWhileActive_IsNotEntered()
    {
        var journey = Repo.LoadJourney("abandoned-cart");
        var previous = new PreviousRun("abandoned-cart:ana:k=c-1", 1, MondayMorning, null);

        var entry = JourneyMachine.DecideEntry(journey, Shopper(), new ContactEvent { Id = "e2", ContactId = "ana", Name = "cart.updated", Data = JourneyDriver.Json(Cart), OccurredAt = MondayMorning }, previous, MondayMorning.AddMinutes(5));

        Assert.False(entry.Enter);
        Assert.Contains("a run is already active", entry.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AbandonedCart_NewerUpdateSameKey_RefreshesTriggerData()
    {
        var d = Driver(MondayMorning);
        d.Trigger("cart.updated", Cart);

        d.AdvanceBy(TimeSpan.FromMinutes(20));
        var result = d.Send("cart.updated", """{"cartId":"c-1","total":120.00,"currency":"EUR"}""");
        d.AdvanceBy(TimeSpan.FromHours(1));

        Assert.Empty(result.Commands);
        var decision = Assert.Single(result.Decisions);
        Assert.Equal(DecisionKind.Updated, decision.Kind);
        var (_, email) = Assert.Single(d.Emails);
        Assert.Equal(120.00m, email.Data.Trigger!.Value.GetProperty("total").GetDecimal());
    }

    [Fact]
    public void AbandonedCart_UpdateForOtherCart_LeavesRunAlone()
    {
        var d = Driver(MondayMorning);
        d.Trigger("cart.updated", Cart);
        var before = d.State;

        var result = d.Send("cart.updated", """{"cartId":"c-2","total":5}""");

        Assert.Same(before, result.State);
        Assert.Empty(result.Commands);
        Assert.Empty(result.Decisions);
    }

    [Fact]
    public void AbandonedCart_ReentryWithinCooldown_IsRefusedAndAfterItAllowed()
    {
        var journey = Repo.LoadJourney("abandoned-cart");
        var ended = MondayMorning.AddDays(1);
        var previous = new PreviousRun("abandoned-cart:ana:k=c-1", 1, MondayMorning, ended);
        var ev = new ContactEvent { Id = "e9", ContactId = "ana", Name = "cart.updated", Data = JourneyDriver.Json(Cart), OccurredAt = ended };

        var tooSoon = JourneyMachine.DecideEntry(journey, Shopper(), ev, previous, ended.AddHours(23));
        var later = JourneyMachine.DecideEntry(journey, Shopper(), ev, previous, ended.AddDays(1));

        Assert.False(tooSoon.Enter);
        Assert.Contains("cool-down", tooSoon.Reason, StringComparison.Ordinal);
        Assert.True(later.Enter);
        Assert.Equal(2, later.Generation);
        Assert.Equal("abandoned-cart:ana:k=c-1:g=2", later.RunId);
    }

    [Fact]
    public void AbandonedCart_EventWithoutCartId_IsNotEntered()
    {
        var d = Driver(MondayMorning);

        var entry = d.Trigger("cart.updated", """{"total":3}""");

        Assert.False(entry.Enter);
        Assert.Contains("cartId", entry.Reason, StringComparison.Ordinal);
        Assert.Null(d.State);
    }
}
