using System.Collections;
using System.Text.Json;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Serialization;
using static JourneyFunctions.Core.Tests.Engine.MachineTestKit;

namespace JourneyFunctions.Core.Tests.Engine;

/// <summary>
/// A state shares its unchanged parts with its copies, and the received events are kept compactly; none of it shows:
/// copies never change their original, equality is property by property, the JSON is the same.
/// </summary>
public sealed class RunStateSharingTests
{
    private static RunState Sample() => new()
    {
        RunId = "j:c",
        JourneyId = "j",
        Version = 2,
        ContactId = "c",
        Key = "k-1",
        StartedAt = Now,
        TriggerEventId = "t-1",
        Trigger = JsonDocument.Parse("""{"cartId":"k-1"}""").RootElement.Clone(),
        Status = RunStatus.Waiting,
        StepId = "grace",
        Sequence = 3,
    };

    [Fact]
    public void Equals_TwoStatesBuiltAlike_AreEqual()
    {
        // Before the groups, each new state made its own empty Events dictionary, so two alike states were unequal.
        var a = Sample() with { Trigger = null };
        var b = Sample() with { Trigger = null };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Sequence = 4 });
        Assert.NotEqual(a, b with { Key = "k-2" });
        Assert.NotEqual(a, b with { CompletionDetail = "x" });
    }

    [Fact]
    public void With_ChangingASharedGroup_LeavesTheOriginalAsItWas()
    {
        var original = Sample();
        var before = JourneyJson.SerializeState(original);

        var copy = original with { RunId = "j:other", Sent = ["hello"], DeferredStepId = "hello", LastEventId = "e-9", EndedAt = Now };

        Assert.Equal(before, JourneyJson.SerializeState(original));
        Assert.Equal(("j:c", 0, null, null), (original.RunId, original.Sent.Count, original.DeferredStepId, original.LastEventId));
        Assert.Equal(("j:other", "hello", "hello", "e-9"), (copy.RunId, copy.Sent[0], copy.DeferredStepId, copy.LastEventId));
        Assert.Equal((original.JourneyId, original.Key, original.StartedAt), (copy.JourneyId, copy.Key, copy.StartedAt));
    }

    [Fact]
    public void Json_RoundTrip_GivesTheSameTextAndAnEqualState()
    {
        var state = Sample() with { Trigger = null, Sent = ["a"], Completion = CompletionReason.Finished, EndedAt = Now };
        var json = JourneyJson.SerializeState(state);

        var back = JourneyJson.DeserializeState(json);

        Assert.Equal(json, JourneyJson.SerializeState(back));
        Assert.Equal(state.Sent, back.Sent);
        Assert.Equal((state.RunId, state.Version, state.Key, state.Completion, state.EndedAt), (back.RunId, back.Version, back.Key, back.Completion, back.EndedAt));
    }

    [Fact]
    public void Events_WokenWaitsKeepTheirDataInOrder_AndSerialiseAsADictionaryWould()
    {
        var journey = Journey("""
            {"id":"a","type":"waitForEvent","event":"ping","timeout":"P1D"},
            {"id":"b","type":"waitForEvent","event":"ping","timeout":"P1D"},
            {"id":"c","type":"waitForEvent","event":"ping","timeout":"P1D","next":"a"}
            """);
        var contact = Contact();
        var state = Start(journey, contact, Now).State;
        for (var i = 0; i < 4; i++)
        {
            state = JourneyMachine.Handle(journey, state, new EventReceived(Event("ping", $$"""{"n":{{i}}}""", $"e-{i}")), contact, Now).State;
        }

        // a got n=0 then n=3 (replaced in place), b n=1, c n=2: the order is the order first received.
        Assert.Equal(new[] { "a", "b", "c" }, state.Events.Keys);
        Assert.Equal(3, state.Events["a"].GetProperty("n").GetInt32());
        var json = JourneyJson.SerializeState(state);
        var asDictionary = JourneyJson.SerializeState(state with { Events = new Dictionary<string, JsonElement>(state.Events) });
        Assert.Equal(asDictionary, json);
        Assert.Contains("\"events\":{\"a\":{\"n\":3},\"b\":{\"n\":1},\"c\":{\"n\":2}}", json, StringComparison.Ordinal);

        // Read as any dictionary (template values do), and read-only.
        var untyped = Assert.IsAssignableFrom<IDictionary>(state.Events);
        Assert.Equal(new[] { "a", "b", "c" }, untyped.Keys.Cast<string>());
        Assert.Throws<NotSupportedException>(() => untyped.Add("d", null));
    }

    [Fact]
    public void Events_PastTheCompactSize_AreADictionaryWithTheSameContent()
    {
        var steps = string.Join(",", Enumerable.Range(0, 10).Select(i => $$"""{"id":"w{{i}}","type":"waitForEvent","event":"ping","timeout":"P1D"}"""));
        var journey = Journey(steps);
        var contact = Contact();
        var state = Start(journey, contact, Now).State;
        for (var i = 0; i < 10; i++)
        {
            state = JourneyMachine.Handle(journey, state, new EventReceived(Event("ping", $$"""{"n":{{i}}}""", $"e-{i}")), contact, Now).State;
        }

        Assert.IsType<Dictionary<string, JsonElement>>(state.Events);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"w{i}"), state.Events.Keys);
        Assert.Equal(9, state.Events["w9"].GetProperty("n").GetInt32());
    }
}
