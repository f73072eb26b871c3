using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Tests.Scenarios;

namespace JourneyFunctions.Core.Tests.Engine;

/// <summary>
/// Two runs of one keyed journey for one contact (two carts), fed the same events the way the router delivers an
/// event to every active run of the contact: an event that names a cart concerns that cart's run only.
/// </summary>
public sealed class KeyedRunTests
{
    // Monday 23 November 2026; Madrid is UTC+1 in November.
    private static readonly DateTimeOffset MondayMorning = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(1));

    private static readonly Contact Shopper = new() { Id = "ana", Email = "ana@example.com", TimeZone = "Europe/Madrid" };

    private static string Cart(string id) => $$"""{"cartId":"{{id}}","total":40,"currency":"EUR","cartUrl":"https://shop.example/cart/{{id}}"}""";

    /// <summary>Cart A at 10:00 and cart B at 10:05, each its own run of the sample journey.</summary>
    private static (JourneyDriver A, JourneyDriver B) TwoCarts(JourneyDefinition? journey = null)
    {
        journey ??= Repo.LoadJourney("abandoned-cart");
        var a = new JourneyDriver(journey, Shopper, MondayMorning);
        var b = new JourneyDriver(journey, Shopper, MondayMorning);
        Assert.True(a.Trigger(a.Event("cart.updated", Cart("cart-a"))).Enter);
        a.AdvanceBy(TimeSpan.FromMinutes(5));
        b.AdvanceBy(TimeSpan.FromMinutes(5));
        Assert.True(b.Trigger(b.Event("cart.updated", Cart("cart-b"))).Enter);
        Assert.NotEqual(a.State!.RunId, b.State!.RunId);
        return (a, b);
    }

    /// <summary>One event, delivered to both runs at the same time.</summary>
    private static void Deliver(JourneyDriver a, JourneyDriver b, string name, string data, string id)
    {
        var ev = new ContactEvent { Id = id, ContactId = Shopper.Id, Name = name, Data = JourneyDriver.Json(data), OccurredAt = a.Now };
        a.Send(ev);
        b.Send(ev);
    }

    private static void AdvanceBoth(JourneyDriver a, JourneyDriver b, TimeSpan span)
    {
        a.AdvanceBy(span);
        b.AdvanceBy(span);
    }

    private static int Goals(params JourneyDriver[] drivers) => drivers.Sum(d => d.Commands.Count(c => c.Command is RecordGoal));

    [Fact]
    public void Handle_OrderForCartABeforeAnyReminder_ConvertsOnlyAAndBsReminderStillGoesOut()
    {
        var (a, b) = TwoCarts();

        AdvanceBoth(a, b, TimeSpan.FromMinutes(25));
        Deliver(a, b, "order.placed", """{"orderId":"o-1","cartId":"cart-a","total":40}""", "order-1");
        AdvanceBoth(a, b, TimeSpan.FromHours(2));

        Assert.Equal(CompletionReason.GoalReached, a.State!.Completion);
        Assert.Empty(a.Emails);
        Assert.Equal(RunStatus.Waiting, b.State!.Status);
        Assert.Null(b.State.GoalReachedAt);
        var (at, email) = Assert.Single(b.Emails);
        Assert.Equal("cart-reminder-1", email.Template);
        Assert.Equal(MondayMorning.AddMinutes(5).AddHours(1), at);
        Assert.Equal("cart-b", email.Data.Trigger!.Value.GetProperty("cartId").GetString());
        Assert.Equal(1, Goals(a, b));
    }

    [Fact]
    public void Handle_OrderForCartAWhileBothWaitForAnOrder_EndsOnlyAAndBGetsItsSecondReminder()
    {
        var (a, b) = TwoCarts();
        AdvanceBoth(a, b, TimeSpan.FromHours(2));
        Assert.Equal("wait-order", a.State!.StepId);
        Assert.Equal("wait-order", b.State!.StepId);

        Deliver(a, b, "order.placed", """{"orderId":"o-1","cartId":"cart-a"}""", "order-1");
        b.RunToEnd();

        Assert.Equal(CompletionReason.GoalReached, a.State!.Completion);
        Assert.Equal(["cart-reminder-1"], a.Templates);
        Assert.Equal(["cart-reminder-1", "cart-reminder-2"], b.Templates);
        Assert.Equal(CompletionReason.Finished, b.State!.Completion);
        Assert.Null(b.State.GoalReachedAt);
        Assert.DoesNotContain(b.Decisions, d => d.Kind is DecisionKind.Goal or DecisionKind.EventMatched);
        Assert.Equal(1, Goals(a, b));
    }

    [Fact]
    public void Handle_CartBEmptied_ExitsOnlyB()
    {
        var (a, b) = TwoCarts();

        Deliver(a, b, "cart.emptied", """{"cartId":"cart-b"}""", "emptied-1");
        AdvanceBoth(a, b, TimeSpan.FromHours(2));

        Assert.Equal(CompletionReason.ExitedByRule, b.State!.Completion);
        Assert.Empty(b.Emails);
        Assert.Equal(["cart-reminder-1"], a.Templates);
        Assert.Equal(RunStatus.Waiting, a.State!.Status);
    }

    [Fact]
    public void Handle_OrderNamingNoCart_ConvertsEveryCartRunAsBeforeKeysWereMatched()
    {
        var (a, b) = TwoCarts();

        Deliver(a, b, "order.placed", """{"orderId":"o-1","total":80}""", "order-1");

        Assert.Equal(CompletionReason.GoalReached, a.State!.Completion);
        Assert.Equal(CompletionReason.GoalReached, b.State!.Completion);
    }

    [Fact]
    public void Handle_KeyFieldIsANumber_MatchesTheRunKeyWrittenAsText()
    {
        var journey = Repo.LoadJourney("abandoned-cart");
        var a = new JourneyDriver(journey, Shopper, MondayMorning);
        a.Trigger("cart.updated", """{"cartId":1001}""");
        var other = a.Send("order.placed", """{"cartId":1002}""");
        var same = a.Send("order.placed", """{"cartId":1001}""");

        Assert.Empty(other.Commands);
        Assert.Equal(CompletionReason.GoalReached, same.State.Completion);
    }

    [Fact]
    public void Handle_MatchKeyFalse_AnOrderForAnyCartEndsAndConvertsEveryRun()
    {
        var journey = JourneyJson.DeserializeJourney("""
            {"id":"carts","name":"Carts","trigger":{"event":"cart.updated","key":"cartId"},
             "exitWhen":[{"event":"cart.emptied","matchKey":false}],
             "goal":{"event":"order.placed","matchKey":false},
             "steps":[{"id":"w","type":"waitForEvent","event":"coupon.used","matchKey":false,"timeout":"P1D","onEvent":"thanks"},
                      {"id":"late","type":"exit"},
                      {"id":"thanks","type":"email","template":"t"}]}
            """);
        var (a, b) = TwoCarts(journey);
        Deliver(a, b, "coupon.used", """{"cartId":"cart-a"}""", "coupon-1");
        Assert.Equal(["t"], b.Templates);
        Assert.Equal(["t"], a.Templates);

        var (c, d) = TwoCarts(journey);
        Deliver(c, d, "order.placed", """{"cartId":"cart-a"}""", "order-1");
        Assert.Equal(2, Goals(c, d));

        var (e, f) = TwoCarts(journey);
        Deliver(e, f, "cart.emptied", """{"cartId":"cart-a"}""", "emptied-1");
        Assert.Equal(CompletionReason.ExitedByRule, f.State!.Completion);
    }

    [Fact]
    public void Handle_FilterComparesWithRunKey_OnlyThatCartsEventCounts()
    {
        // Unkeyed-style explicit matching on another field: the goal counts an order whose checkout is this run's cart.
        var journey = JourneyJson.DeserializeJourney("""
            {"id":"carts","name":"Carts","trigger":{"event":"cart.updated","key":"cartId"},
             "goal":{"event":"order.placed","matchKey":false,"filter":{"field":"event.checkout","equalsField":"run.key"}},
             "steps":[{"id":"w","type":"wait","duration":"P1D"}]}
            """);
        var (a, b) = TwoCarts(journey);

        Deliver(a, b, "order.placed", """{"orderId":"o-1","checkout":"cart-b"}""", "order-1");

        Assert.Equal(RunStatus.Waiting, a.State!.Status);
        Assert.Equal(CompletionReason.GoalReached, b.State!.Completion);
        Assert.Equal(1, Goals(a, b));
    }

    [Fact]
    public void Handle_UnkeyedJourney_AnEventWithACartIdStillReachesTheRun()
    {
        var journey = JourneyJson.DeserializeJourney("""
            {"id":"plain","name":"Plain","trigger":{"event":"cart.updated"},
             "goal":{"event":"order.placed"},
             "steps":[{"id":"w","type":"wait","duration":"P1D"}]}
            """);
        var d = new JourneyDriver(journey, Shopper, MondayMorning);
        d.Trigger("cart.updated", Cart("cart-a"));

        d.Send("order.placed", """{"cartId":"cart-z"}""");

        Assert.Equal(CompletionReason.GoalReached, d.State!.Completion);
    }

    [Fact]
    public void DeserializeState_StoredBeforeKeysWereMatched_StillReads()
    {
        // A run row written by the previous version: same enum strings and fields, nothing new required.
        const string stored = """
            {"runId":"abandoned-cart:ana:k=c-1","journeyId":"abandoned-cart","version":1,"contactId":"ana","key":"c-1",
             "status":"waiting","stepId":"wait-order","sequence":3,"startedAt":"2026-11-23T10:00:00+01:00",
             "triggerEventId":"t-1","trigger":{"cartId":"c-1"},"events":{},
             "wait":{"stepId":"wait-order","sequence":3,"until":"2026-11-24T11:00:00+01:00","events":["order.placed"],"purpose":"step"},
             "sent":["reminder-1"],"opened":[],"clicked":[],"stepsExecuted":3}
            """;
        var state = JourneyJson.DeserializeState(stored);
        var journey = Repo.LoadJourney("abandoned-cart");

        var other = JourneyMachine.Handle(journey, state, new EventReceived(MachineTestKit.Event("order.placed", """{"cartId":"c-2"}""", "o-2")), Shopper, MondayMorning.AddHours(3));
        var same = JourneyMachine.Handle(journey, state, new EventReceived(MachineTestKit.Event("order.placed", """{"cartId":"c-1"}""", "o-1")), Shopper, MondayMorning.AddHours(3));

        Assert.Same(state, other.State);
        Assert.Equal(CompletionReason.GoalReached, same.State.Completion);
    }
}
