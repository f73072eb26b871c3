using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using static JourneyFunctions.Core.Tests.Engine.MachineTestKit;

namespace JourneyFunctions.Core.Tests.Engine;

/// <summary>journey.resumed and held timers: a timer that fell due while the journey was paused fires at resume.</summary>
public sealed class ResumeTests
{
    private static readonly JourneyDefinition Journey = MachineTestKit.Journey("""
        {"id":"grace","type":"wait","duration":"PT1H"},{"id":"hello","type":"email","template":"t"}
        """);

    private static RunState Waiting() => Start(Journey, Contact(), Now).State;

    private static MachineResult Resume(RunState state, DateTimeOffset at, string journeyId = "j") =>
        JourneyMachine.Handle(Journey, state, new EventReceived(Event(SystemEvents.JourneyResumed, $$"""{"journeyId":"{{journeyId}}"}""", "resumed-1", at)), Contact(), at);

    [Fact]
    public void Handle_ResumedWithATimerHeldByTheHost_FiresItNowAndSaysItWasHeld()
    {
        var state = Waiting();
        var held = state with { Wait = state.Wait! with { Until = Now.AddHours(3).AddMinutes(5), HeldFrom = Now.AddHours(1) } };

        var result = Resume(held, Now.AddHours(3));

        Assert.Equal("email hello t", Summary(result.Commands));
        var decision = result.Decisions[0];
        Assert.Equal((DecisionKind.Deferred, "grace"), (decision.Kind, decision.StepId));
        Assert.Equal("held while paused: the timer due Mon 23 Nov 11:00 UTC fires now that the journey is resumed", decision.Message);
    }

    [Fact]
    public void Handle_ResumedWithATimerPastDue_FiresItNowAndSaysItWasHeld()
    {
        // The Functions host holds the timer in the orchestration: the row still says the original due time.
        var result = Resume(Waiting(), Now.AddHours(2));

        Assert.Equal("email hello t", Summary(result.Commands));
        Assert.Single(result.Decisions, d => d.Message.StartsWith("held while paused", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("j", 30)]
    [InlineData("other", 120)]
    public void Handle_ResumedButTheTimerIsAheadOrAnotherJourney_LeavesTheRunAlone(string journeyId, int minutes)
    {
        var state = Waiting();

        var result = Resume(state, Now.AddMinutes(minutes), journeyId);

        Assert.Same(state, result.State);
        Assert.Empty(result.Commands);
        Assert.Empty(result.Decisions);
    }

    [Fact]
    public void Handle_HeldTimerFiresAtAPauseCheck_SaysItWasHeld()
    {
        var state = Waiting();
        var held = state with { Wait = state.Wait! with { HeldFrom = Now.AddHours(1) } };

        var result = JourneyMachine.Handle(Journey, held, new TimerFired(held.Wait!.Sequence), Contact(), Now.AddHours(2));

        Assert.Equal("email hello t", Summary(result.Commands));
        Assert.StartsWith("held while paused", result.Decisions[0].Message, StringComparison.Ordinal);
    }
}
