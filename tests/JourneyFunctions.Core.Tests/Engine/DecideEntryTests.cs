using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using static JourneyFunctions.Core.Tests.Engine.MachineTestKit;

namespace JourneyFunctions.Core.Tests.Engine;

public sealed class DecideEntryTests
{
    private const string Steps = """{"id":"x","type":"exit"}""";

    private static JourneyDefinition WithTrigger(string trigger, string extra = "") =>
        JourneyFunctions.Core.Serialization.JourneyJson.DeserializeJourney(
            $$"""{"id":"j","name":"J","trigger":{{trigger}}{{extra}},"steps":[{{Steps}}]}""");

    [Theory]
    [InlineData("""{"event":"order.placed"}""", "order.placed", null, true)]
    [InlineData("""{"event":"order.placed"}""", "order.cancelled", null, false)]
    [InlineData("""{"event":"order.placed"}""", "Order.Placed", null, false)]
    [InlineData("""{"event":"order.placed","filter":{"field":"trigger.total","greaterThan":100}}""", "order.placed", """{"total":150}""", true)]
    [InlineData("""{"event":"order.placed","filter":{"field":"trigger.total","greaterThan":100}}""", "order.placed", """{"total":50}""", false)]
    [InlineData("""{"event":"order.placed","filter":{"field":"event.total","greaterThan":100}}""", "order.placed", """{"total":150}""", true)]
    [InlineData("""{"event":"order.placed","filter":{"tag":"vip"}}""", "order.placed", null, false)]
    [InlineData("""{"tagAdded":"vip"}""", SystemEvents.TagAdded, """{"tag":"VIP"}""", true)]
    [InlineData("""{"tagAdded":"vip"}""", SystemEvents.TagAdded, """{"tag":"newsletter"}""", false)]
    [InlineData("""{"tagAdded":"vip"}""", SystemEvents.TagRemoved, """{"tag":"vip"}""", false)]
    [InlineData("""{"tagAdded":"vip"}""", SystemEvents.TagAdded, null, false)]
    [InlineData("""{"inactiveFor":"P30D"}""", SystemEvents.Inactive, """{"journeyId":"j"}""", true)]
    [InlineData("""{"inactiveFor":"P30D"}""", SystemEvents.Inactive, """{"journeyId":"other"}""", false)]
    [InlineData("""{"inactiveFor":"P30D"}""", "page.viewed", """{"journeyId":"j"}""", false)]
    [InlineData("""{"event":"cart.updated","key":"cartId"}""", "cart.updated", """{"cartId":"c-1"}""", true)]
    [InlineData("""{"event":"cart.updated","key":"cartId"}""", "cart.updated", """{"cartId":42}""", true)]
    [InlineData("""{"event":"cart.updated","key":"cartId"}""", "cart.updated", """{"cartId":""}""", false)]
    [InlineData("""{"event":"cart.updated","key":"cartId"}""", "cart.updated", """{"cartId":null}""", false)]
    [InlineData("""{"event":"cart.updated","key":"cart.id"}""", "cart.updated", """{"cart":{"id":"c-9"}}""", true)]
    public void DecideEntry_Trigger_Expected(string trigger, string eventName, string? data, bool enters)
    {
        var journey = WithTrigger(trigger);

        var entry = JourneyMachine.DecideEntry(journey, Contact(tags: ["newsletter"]), Event(eventName, data), null, Now);

        Assert.Equal(enters, entry.Enter);
        Assert.False(string.IsNullOrWhiteSpace(entry.Reason));
        Assert.Equal(enters, entry.RunId is not null);
    }

    [Theory]
    [InlineData("""{"cartId":"c/1#x"}""", "j:c:k=c%2F1%23x")]
    [InlineData("""{"cartId":42}""", "j:c:k=42")]
    public void DecideEntry_Keyed_RunIdEscapesTheKey(string data, string runId)
    {
        var entry = JourneyMachine.DecideEntry(WithTrigger("""{"event":"cart.updated","key":"cartId"}"""), Contact(), Event("cart.updated", data), null, Now);

        Assert.Equal(runId, entry.RunId);
        Assert.Equal(1, entry.Generation);
    }

    [Theory]
    // never (the default): one run per contact, whatever happened.
    [InlineData("", 10, false)]
    [InlineData(""","reentry":{"mode":"never"}""", 400, false)]
    // afterExit without cool-down: as soon as the previous run ended.
    [InlineData(""","reentry":{"mode":"afterExit"}""", 0, true)]
    // afterExit with a cool-down.
    [InlineData(""","reentry":{"mode":"afterExit","cooldown":"P7D"}""", 6, false)]
    [InlineData(""","reentry":{"mode":"afterExit","cooldown":"P7D"}""", 7, true)]
    public void DecideEntry_EndedPreviousRun_FollowsReentryPolicy(string reentry, int daysSinceEnd, bool enters)
    {
        var journey = WithTrigger("""{"event":"go"}""", reentry);
        var previous = new PreviousRun("j:c", 1, Now.AddDays(-daysSinceEnd - 3), Now.AddDays(-daysSinceEnd));

        var entry = JourneyMachine.DecideEntry(journey, Contact(), Event("go"), previous, Now);

        Assert.Equal(enters, entry.Enter);
        if (enters)
        {
            Assert.Equal(2, entry.Generation);
            Assert.Equal("j:c:g=2", entry.RunId);
        }
    }

    [Fact]
    public void DecideEntry_ActivePreviousRun_IsRefusedWhateverThePolicy()
    {
        var journey = WithTrigger("""{"event":"go"}""", ""","reentry":{"mode":"afterExit"}""");

        var entry = JourneyMachine.DecideEntry(journey, Contact(), Event("go"), new PreviousRun("j:c:g=3", 3, Now.AddDays(-1), null), Now);

        Assert.False(entry.Enter);
        Assert.Equal("a run is already active (j:c:g=3)", entry.Reason);
    }

    [Fact]
    public void DecideEntry_ThirdEntry_CountsGenerations()
    {
        var journey = WithTrigger("""{"event":"go"}""", ""","reentry":{"mode":"afterExit"}""");

        var entry = JourneyMachine.DecideEntry(journey, Contact(), Event("go"), new PreviousRun("j:c:g=2", 2, Now.AddDays(-3), Now.AddDays(-1)), Now);

        Assert.Equal("j:c:g=3", entry.RunId);
        Assert.Equal(3, entry.Generation);
    }

    [Fact]
    public void DecideEntry_CooldownRefusal_SaysWhenInContactZone()
    {
        var journey = WithTrigger("""{"event":"go"}""", ""","reentry":{"mode":"afterExit","cooldown":"P1D"}""");

        var entry = JourneyMachine.DecideEntry(journey, Contact("Europe/Madrid"), Event("go"), new PreviousRun("j:c", 1, Now.AddDays(-2), Now.AddHours(-1)), Now);

        Assert.False(entry.Enter);
        Assert.Contains("from Tue 24 Nov 10:00 Europe/Madrid", entry.Reason, StringComparison.Ordinal);
    }
}
