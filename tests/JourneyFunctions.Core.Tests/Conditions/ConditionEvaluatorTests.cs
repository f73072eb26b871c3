using System.Text.Json;
using JourneyFunctions.Core.Conditions;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Tests.Conditions;

public sealed class ConditionEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static readonly ConditionScope Scope = new()
    {
        Contact = new Contact
        {
            Id = "c-42",
            Email = "Ana@Example.com",
            TimeZone = "Europe/Madrid",
            Tags = new HashSet<string>(["vip", "Newsletter"], StringComparer.OrdinalIgnoreCase),
            Fields = new Dictionary<string, JsonElement>
            {
                ["country"] = Json("\"ES\""),
                ["age"] = Json("34"),
                ["loyaltyPoints"] = Json("\"1200\""),
                ["winbackUnsubscribe"] = Json("true"),
                ["birthday"] = Json("\"1990-05-01\""),
                ["signedUpAt"] = Json("\"2026-10-01T10:00:00Z\""),
                ["address"] = Json("""{"city":"Madrid","zip":"28001"}"""),
                ["interests"] = Json("""["running","Yoga"]"""),
                ["nickname"] = Json("null"),
            },
        },
        Trigger = Json("""{"cartId":"c-1","total":89.9,"currency":"EUR","items":[{"sku":"TEE","quantity":2}],"deliveredAt":"2026-11-20"}"""),
        Event = Json("""{"rating":5,"comment":"Great mug!"}"""),
        Events = new Dictionary<string, JsonElement> { ["wait-order"] = Json("""{"orderId":"o-1","total":"120.50"}""") },
        Opened = ["reminder-1"],
        Clicked = [],
        RunKey = "c-1",
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid"),
    };

    [Theory]
    // tag (case-insensitive)
    [InlineData("""{"tag":"vip"}""", true)]
    [InlineData("""{"tag":"VIP"}""", true)]
    [InlineData("""{"tag":"newsletter"}""", true)]
    [InlineData("""{"tag":"wholesale"}""", false)]
    // engagement
    [InlineData("""{"emailOpened":"reminder-1"}""", true)]
    [InlineData("""{"emailOpened":"reminder-2"}""", false)]
    [InlineData("""{"emailClicked":"reminder-1"}""", false)]
    // all / any / not
    [InlineData("""{"all":[{"tag":"vip"},{"field":"contact.country","equals":"es"}]}""", true)]
    [InlineData("""{"all":[{"tag":"vip"},{"tag":"wholesale"}]}""", false)]
    [InlineData("""{"all":[]}""", true)]
    [InlineData("""{"any":[{"tag":"wholesale"},{"field":"trigger.total","greaterThan":50}]}""", true)]
    [InlineData("""{"any":[{"tag":"wholesale"},{"tag":"b2b"}]}""", false)]
    [InlineData("""{"any":[]}""", false)]
    [InlineData("""{"not":{"tag":"vip"}}""", false)]
    [InlineData("""{"not":{"not":{"tag":"vip"}}}""", true)]
    // equals: strings ignore case, numbers numerically, booleans, nested paths
    [InlineData("""{"field":"contact.country","equals":"es"}""", true)]
    [InlineData("""{"field":"contact.country","equals":"FR"}""", false)]
    [InlineData("""{"field":"contact.age","equals":34}""", true)]
    [InlineData("""{"field":"contact.age","equals":34.0}""", true)]
    [InlineData("""{"field":"contact.age","equals":"34"}""", true)]
    [InlineData("""{"field":"contact.loyaltyPoints","equals":1200}""", true)]
    [InlineData("""{"field":"contact.winbackUnsubscribe","equals":true}""", true)]
    [InlineData("""{"field":"contact.winbackUnsubscribe","equals":false}""", false)]
    [InlineData("""{"field":"contact.address.city","equals":"madrid"}""", true)]
    [InlineData("""{"field":"trigger.items.0.sku","equals":"TEE"}""", true)]
    [InlineData("""{"field":"trigger.items.1.sku","equals":"TEE"}""", false)]
    [InlineData("""{"field":"contact.email","equals":"ana@example.com"}""", true)]
    [InlineData("""{"field":"contact.id","equals":"c-42"}""", true)]
    [InlineData("""{"field":"contact.timeZone","equals":"Europe/Madrid"}""", true)]
    [InlineData("""{"field":"event.rating","equals":5}""", true)]
    [InlineData("""{"field":"events.wait-order.orderId","equals":"o-1"}""", true)]
    // in
    [InlineData("""{"field":"contact.country","in":["FR","es","PT"]}""", true)]
    [InlineData("""{"field":"contact.country","in":["FR","PT"]}""", false)]
    [InlineData("""{"field":"event.rating","in":[4,5]}""", true)]
    // contains: substring ignoring case, or array element
    [InlineData("""{"field":"event.comment","contains":"great"}""", true)]
    [InlineData("""{"field":"event.comment","contains":"awful"}""", false)]
    [InlineData("""{"field":"contact.interests","contains":"yoga"}""", true)]
    [InlineData("""{"field":"contact.interests","contains":"chess"}""", false)]
    [InlineData("""{"field":"contact.tags","contains":"vip"}""", true)]
    [InlineData("""{"field":"event.rating","contains":5}""", false)]
    // greaterThan / lessThan: numbers, numeric strings, ISO dates
    [InlineData("""{"field":"trigger.total","greaterThan":50}""", true)]
    [InlineData("""{"field":"trigger.total","greaterThan":89.9}""", false)]
    [InlineData("""{"field":"trigger.total","lessThan":100}""", true)]
    [InlineData("""{"field":"events.wait-order.total","greaterThan":"100"}""", true)]
    [InlineData("""{"field":"events.wait-order.total","lessThan":120.5}""", false)]
    [InlineData("""{"field":"trigger.deliveredAt","greaterThan":"2026-11-19"}""", true)]
    [InlineData("""{"field":"trigger.deliveredAt","lessThan":"2026-11-19T23:00:00Z"}""", false)]
    [InlineData("""{"field":"contact.country","greaterThan":1}""", false)]
    [InlineData("""{"field":"trigger.total","greaterThan":50,"lessThan":60}""", false)]
    // exists
    [InlineData("""{"field":"trigger.cartId","exists":true}""", true)]
    [InlineData("""{"field":"trigger.cartId","exists":false}""", false)]
    [InlineData("""{"field":"trigger.coupon","exists":false}""", true)]
    [InlineData("""{"field":"trigger.coupon","exists":true}""", false)]
    [InlineData("""{"field":"contact.nickname","exists":false}""", true)]
    [InlineData("""{"field":"contact.nickname","exists":true}""", false)]
    [InlineData("""{"field":"trigger.cartId"}""", true)]
    // before / after: ISO dates, or durations relative to now
    [InlineData("""{"field":"contact.birthday","before":"2000-01-01"}""", true)]
    [InlineData("""{"field":"contact.birthday","after":"2000-01-01"}""", false)]
    [InlineData("""{"field":"contact.signedUpAt","after":"-P60D"}""", true)]
    [InlineData("""{"field":"contact.signedUpAt","after":"-P30D"}""", false)]
    [InlineData("""{"field":"contact.signedUpAt","before":"-P30D"}""", true)]
    [InlineData("""{"field":"trigger.deliveredAt","after":"-P1W","before":"P1D"}""", true)]
    [InlineData("""{"field":"trigger.deliveredAt","before":"2026-11-20T00:00:00+01:00"}""", false)]
    [InlineData("""{"field":"trigger.deliveredAt","after":"2026-11-19T22:59:00Z"}""", true)]
    [InlineData("""{"field":"contact.country","before":"2030-01-01"}""", false)]
    [InlineData("""{"field":"contact.birthday","before":"not a date"}""", false)]
    // a missing path makes every operator false except exists:false
    [InlineData("""{"field":"contact.shoeSize","equals":42}""", false)]
    [InlineData("""{"field":"contact.shoeSize","in":[42]}""", false)]
    [InlineData("""{"field":"contact.shoeSize","contains":"4"}""", false)]
    [InlineData("""{"field":"contact.shoeSize","greaterThan":1}""", false)]
    [InlineData("""{"field":"contact.shoeSize","lessThan":100}""", false)]
    [InlineData("""{"field":"contact.shoeSize","before":"P1D"}""", false)]
    [InlineData("""{"field":"contact.shoeSize","after":"-P1D"}""", false)]
    [InlineData("""{"field":"nowhere.at.all","exists":false}""", true)]
    [InlineData("""{"field":"events.unknown-step.total","exists":false}""", true)]
    [InlineData("""{"field":"contact.address.city.name","equals":"x"}""", false)]
    [InlineData("""{}""", false)]
    // equalsField: compared with the value at another path (the run's key, the trigger, a waited event)
    [InlineData("""{"field":"trigger.cartId","equalsField":"run.key"}""", true)]
    [InlineData("""{"field":"trigger.cartId","equalsField":"trigger.currency"}""", false)]
    [InlineData("""{"field":"events.wait-order.total","equalsField":"trigger.total"}""", false)]
    [InlineData("""{"field":"contact.loyaltyPoints","equalsField":"contact.loyaltyPoints"}""", true)]
    [InlineData("""{"field":"trigger.total","equalsField":"contact.age"}""", false)]
    [InlineData("""{"field":"contact.shoeSize","equalsField":"contact.hatSize"}""", false)]
    [InlineData("""{"field":"contact.nickname","equalsField":"contact.nickname"}""", false)]
    [InlineData("""{"field":"trigger.cartId","equalsField":"run.nothing"}""", false)]
    [InlineData("""{"not":{"field":"event.rating","equalsField":"run.key"}}""", true)]
    public void Evaluate_Condition_Expected(string json, bool expected)
    {
        var condition = JsonSerializer.Deserialize<Condition>(json, JourneyJson.Options)!;

        Assert.Equal(expected, ConditionEvaluator.Evaluate(condition, Scope, Now));
    }

    [Theory]
    [InlineData("contact.country", "\"ES\"")]
    [InlineData("contact.Country", "\"ES\"")]
    [InlineData("contact.address", """{"city":"Madrid","zip":"28001"}""")]
    [InlineData("trigger.items.0.quantity", "2")]
    [InlineData("trigger.ITEMS.0.SKU", "\"TEE\"")]
    [InlineData("event.rating", "5")]
    [InlineData("events.wait-order.total", "\"120.50\"")]
    [InlineData("contact.email", "\"Ana@Example.com\"")]
    [InlineData("run.key", "\"c-1\"")]
    public void TryResolve_Path_FindsValue(string path, string expectedJson)
    {
        Assert.True(ConditionEvaluator.TryResolve(path, Scope, out var value));
        Assert.Equal(expectedJson, value.GetRawText());
    }

    [Theory]
    [InlineData("")]
    [InlineData("contact")]
    [InlineData("contact.")]
    [InlineData("trigger.items.9")]
    [InlineData("trigger.items.x")]
    [InlineData("trigger..cartId")]
    [InlineData("cart.total")]
    [InlineData("events.none")]
    [InlineData("run")]
    [InlineData("run.id")]
    [InlineData("run.key.x")]
    public void TryResolve_BadOrMissingPath_ReturnsFalse(string path)
    {
        Assert.False(ConditionEvaluator.TryResolve(path, Scope, out _));
    }

    [Fact]
    public void TryResolve_RunKey_IsTheKeyOfTheRunAndAbsentForAnUnkeyedRunOrATriggerFilter()
    {
        var contact = new Contact { Id = "c" };
        var keyed = new JourneyFunctions.Core.Engine.RunState { RunId = "r", JourneyId = "j", Version = 1, ContactId = "c", StartedAt = Now, Key = "cart-7" };
        var numberEvent = Json("""{"cartId":7}""");

        Assert.True(ConditionEvaluator.TryResolve("run.key", ConditionScope.ForRun(contact, keyed, null, TimeZoneInfo.Utc), out var key));
        Assert.Equal("cart-7", key.GetString());
        Assert.False(ConditionEvaluator.TryResolve("run.key", ConditionScope.ForRun(contact, keyed with { Key = null }, null, TimeZoneInfo.Utc), out _));
        Assert.False(ConditionEvaluator.TryResolve("run.key", ConditionScope.ForEvent(contact, numberEvent, TimeZoneInfo.Utc), out _));

        // A numeric key field equals the run key written as text, as equals compares "7" and 7.
        var sameCart = JsonSerializer.Deserialize<Condition>("""{"field":"event.cartId","equalsField":"run.key"}""", JourneyJson.Options)!;
        Assert.True(ConditionEvaluator.Evaluate(sameCart, ConditionScope.ForRun(contact, keyed with { Key = "7" }, numberEvent, TimeZoneInfo.Utc), Now));
        Assert.False(ConditionEvaluator.Evaluate(sameCart, ConditionScope.ForRun(contact, keyed, numberEvent, TimeZoneInfo.Utc), Now));
    }

    [Fact]
    public void TryResolve_EventFallsBackToLastWaitedEvent()
    {
        var contact = new Contact { Id = "c" };
        var state = new JourneyFunctions.Core.Engine.RunState
        {
            RunId = "r", JourneyId = "j", Version = 1, ContactId = "c", StartedAt = Now,
            LastEvent = Json("""{"orderId":"o-9"}"""),
        };
        var scope = ConditionScope.ForRun(contact, state, null, TimeZoneInfo.Utc);

        Assert.True(ConditionEvaluator.TryResolve("event.orderId", scope, out var value));
        Assert.Equal("o-9", value.GetString());
    }

    [Theory]
    [InlineData("""{"tag":"vip"}""", "contact has tag vip")]
    [InlineData("""{"not":{"tag":"vip"}}""", "not (contact has tag vip)")]
    [InlineData("""{"all":[{"tag":"vip"},{"emailOpened":"r1"}]}""", "all of (contact has tag vip; email r1 was opened)")]
    [InlineData("""{"any":[{"emailClicked":"r1"},{"field":"trigger.total","greaterThan":100}]}""", "any of (email r1 was clicked; trigger.total is greater than 100)")]
    [InlineData("""{"field":"contact.country","in":["ES","PT"]}""", "contact.country is one of ES, PT")]
    [InlineData("""{"field":"contact.signedUpAt","after":"-P30D"}""", "contact.signedUpAt is after 30 days ago")]
    [InlineData("""{"field":"trigger.when","before":"PT36H"}""", "trigger.when is before 36 hours from now")]
    [InlineData("""{"field":"x","exists":false}""", "x is not set")]
    [InlineData("""{"field":"x","greaterThan":1,"lessThan":5}""", "x is greater than 1 and is less than 5")]
    [InlineData("""{"field":"event.cartId","equalsField":"run.key"}""", "event.cartId equals run.key")]
    public void Describe_Condition_ReadsAsEnglish(string json, string expected)
    {
        var condition = JsonSerializer.Deserialize<Condition>(json, JourneyJson.Options)!;

        Assert.Equal(expected, ConditionEvaluator.Describe(condition));
    }

    [Theory]
    [InlineData("2026-03-29", "Europe/Madrid", "2026-03-28T23:00:00+00:00")]
    [InlineData("2026-03-29T02:30", "Europe/Madrid", "2026-03-29T01:30:00+00:00")]
    [InlineData("2026-07-01T09:00:00", "Europe/Madrid", "2026-07-01T07:00:00+00:00")]
    [InlineData("2026-07-01T09:00:00Z", "Europe/Madrid", "2026-07-01T09:00:00+00:00")]
    [InlineData("2026-07-01T09:00:00.250-05:00", "UTC", "2026-07-01T14:00:00.25+00:00")]
    [InlineData("2026-07-01T09:00+02:00", "UTC", "2026-07-01T07:00:00+00:00")]
    public void TryParseInstant_IsoText_ReadsInZoneWhenNoOffset(string text, string zone, string expectedUtc)
    {
        Assert.True(JsonValues.TryParseInstant(text, ZonedTime.Resolve(zone), out var instant));
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), instant);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("23/11/2026")]
    [InlineData("2026-13-01")]
    [InlineData("12")]
    [InlineData("1.5")]
    public void TryParseInstant_NotIsoDate_ReturnsFalse(string text)
    {
        Assert.False(JsonValues.TryParseInstant(text, TimeZoneInfo.Utc, out _));
    }
}
