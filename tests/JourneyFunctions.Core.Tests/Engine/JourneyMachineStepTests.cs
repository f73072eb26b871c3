using JourneyFunctions.Core.Engine;
using static JourneyFunctions.Core.Tests.Engine.MachineTestKit;

namespace JourneyFunctions.Core.Tests.Engine;

/// <summary>What each step kind asks the host for when a run reaches it (the first command of a fresh run).</summary>
public sealed class JourneyMachineStepTests
{
    private const string Next = """,{"id":"after","type":"email","template":"after"}""";

    [Theory]
    // email
    [InlineData("""{"id":"s","type":"email","template":"hello"}""", "", "UTC", "email s hello")]
    [InlineData("""{"id":"s","type":"email","template":"hello"}""", """ "sendWindow":{"from":"09:00","to":"20:00"}""", "UTC", "email s hello")]
    [InlineData("""{"id":"s","type":"email","template":"hello"}""", """ "sendWindow":{"from":"12:00","to":"20:00"}""", "UTC", "wait s SendWindow 2026-11-23T12:00Z")]
    [InlineData("""{"id":"s","type":"email","template":"hello","ignoreSendWindow":true}""", """ "sendWindow":{"from":"12:00","to":"20:00"}""", "UTC", "email s hello")]
    [InlineData("""{"id":"s","type":"email","template":"hello"}""", """ "sendWindow":{"from":"09:00","to":"11:00"}""", "Europe/Madrid", "wait s SendWindow 2026-11-24T08:00Z")]
    [InlineData("""{"id":"s","type":"email","template":"hello"}""", """ "sendWindow":{"days":["tue"],"from":"09:00","to":"20:00"}""", "UTC", "wait s SendWindow 2026-11-24T09:00Z")]
    [InlineData("""{"id":"s","type":"email","template":"hello"}""", """ "sendWindow":{"from":"22:00","to":"06:00"}""", "UTC", "wait s SendWindow 2026-11-23T22:00Z")]
    // wait
    [InlineData("""{"id":"s","type":"wait","duration":"PT1H"}""", "", "UTC", "wait s Step 2026-11-23T11:00Z")]
    [InlineData("""{"id":"s","type":"wait","duration":"P1W"}""", "", "Europe/Madrid", "wait s Step 2026-11-30T10:00Z")]
    [InlineData("""{"id":"s","type":"wait","until":{"time":"09:00"}}""", "", "Europe/Madrid", "wait s Step 2026-11-24T08:00Z")]
    [InlineData("""{"id":"s","type":"wait","until":{"time":"12:00"}}""", "", "Europe/Madrid", "wait s Step 2026-11-23T11:00Z")]
    [InlineData("""{"id":"s","type":"wait","until":{"time":"11:00","days":["mon"]}}""", "", "Europe/Madrid", "wait s Step 2026-11-30T10:00Z")]
    [InlineData("""{"id":"s","type":"wait","until":{"time":"08:00","days":["fri","sat"]}}""", "", "UTC", "wait s Step 2026-11-27T08:00Z")]
    [InlineData("""{"id":"s","type":"wait","relativeTo":"trigger.when"}""", "", "UTC", "wait s Step 2026-12-01T09:30Z")]
    [InlineData("""{"id":"s","type":"wait","relativeTo":"trigger.when","offset":"-P1D"}""", "", "UTC", "wait s Step 2026-11-30T09:30Z")]
    [InlineData("""{"id":"s","type":"wait","relativeTo":"trigger.when","offset":"-P30D"}""" + Next, "", "UTC", "email after after")]
    [InlineData("""{"id":"s","type":"wait","relativeTo":"trigger.missing","duration":"P2D"}""", "", "UTC", "wait s Step 2026-11-25T10:00Z")]
    [InlineData("""{"id":"s","type":"wait","relativeTo":"trigger.missing"}""" + Next, "", "UTC", "email after after")]
    [InlineData("""{"id":"s","type":"wait","relativeTo":"contact.birthday"}""", "", "Europe/Madrid", "wait s Step 2026-12-24T23:00Z")]
    // waitForEvent
    [InlineData("""{"id":"s","type":"waitForEvent","event":"order.placed","timeout":"P1D"}""", "", "UTC", "wait s Step 2026-11-24T10:00Z [order.placed]")]
    // branch
    [InlineData("""{"id":"s","type":"branch","if":{"tag":"vip"},"then":"yes","else":"no"},{"id":"yes","type":"email","template":"y"},{"id":"no","type":"email","template":"n"}""", "", "UTC", "email no n")]
    [InlineData("""{"id":"s","type":"branch","if":{"field":"trigger.total","greaterThan":50},"then":"yes","else":"no"},{"id":"no","type":"email","template":"n"},{"id":"yes","type":"email","template":"y"}""", "", "UTC", "email yes y")]
    [InlineData("""{"id":"s","type":"branch","if":{"tag":"nope"},"then":"yes"},{"id":"next","type":"email","template":"x"},{"id":"yes","type":"email","template":"y"}""", "", "UTC", "email next x")]
    // split
    [InlineData("""{"id":"s","type":"split","paths":[{"percent":100,"next":"a"},{"percent":0,"next":"b"}]},{"id":"b","type":"email","template":"b"},{"id":"a","type":"email","template":"a"}""", "", "UTC", "email a a")]
    [InlineData("""{"id":"s","type":"split","paths":[{"percent":0,"next":"a"},{"percent":100,"next":"b"}]},{"id":"a","type":"email","template":"a"},{"id":"b","type":"email","template":"b"}""", "", "UTC", "email b b")]
    // tags, setField, webhook
    [InlineData("""{"id":"s","type":"tags","add":["a","b"],"remove":["c"]}""", "", "UTC", "tags s +a,b -c")]
    [InlineData("""{"id":"s","type":"setField","field":"tier","value":"gold"}""", "", "UTC", "set s tier=\"gold\"")]
    [InlineData("""{"id":"s","type":"webhook","url":"https://crm.example/hook","method":"PUT"}""", "", "UTC", "webhook s PUT https://crm.example/hook")]
    // exit and the end
    [InlineData("""{"id":"s","type":"exit","reason":"converted"}""" + Next, "", "UTC", "complete Finished converted")]
    [InlineData("""{"id":"s","type":"exit"}""", "", "UTC", "complete Finished s")]
    [InlineData("""{"id":"s","type":"tags","add":["x"],"next":"far"},{"id":"skipped","type":"email","template":"no"},{"id":"far","type":"exit"}""", "", "UTC", "tags s +x -")]
    public void Start_StepKind_IssuesExpectedCommand(string steps, string extra, string zone, string expected)
    {
        var journey = Journey(steps, extra);
        var contact = Contact(zone, fields: """{"birthday":"2026-12-25"}""");

        var result = Start(journey, contact, Now, """{"total":89.9,"when":"2026-12-01T09:30:00Z"}""");

        Assert.Equal(expected, Summary(result.Commands));
    }

