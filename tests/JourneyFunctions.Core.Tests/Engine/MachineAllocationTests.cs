using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using static JourneyFunctions.Core.Tests.Engine.MachineTestKit;

namespace JourneyFunctions.Core.Tests.Engine;

/// <summary>
/// What a transition allocates, counted exactly (this thread's allocated bytes, not a timing), so the machine's
/// memory per transition does not creep back up; and the per-thread scratch the machine reuses between calls.
/// The bounds sit above today's figures (docs/performance.md, "Journey machine") and well below the figures before
/// issue 12 (1,080, 1,560 and 1,860 bytes).
/// </summary>
public sealed class MachineAllocationTests
{
    private static readonly JourneyDefinition Branches = Journey("""
        {"id":"wait","type":"wait","duration":"PT1H"},
        {"id":"check","type":"branch","if":{"tag":"vip"},"then":"wait","else":"wait"}
        """);

    private static readonly JourneyDefinition Orders = Journey("""
        {"id":"wait-order","type":"waitForEvent","event":"order.placed","timeout":"P7D","next":"wait-order","onEvent":"wait-order"}
        """);

    [Fact]
    public void Handle_TimerThroughABranch_AllocatesAtMost640BytesPerTransition()
    {
        var contact = Contact("Europe/Madrid", ["vip"]);
        var state = Start(Branches, contact, Now).State;
        var inputs = new MachineInput[2000];
        for (var round = 0; round < 2; round++)
        {
            // The first round warms up (static data, compiled journey); the second is counted.
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = new TimerFired(state.Sequence + i);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < inputs.Length; i++)
            {
                state = JourneyMachine.Handle(Branches, state, inputs[i], contact, state.Wait!.Until!.Value).State;
            }

            var perTransition = (GC.GetAllocatedBytesForCurrentThread() - before) / inputs.Length;
            if (round == 1)
            {
                Assert.InRange(perTransition, 1, 640);
            }
        }
    }

    [Fact]
    public void Handle_EventWakesAWait_AllocatesAtMost800BytesPerTransition()
    {
        var contact = Contact("Europe/Madrid");
        var state = Start(Orders, contact, Now).State;
        var inputs = Enumerable.Range(0, 4000).Select(i => new EventReceived(Event("order.placed", $$"""{"orderId":"o-{{i}}"}""", $"o-{i}"))).ToArray();
        for (var round = 0; round < 2; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 2000; i++)
            {
                state = JourneyMachine.Handle(Orders, state, inputs[(round * 2000) + i], contact, Now.AddMinutes(i)).State;
            }

            var perTransition = (GC.GetAllocatedBytesForCurrentThread() - before) / 2000;
            if (round == 1)
            {
                Assert.InRange(perTransition, 1, 800);
            }
        }

        Assert.Equal(4000, state.Sequence - 1);
    }

    [Fact]
    public void Handle_AfterACallThatThrew_GivesWhatAFreshThreadGives()
    {
        var contact = Contact("Europe/Madrid", ["vip"]);
        var state = Start(Branches, contact, Now).State;
        var expected = RunOnNewThread(() => JourneyMachine.Handle(Branches, state, new TimerFired(state.Sequence), contact, Now.AddHours(1)));

        Assert.Throws<ArgumentException>(() => JourneyMachine.Handle(Branches, state, new UnknownInput(), contact, Now.AddHours(1)));
        var actual = JourneyMachine.Handle(Branches, state, new TimerFired(state.Sequence), contact, Now.AddHours(1));

        Assert.Equal(expected.State, actual.State);
        Assert.Equal(expected.Commands, actual.Commands);
        Assert.Equal(expected.Decisions, actual.Decisions);
    }

    [Fact]
    public void Handle_OnManyThreadsAtOnce_GivesWhatOneThreadGives()
    {
        var contact = Contact("Europe/Madrid");
        var start = Start(Orders, contact, Now).State;
        List<string> Walk(int from)
        {
            var texts = new List<string>();
            var state = start;
            for (var i = 0; i < 300; i++)
            {
                var result = JourneyMachine.Handle(Orders, state, new EventReceived(Event("order.placed", $$"""{"n":{{from + i}}}""", $"e-{from + i}")), contact, Now.AddMinutes(i));
                texts.AddRange(result.Decisions.Select(d => d.Message));
                texts.Add(JourneyFunctions.Core.Serialization.JourneyJson.SerializeState(result.State));
                state = result.State;
            }

            return texts;
        }

        var alone = Enumerable.Range(0, 8).Select(t => Walk(t * 1000)).ToArray();
        var together = new List<string>[8];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t => together[t] = Walk(t * 1000));

        for (var t = 0; t < 8; t++)
        {
            Assert.Equal(alone[t], together[t]);
        }
    }

    private static MachineResult RunOnNewThread(Func<MachineResult> body)
    {
        MachineResult? result = null;
        var thread = new Thread(() => result = body());
        thread.Start();
        thread.Join();
        return result!;
    }

    private sealed record UnknownInput : MachineInput;
}
