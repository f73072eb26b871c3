using System.Text.Json;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Serialization;
using static JourneyFunctions.Core.Tests.Engine.MachineTestKit;

namespace JourneyFunctions.Core.Tests.Engine;

/// <summary>How a run reacts to activity results, timers, events and cancellation.</summary>
public sealed class JourneyMachineInputTests
{
    private static readonly JourneyDefinition EmailThenWait = Journey(
        """{"id":"hello","type":"email","template":"hello"},{"id":"pause","type":"wait","duration":"PT1H"}""");

    private static MachineResult Handle(JourneyDefinition journey, RunState state, MachineInput input, DateTimeOffset? now = null, Contacts.Contact? contact = null) =>
        JourneyMachine.Handle(journey, state, input, contact ?? Contact(), now ?? Now);

    [Fact]
    public void ActivityCompleted_Succeeded_RecordsEmailAndMovesOn()
    {
        var started = Start(EmailThenWait, Contact(), Now);

        var result = Handle(EmailThenWait, started.State, new ActivityCompleted(1, ActivityOutcome.Succeeded()));

        Assert.Equal(["hello"], result.State.Sent);
        Assert.Equal("wait pause Step 2026-11-23T11:00Z", Summary(result.Commands));
        Assert.Equal(2, result.State.Sequence);
        Assert.Null(result.State.Activity);
        Assert.Contains(result.Decisions, d => d.Kind == DecisionKind.Activity && d.Message == "email 'hello' sent");
    }