    [Fact]
    public void Start_NoSteps_FinishesAtOnce()
    {
        var result = Start(Journey(""), Contact(), Now);

        Assert.Equal("complete Finished ", Summary(result.Commands));
        Assert.Equal(RunStatus.Completed, result.State.Status);
        Assert.Equal(Now, result.State.EndedAt);
    }

    [Fact]
    public void Start_WalksOffTheEnd_Finishes()
    {
        var journey = Journey("""{"id":"b","type":"branch","if":{"tag":"x"}}""");

        var result = Start(journey, Contact(), Now);

        Assert.Equal("complete Finished ", Summary(result.Commands));
        Assert.Equal(1, result.State.StepsExecuted);
    }

    [Fact]
    public void Start_NewRun_CarriesIdentityVersionAndTrigger()
    {
        var journey = Journey("""{"id":"w","type":"wait","duration":"PT1H"}""") with { Version = 7 };

        var result = Start(journey, Contact(), Now, """{"cartId":"c-1"}""");

        var s = result.State;
        Assert.Equal("j:c", s.RunId);
        Assert.Equal(7, s.Version);
        Assert.Equal("t-1", s.TriggerEventId);
        Assert.Equal(Now, s.StartedAt);
        Assert.Equal(RunStatus.Waiting, s.Status);
        Assert.Equal("w", s.StepId);
        Assert.Equal(1, s.Sequence);
        Assert.Equal(1, s.Wait!.Sequence);
        Assert.Equal("c-1", s.Trigger!.Value.GetProperty("cartId").GetString());
        Assert.Equal(DecisionKind.Entered, result.Decisions[0].Kind);
    }

    [Fact]
    public void Start_UnversionedDraft_UsesVersionOne()
    {
        var result = Start(Journey("""{"id":"w","type":"wait","duration":"PT1H"}"""), Contact(), Now);

        Assert.Equal(1, result.State.Version);
    }