    [Fact]
    public void Handle_SeveralCalls_CountEveryStepExecutedAndKeepTheRunsIdentity()
    {
        // branch -> tags (1st call: 2 steps), tags done -> email (2 steps: the tags step was counted when issued),
        // email done -> wait -> the waited event -> end.
        var journey = Journey("""
            {"id":"check","type":"branch","if":{"tag":"vip"},"then":"tag","else":"tag"},
            {"id":"tag","type":"tags","add":["seen"]},
            {"id":"hello","type":"email","template":"hello"},
            {"id":"wait-order","type":"waitForEvent","event":"order.placed","timeout":"P1D"}
            """);
        var started = Start(journey, Contact(), Now);

        var tagged = Handle(journey, started.State, new ActivityCompleted(1, ActivityOutcome.Succeeded()));
        var sent = Handle(journey, tagged.State, new ActivityCompleted(2, ActivityOutcome.Succeeded()));
        var ordered = Handle(journey, sent.State, new EventReceived(Event("order.placed", id: "o-1")));

        Assert.Equal(2, started.State.StepsExecuted);
        Assert.Equal(3, tagged.State.StepsExecuted);
        Assert.Equal(4, sent.State.StepsExecuted);
        Assert.Equal(4, ordered.State.StepsExecuted);
        Assert.Equal(RunStatus.Completed, ordered.State.Status);
        Assert.Equal("o-1", ordered.State.LastEventId);
        Assert.Equal(["hello"], ordered.State.Sent);
        Assert.Equal(["wait-order"], ordered.State.Events.Keys);
        Assert.Equal(
            (started.State.RunId, started.State.JourneyId, started.State.Version, started.State.ContactId, started.State.StartedAt, started.State.TriggerEventId),
            (ordered.State.RunId, ordered.State.JourneyId, ordered.State.Version, ordered.State.ContactId, ordered.State.StartedAt, ordered.State.TriggerEventId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-1)]
    public void ActivityCompleted_StaleSequence_IsIgnored(int sequence)
    {
        var started = Start(EmailThenWait, Contact(), Now);

        var result = Handle(EmailThenWait, started.State, new ActivityCompleted(sequence, ActivityOutcome.Succeeded()));

        Assert.Same(started.State, result.State);
        Assert.Empty(result.Commands);
        Assert.Empty(result.Decisions);
    }

    [Fact]
    public void ActivityCompleted_WhileWaiting_IsIgnored()
    {
        var started = Start(Journey("""{"id":"w","type":"wait","duration":"PT1H"}"""), Contact(), Now);

        var result = Handle(Journey("""{"id":"w","type":"wait","duration":"PT1H"}"""), started.State, new ActivityCompleted(1, ActivityOutcome.Succeeded()));

        Assert.Same(started.State, result.State);
    }

    [Fact]
    public void ActivityCompleted_Skipped_ExplainsAndMovesOnWithoutMarkingSent()
    {
        var started = Start(EmailThenWait, Contact(), Now);

        var result = Handle(EmailThenWait, started.State, new ActivityCompleted(1, ActivityOutcome.Skipped("the address is suppressed (bounced)")));

        Assert.Empty(result.State.Sent);
        Assert.Contains(result.Decisions, d => d.Kind == DecisionKind.Skipped && d.Message == "the address is suppressed (bounced)");
        Assert.Equal("wait pause Step 2026-11-23T11:00Z", Summary(result.Commands));
    }

    [Fact]
    public void ActivityCompleted_Deferred_WaitsThenReissuesTheSameEmail()
    {
        var started = Start(EmailThenWait, Contact(), Now);
        var retryAt = Now.AddMinutes(15);

        var deferred = Handle(EmailThenWait, started.State, new ActivityCompleted(1, ActivityOutcome.Deferred(retryAt, "frequency cap: 3 emails a day")));
        var retried = Handle(EmailThenWait, deferred.State, new TimerFired(deferred.State.Wait!.Sequence), retryAt);

        Assert.Equal("wait hello Deferred 2026-11-23T10:15Z", Summary(deferred.Commands));
        Assert.Contains(deferred.Decisions, d => d.Kind == DecisionKind.Deferred && d.Message.EndsWith("frequency cap: 3 emails a day", StringComparison.Ordinal));
        var first = (SendEmailRequest)((ExecuteActivity)started.Commands[0]).Request;
        var again = (SendEmailRequest)((ExecuteActivity)Assert.Single(retried.Commands)).Request;
        Assert.Equal(first.OperationId, again.OperationId);
        Assert.Equal(3, again.Sequence);
    }

    [Fact]
    public void ActivityCompleted_DeferredAgainOnTheRetry_TellsTheDeferralOnceAndForgetsItWhenSent()
    {
        var started = Start(EmailThenWait, Contact(), Now);
        var first = Handle(EmailThenWait, started.State, new ActivityCompleted(1, ActivityOutcome.Deferred(Now.AddHours(1), "frequency cap")));
        var retried = Handle(EmailThenWait, first.State, new TimerFired(first.State.Wait!.Sequence), Now.AddHours(1));
        var again = Handle(EmailThenWait, retried.State, new ActivityCompleted(retried.State.Activity!.Sequence, ActivityOutcome.Deferred(Now.AddHours(2), "frequency cap")), Now.AddHours(1));
        var retriedAgain = Handle(EmailThenWait, again.State, new TimerFired(again.State.Wait!.Sequence), Now.AddHours(2));

        var sent = Handle(EmailThenWait, retriedAgain.State, new ActivityCompleted(retriedAgain.State.Activity!.Sequence, ActivityOutcome.Succeeded()), Now.AddHours(2));

        Assert.Single(first.Decisions, d => d.Kind == DecisionKind.Deferred);
        Assert.Equal("hello", first.State.DeferredStepId);
        Assert.DoesNotContain(again.Decisions, d => d.Kind == DecisionKind.Deferred);
        Assert.Equal("wait hello Deferred 2026-11-23T12:00Z", Summary(again.Commands));
        Assert.Null(sent.State.DeferredStepId);
        Assert.Equal(["hello"], sent.State.Sent);
    }

    [Fact]
    public void ActivityCompleted_Failed_EndsRunAsFailed()
    {
        var journey = Journey("""{"id":"hook","type":"webhook","url":"https://crm.example"},{"id":"after","type":"exit"}""");
        var started = Start(journey, Contact(), Now);

        var result = Handle(journey, started.State, new ActivityCompleted(1, ActivityOutcome.Failed("the CRM answered 400 after 5 tries")));

        Assert.Equal("complete Failed the CRM answered 400 after 5 tries", Summary(result.Commands));
        Assert.Equal(RunStatus.Completed, result.State.Status);
        Assert.Equal(Now, result.State.EndedAt);
    }

    [Fact]
    public void ActivityCompleted_WebhookOutput_IsAvailableToLaterSteps()
    {
        var journey = Journey("""
            {"id":"coupon","type":"webhook","url":"https://coupons.example"},
            {"id":"has-code","type":"branch","if":{"field":"events.coupon.code","exists":true},"then":"send","else":"none"},
            {"id":"none","type":"exit"},
            {"id":"send","type":"email","template":"coupon"}
            """);
        var started = Start(journey, Contact(), Now);
        var output = JsonDocument.Parse("""{"code":"SAVE10"}""").RootElement.Clone();

        var result = Handle(journey, started.State, new ActivityCompleted(1, ActivityOutcome.Succeeded(output)));

        Assert.Equal("email send coupon", Summary(result.Commands));
        var email = (SendEmailRequest)((ExecuteActivity)result.Commands[0]).Request;
        Assert.Equal("SAVE10", email.Data.Events["coupon"].GetProperty("code").GetString());
    }

    [Fact]
    public void TimerFired_StaleSequence_IsIgnored()
    {
        var journey = Journey("""{"id":"w","type":"wait","duration":"PT1H"},{"id":"e","type":"email","template":"t"}""");
        var started = Start(journey, Contact(), Now);

        var result = Handle(journey, started.State, new TimerFired(0), Now.AddHours(1));

        Assert.Same(started.State, result.State);
        Assert.Empty(result.Commands);
    }

    [Fact]
    public void TimerFired_CurrentSequence_Continues()
    {
        var journey = Journey("""{"id":"w","type":"wait","duration":"PT1H"},{"id":"e","type":"email","template":"t"}""");
        var started = Start(journey, Contact(), Now);

        var result = Handle(journey, started.State, new TimerFired(1), Now.AddHours(1));

        Assert.Equal("email e t", Summary(result.Commands));
        Assert.Equal(2, result.State.StepsExecuted);
    }

    [Fact]
    public void TimerFired_SendWindowStillClosed_HoldsAgain()
    {
        // 22:00-06:00 window, now 10:00: held until 22:00; a timer that fires early (clock skew) holds again.
        var journey = Journey("""{"id":"e","type":"email","template":"t"}""", """ "sendWindow":{"from":"22:00","to":"06:00"}""");
        var started = Start(journey, Contact(), Now);

        var early = Handle(journey, started.State, new TimerFired(1), Now.AddHours(11));
        var onTime = Handle(journey, early.State, new TimerFired(2), Now.AddHours(12));

        Assert.Equal("wait e SendWindow 2026-11-23T22:00Z", Summary(early.Commands));
        Assert.Equal("email e t", Summary(onTime.Commands));
    }

    [Fact]
    public void Email_SecondVisitInRun_IsSkipped()
    {
        var journey = Journey("""
            {"id":"hello","type":"email","template":"hello"},
            {"id":"pause","type":"wait","duration":"P1D","next":"hello"}
            """);
        var started = Start(journey, Contact(), Now);
        var sent = Handle(journey, started.State, new ActivityCompleted(1, ActivityOutcome.Succeeded()));

        var again = Handle(journey, sent.State, new TimerFired(2), Now.AddDays(1));

        Assert.Equal("wait pause Step 2026-11-25T10:00Z", Summary(again.Commands));
        Assert.Contains(again.Decisions, d => d.Kind == DecisionKind.Skipped && d.StepId == "hello" && d.Message == "already sent in this run");
    }

    [Fact]
    public void WaitForEvent_MatchingEvent_StoresDataAndFollowsOnEvent()
    {
        var journey = Journey("""
            {"id":"wait-order","type":"waitForEvent","event":"order.placed","timeout":"P1D","filter":{"field":"event.total","greaterThan":20},"onEvent":"thanks","onTimeout":"nudge"},
            {"id":"nudge","type":"email","template":"nudge"},
            {"id":"thanks","type":"email","template":"thanks"}
            """);
        var started = Start(journey, Contact(), Now);

        var small = Handle(journey, started.State, new EventReceived(Event("order.placed", """{"total":5}""")));
        var big = Handle(journey, started.State, new EventReceived(Event("order.placed", """{"total":50}""")));

        Assert.Same(started.State, small.State);
        Assert.Equal("email thanks thanks", Summary(big.Commands));
        Assert.Equal(50, big.State.Events["wait-order"].GetProperty("total").GetInt32());
        Assert.Equal(50, big.State.LastEvent!.Value.GetProperty("total").GetInt32());
        var email = (SendEmailRequest)((ExecuteActivity)big.Commands[0]).Request;
        Assert.Equal(50, email.Data.Event!.Value.GetProperty("total").GetInt32());
        Assert.Contains(big.Decisions, d => d.Kind == DecisionKind.EventMatched && d.Message == "order.placed arrived -> thanks");
    }

    [Fact]
    public void WaitForEvent_Timeout_FollowsOnTimeout()
    {
        var journey = Journey("""
            {"id":"wait-order","type":"waitForEvent","event":"order.placed","timeout":"P1D","onEvent":"thanks","onTimeout":"nudge"},
            {"id":"thanks","type":"email","template":"thanks"},
            {"id":"nudge","type":"email","template":"nudge"}
            """);
        var started = Start(journey, Contact(), Now);

        var result = Handle(journey, started.State, new TimerFired(1), Now.AddDays(1));

        Assert.Equal("email nudge nudge", Summary(result.Commands));
        Assert.Contains(result.Decisions, d => d.Kind == DecisionKind.Timeout && d.Message == "no order.placed within 1 day -> nudge");
    }

    [Fact]
    public void EventReceived_Engagement_RecordsOpenAndClickForBranches()
    {
        var journey = Journey("""
            {"id":"promo","type":"email","template":"promo"},
            {"id":"pause","type":"wait","duration":"P2D"},
            {"id":"engaged","type":"branch","if":{"all":[{"emailOpened":"promo"},{"emailClicked":"promo"}]},"then":"thanks","else":"resend"},
            {"id":"resend","type":"exit"},
            {"id":"thanks","type":"exit","reason":"engaged"}
            """);
        var s = Start(journey, Contact(), Now).State;
        s = Handle(journey, s, new ActivityCompleted(1, ActivityOutcome.Succeeded())).State;

        var opened = Handle(journey, s, new EventReceived(Event(SystemEvents.EmailOpened, """{"runId":"j:c","stepId":"promo","journeyId":"j"}""", id: "open-1")));
        var clicked = Handle(journey, opened.State, new EventReceived(Event(SystemEvents.EmailClicked, """{"runId":"j:c","stepId":"promo","url":"https://shop.example"}""", id: "click-1")));
        var otherRun = Handle(journey, clicked.State, new EventReceived(Event(SystemEvents.EmailOpened, """{"runId":"other:c","stepId":"x"}""", id: "open-2")));
        var end = Handle(journey, otherRun.State, new TimerFired(2), Now.AddDays(2));

        Assert.Equal(["promo"], opened.State.Opened);
        Assert.Empty(opened.Commands);
        Assert.Equal(["promo"], clicked.State.Clicked);
        Assert.Same(clicked.State, otherRun.State);
        Assert.Equal("complete Finished engaged", Summary(end.Commands));
    }

    [Fact]
    public void EventReceived_SameEventDeliveredAgain_IsNotASecondEvent()
    {
        // A run that waits for each of two orders in turn: a repeat of the first order must not count as the second.
        var journey = Journey("""
            {"id":"first","type":"waitForEvent","event":"order.placed","timeout":"P7D","onEvent":"second","onTimeout":"late"},
            {"id":"second","type":"waitForEvent","event":"order.placed","timeout":"P7D","onEvent":"loyal","onTimeout":"late"},
            {"id":"loyal","type":"exit","reason":"two orders"},
            {"id":"late","type":"exit","reason":"no order"}
            """);
        var started = Start(journey, Contact(), Now);
        var order = new EventReceived(Event("order.placed", """{"total":5}""", id: "order-1"));

        var first = Handle(journey, started.State, order);
        var repeat = Handle(journey, first.State, order);
        var second = Handle(journey, first.State, new EventReceived(Event("order.placed", """{"total":7}""", id: "order-2")));

        Assert.Equal("second", first.State.StepId);
        Assert.Equal("order-1", first.State.LastEventId);
        Assert.Same(first.State, repeat.State);
        Assert.Empty(repeat.Commands);
        Assert.Equal("complete Finished two orders", Summary(second.Commands));
    }

    [Fact]
    public void EventReceived_GoalThatDoesNotEndRun_IsRecordedOnce()
    {
        var journey = Journey("""{"id":"w","type":"wait","duration":"P10D"}""", """ "goal":{"event":"order.placed","endsRun":false}""");
        var started = Start(journey, Contact(), Now);

        var first = Handle(journey, started.State, new EventReceived(Event("order.placed", id: "o-1")), Now.AddDays(1));
        var second = Handle(journey, first.State, new EventReceived(Event("order.placed", id: "o-2")), Now.AddDays(2));

        Assert.Equal("goal o-1", Summary(first.Commands));
        Assert.Equal(RunStatus.Waiting, first.State.Status);
        Assert.Equal(Now.AddDays(1), first.State.GoalReachedAt);
        Assert.Empty(second.Commands);
        Assert.Same(first.State, second.State);
    }

    [Theory]
    [InlineData(6, "goal o-1 | complete GoalReached order.placed")]
    [InlineData(7, "goal o-1 | complete GoalReached order.placed")]
    [InlineData(8, "")]
    public void EventReceived_Goal_CountsOnlyWithinWindow(int days, string expected)
    {
        var journey = Journey("""{"id":"w","type":"wait","duration":"P30D"}""", """ "goal":{"event":"order.placed","within":"P7D"}""");
        var started = Start(journey, Contact(), Now);

        var result = Handle(journey, started.State, new EventReceived(Event("order.placed", id: "o-1")), Now.AddDays(days));

        Assert.Equal(expected, Summary(result.Commands));
    }

    [Fact]
    public void EventReceived_GoalWithFilter_NeedsMatchingData()
    {
        var journey = Journey("""{"id":"w","type":"wait","duration":"P30D"}""", """ "goal":{"event":"order.placed","filter":{"field":"event.total","greaterThan":100}}""");
        var started = Start(journey, Contact(), Now);

        var small = Handle(journey, started.State, new EventReceived(Event("order.placed", """{"total":20}""")));
        var big = Handle(journey, started.State, new EventReceived(Event("order.placed", """{"total":200}""")));

        Assert.Empty(small.Commands);
        Assert.Equal(CompletionReason.GoalReached, big.State.Completion);
    }

    [Fact]
    public void EventReceived_ExitRuleWithFilter_EndsRunOnlyWhenItMatches()
    {
        var journey = Journey("""{"id":"w","type":"wait","duration":"P30D"}""", """ "exitWhen":[{"event":"contact.updated","filter":{"field":"event.country","in":["US","CA"]}}]""");
        var started = Start(journey, Contact(), Now);

        var stays = Handle(journey, started.State, new EventReceived(Event("contact.updated", """{"country":"ES"}""")));
        var leaves = Handle(journey, started.State, new EventReceived(Event("contact.updated", """{"country":"us"}""")));

        Assert.Empty(stays.Commands);
        Assert.Equal("complete ExitedByRule contact.updated", Summary(leaves.Commands));
        Assert.Contains(leaves.Decisions, d => d.Kind == DecisionKind.Exited);
    }

    [Fact]
    public void EventReceived_ExitRuleWhileExecuting_EndsRunAndLateResultIsIgnored()
    {
        var journey = Journey("""{"id":"e","type":"email","template":"t"}""", """ "exitWhen":[{"event":"order.placed"}]""");
        var started = Start(journey, Contact(), Now);

        var exited = Handle(journey, started.State, new EventReceived(Event("order.placed")));
        var late = Handle(journey, exited.State, new ActivityCompleted(1, ActivityOutcome.Succeeded()));

        Assert.Equal(CompletionReason.ExitedByRule, exited.State.Completion);
        Assert.Same(exited.State, late.State);
        Assert.Empty(late.Commands);
    }

    [Fact]
    public void EventReceived_UnrelatedEvent_ChangesNothing()
    {
        var started = Start(EmailThenWait, Contact(), Now);

        var result = Handle(EmailThenWait, started.State, new EventReceived(Event("page.viewed", """{"url":"/"}""")));

        Assert.Same(started.State, result.State);
        Assert.Empty(result.Commands);
        Assert.Empty(result.Decisions);
    }

    [Fact]
    public void CancelRequested_EndsRunAsCancelled()
    {
        var started = Start(EmailThenWait, Contact(), Now);

        var result = Handle(EmailThenWait, started.State, new CancelRequested("the contact unsubscribed"));

        Assert.Equal("complete Cancelled the contact unsubscribed", Summary(result.Commands));
        Assert.Equal(CompletionReason.Cancelled, result.State.Completion);
    }

    [Fact]
    public void Handle_CompletedRun_IgnoresEveryInput()
    {
        var journey = Journey("""{"id":"x","type":"exit"}""");
        var done = Start(journey, Contact(), Now).State;
        MachineInput[] inputs =
        [
            new TimerFired(1), new ActivityCompleted(1, ActivityOutcome.Succeeded()), new EventReceived(Event("go")), new CancelRequested("late"),
        ];

        foreach (var input in inputs)
        {
            var result = Handle(journey, done, input);
            Assert.Same(done, result.State);
            Assert.Empty(result.Commands);
            Assert.Empty(result.Decisions);
        }
    }

    [Fact]
    public void Handle_OtherJourneyOrVersion_Throws()
    {
        var started = Start(EmailThenWait, Contact(), Now);
        var other = EmailThenWait with { Id = "other" };
        var newer = EmailThenWait with { Version = 2 };

        Assert.Throws<ArgumentException>(() => Handle(other, started.State, new TimerFired(1)));
        Assert.Throws<ArgumentException>(() => Handle(newer, started.State, new TimerFired(1)));
    }

    [Fact]
    public void Handle_StepRemovedFromDefinition_FailsTheRun()
    {
        var started = Start(EmailThenWait, Contact(), Now);
        var edited = Journey("""{"id":"other","type":"exit"}""");

        var result = Handle(edited, started.State, new ActivityCompleted(1, ActivityOutcome.Succeeded()));

        Assert.Equal(CompletionReason.Failed, result.State.Completion);
        Assert.Contains("hello", result.State.CompletionDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void Handle_Results_RoundTripThroughJson()
    {
        var started = Start(EmailThenWait, Contact(), Now);
        var result = Handle(EmailThenWait, started.State, new ActivityCompleted(1, ActivityOutcome.Succeeded()));

        var json = JourneyJson.Serialize(result);
        var back = JsonSerializer.Deserialize<MachineResult>(json, JourneyJson.Options)!;

        Assert.Equal(json, JourneyJson.Serialize(back));
        Assert.Contains("\"kind\":\"wait\"", json, StringComparison.Ordinal);
    }
}