    [Theory]
    [InlineData("""{"id":"s","type":"email","template":"t"}""", "j:c|s")]
    [InlineData("""{"id":"s","type":"tags","add":["t"]}""", "j:c|s|1")]
    [InlineData("""{"id":"s","type":"setField","field":"f","value":1}""", "j:c|s|1")]
    [InlineData("""{"id":"s","type":"webhook","url":"https://x.example"}""", "j:c|s|1")]
    public void Start_Activity_OperationIdIsDeterministic(string step, string expected)
    {
        var result = Start(Journey(step), Contact(), Now);

        var request = Assert.IsType<ExecuteActivity>(Assert.Single(result.Commands)).Request;
        Assert.Equal(expected, request.OperationId);
        Assert.Equal(expected, result.State.Activity!.OperationId);
        Assert.Equal(RunStatus.Executing, result.State.Status);
    }

    [Fact]
    public void Start_EmailOfTransactionalJourney_IsNotMarketing()
    {
        var journey = Journey("""{"id":"s","type":"email","template":"receipt"}""", """ "category":"transactional" """);

        var result = Start(journey, Contact(), Now);

        var email = Assert.IsType<SendEmailRequest>(Assert.IsType<ExecuteActivity>(result.Commands[0]).Request);
        Assert.False(email.Marketing);
    }

    [Fact]
    public void Start_SendWindowHeld_DecisionShowsLocalTime()
    {
        var journey = Journey("""{"id":"s","type":"email","template":"t"}""", """ "sendWindow":{"from":"09:00","to":"11:00"}""");

        var result = Start(journey, Contact("Europe/Madrid"), Now);

        var decision = Assert.Single(result.Decisions, d => d.Kind == DecisionKind.Deferred);
        Assert.Equal("held until Tue 24 Nov 09:00 Europe/Madrid: outside the send window", decision.Message);
        Assert.Equal("s", decision.StepId);
        Assert.Equal(Now, decision.At);
    }

    [Fact]
    public void Start_DanglingTarget_FailsTheRunWithTheReason()
    {
        var journey = Journey("""{"id":"s","type":"branch","if":{"tag":"x"},"then":"ghost"}""");

        var result = Start(journey, Contact(), Now);

        Assert.Equal(CompletionReason.Failed, result.State.Completion);
        Assert.Contains("ghost", result.State.CompletionDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_LoopWithoutWait_FailsAfterThousandSteps()
    {
        var journey = Journey("""{"id":"a","type":"branch","if":{"tag":"x"},"then":"b","else":"b"},{"id":"b","type":"split","paths":[{"percent":100,"next":"a"}]}""");

        var result = Start(journey, Contact(), Now);

        Assert.Equal("complete Failed loop without a wait at step a", Summary(result.Commands));
        Assert.Equal(JourneyMachine.MaxStepsPerAdvance, result.State.StepsExecuted);
    }

    [Fact]
    public void Start_NotEntered_Throws()
    {
        var journey = Journey("""{"id":"s","type":"exit"}""");
        var entry = new EntryDecision(false, null, null, 0, "no");

        Assert.Throws<InvalidOperationException>(() => JourneyMachine.Start(journey, entry, Contact(), Event("go"), Now));
    }

    [Fact]
    public void Start_Split_DecisionNamesPathAndBucket()
    {
        var journey = Journey("""{"id":"ab","type":"split","paths":[{"percent":50,"label":"A","next":"a"},{"percent":50,"label":"B","next":"b"}]},{"id":"a","type":"exit"},{"id":"b","type":"exit"}""");
        var bucket = SplitBuckets.For("j", "c", "ab");
        var label = bucket < 50 ? "A" : "B";

        var result = Start(journey, Contact(), Now);

        var split = Assert.Single(result.Decisions, d => d.Kind == DecisionKind.Split);
        Assert.Equal($"ab: path {label} (50%, bucket {bucket}) -> {label.ToLowerInvariant()}", split.Message);
        Assert.Equal(label.ToLowerInvariant(), result.State.CompletionDetail);
    }

    [Fact]
    public void Start_Branch_DecisionExplainsTheCondition()
    {
        var journey = Journey("""{"id":"vip-check","type":"branch","if":{"tag":"vip"},"then":"coupon","else":"plain"},{"id":"plain","type":"exit"},{"id":"coupon","type":"exit"}""");

        var result = Start(journey, Contact(tags: ["VIP"]), Now);

        Assert.Contains(result.Decisions, d => d.Kind == DecisionKind.Branch && d.Message == "vip-check: contact has tag vip -> coupon");
    }
}
