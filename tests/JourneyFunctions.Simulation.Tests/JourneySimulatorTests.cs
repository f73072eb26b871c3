using System.Text.Json;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Simulation;

namespace JourneyFunctions.Simulation.Tests;

public sealed class JourneySimulatorTests
{
    private static readonly SimulationOptions Options = new() { TemplatesDirectory = Repo.Path("templates") };

    [Fact]
    public async Task RunAsync_SameScenarioTwice_GivesTheSameReport()
    {
        var loaded = await ScenarioFile.LoadAsync(Repo.Path("journeys", "tests", "welcome-series.scenario.json"));
        var journey = await JourneySimulator.LoadJourneyAsync(loaded.JourneyPath!);

        var first = await JourneySimulator.RunAsync(journey, loaded.Scenario, Options);
        var second = await JourneySimulator.RunAsync(journey, loaded.Scenario, Options);

        Assert.True(first.Passed);
        Assert.Equal(JsonSerializer.Serialize(first, ScenarioFile.JsonOptions), JsonSerializer.Serialize(second, ScenarioFile.JsonOptions));
    }

    [Fact]
    public async Task RunAsync_NinetyDayJourney_PlaysInWellUnderASecond()
    {
        var loaded = await ScenarioFile.LoadAsync(Repo.Path("journeys", "tests", "re-engagement.scenario.json"));
        var journey = await JourneySimulator.LoadJourneyAsync(loaded.JourneyPath!);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var report = await JourneySimulator.RunAsync(journey, loaded.Scenario, Options);

        Assert.True(report.Passed, string.Join("; ", report.Expectations.Where(e => !e.Passed).Select(e => e.Expectation + ": " + e.Detail)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        // P100D is 100 calendar days in the contact's zone: 10:00 in Madrid on both sides of the DST change.
        Assert.Equal(DateTimeOffset.Parse("2026-06-10T10:00:00+02:00", System.Globalization.CultureInfo.InvariantCulture), report.End);
    }

    [Fact]
    public async Task RunAsync_EventAtTheSameInstantAsTheTimer_IsRoutedFirst()
    {
        var journey = await JourneySimulator.LoadJourneyAsync(Repo.Path("journeys", "abandoned-cart.json"));
        var scenario = ScenarioFile.Parse("""
            {
              "start": "2026-03-02T10:00:00Z",
              "contact": { "id": "kim" },
              "events": [
                { "name": "cart.updated", "data": { "cartId": "c1" } },
                { "at": "+PT1H", "name": "order.placed", "data": { "cartId": "c1" } }
              ],
              "runFor": "P2D",
              "expect": [ { "emailCount": 0 }, { "completed": "goal" } ]
            }
            """);

        var report = await JourneySimulator.RunAsync(journey, scenario, Options);

        Assert.True(report.Passed, string.Join("; ", report.Expectations.Select(e => e.Expectation + ": " + e.Detail)));
        var run = Assert.Single(report.Runs);
        Assert.Equal(CompletionReason.GoalReached, run.Completion);
    }

    [Fact]
    public async Task RunAsync_TagTriggerWebhookAndBranchOnItsAnswer_FollowsTheScriptedAnswer()
    {
        var journey = JourneyJson.DeserializeJourney("""
            {
              "id": "vip-onboarding", "name": "VIP onboarding", "trigger": { "tagAdded": "vip" },
              "steps": [
                { "id": "crm", "type": "webhook", "url": "https://crm.example/vip" },
                { "id": "gold", "type": "branch", "if": { "field": "events.crm.tier", "equals": "gold" }, "then": "tag-gold", "else": "done" },
                { "id": "tag-gold", "type": "tags", "add": ["gold"] },
                { "id": "set", "type": "setField", "field": "loyaltyTier", "value": "gold" },
                { "id": "done", "type": "exit" }
              ]
            }
            """);
        var scenario = ScenarioFile.Parse("""
            {
              "start": "2026-03-02T10:00:00Z",
              "contact": { "id": "lea", "tags": ["vip"] },
              "webhooks": { "crm": { "status": 200, "body": { "tier": "gold" } } },
              "runFor": "PT1H",
              "expect": [ { "tag": "gold" }, { "field": "loyaltyTier", "equals": "gold" }, { "visited": "tag-gold" }, { "completed": "finished" } ]
            }
            """);

        var report = await JourneySimulator.RunAsync(journey, scenario, Options);

        Assert.True(report.Passed, string.Join("; ", report.Expectations.Select(e => e.Expectation + ": " + e.Detail)) + report.Error);
        var call = Assert.Single(report.Webhooks);
        Assert.Equal("crm", call.StepId);
        Assert.Equal("https://crm.example/vip", call.Url);
        Assert.Contains("\"lea\"", call.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownTemplate_StopsAndReportsTheError()
    {
        var journey = JourneyJson.DeserializeJourney("""
            { "id": "broken", "name": "Broken", "trigger": { "event": "x.happened" },
              "steps": [ { "id": "mail", "type": "email", "template": "no-such-template" } ] }
            """);
        var scenario = ScenarioFile.Parse("""
            { "start": "2026-03-02T10:00:00Z", "contact": { "id": "max" }, "events": [ { "name": "x.happened" } ], "runFor": "P1D" }
            """);

        var report = await JourneySimulator.RunAsync(journey, scenario, Options);

        Assert.False(report.Passed);
        Assert.NotNull(report.Error);
        Assert.Contains("x.happened", report.Error, StringComparison.Ordinal);
        Assert.Contains("STOPPED", SimulationReportText.Format(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ContactWithoutConsent_SkipsEmailsAndSaysWhy()
    {
        var journey = await JourneySimulator.LoadJourneyAsync(Repo.Path("journeys", "welcome-series.json"));
        var scenario = ScenarioFile.Parse("""
            { "start": "2026-03-02T10:00:00Z", "contact": { "id": "ned", "marketingConsent": false },
              "events": [ { "name": "contact.subscribed" } ], "runFor": "P1D", "expect": [ { "emailCount": 0 }, { "visited": "welcome" } ] }
            """);

        var report = await JourneySimulator.RunAsync(journey, scenario, Options);

        Assert.True(report.Passed, string.Join("; ", report.Expectations.Select(e => e.Expectation + ": " + e.Detail)));
        Assert.Contains(report.Timeline, e => e.StepId == "welcome" && e.Message.Contains("consented", StringComparison.Ordinal));
    }

    private const string CartScenario = """
        {
          "start": "2026-03-02T10:00:00+01:00",
          "contact": { "id": "ana", "email": "ana@example.com", "timeZone": "Europe/Madrid", "fields": { "firstName": "Ana" } },
          "events": [ { "name": "cart.updated", "data": { "cartId": "c-1", "cartUrl": "https://northwind.example/cart/c-1", "total": 59.90, "currency": "EUR",
                        "items": [ { "sku": "TEE-1", "name": "Linen tee", "quantity": 2, "price": 29.95 } ] } } ],
          "runFor": "PT3H",
          "expect": EXPECT
        }
        """;

    [Fact]
    public async Task RunAsync_ContentLinkLocalTimeAndCounters_HoldForTheSentReminder()
    {
        var report = await RunCartAsync("""
            [ { "email": "cart-reminder-1", "atLocal": "11:00", "contains": "Linen tee", "link": "https://northwind.example/cart/c-1" },
              { "email": "cart-reminder-1", "contains": "we saved your   cart", "link": "https://northwind.example/cart/*" },
              { "counter": "entered", "equals": 1 }, { "counter": "reminder-1.sent", "equals": 1 }, { "counter": "grace.visited" },
              { "counter": "goal", "equals": 0 } ]
            """);

        Assert.True(report.Passed, string.Join("; ", report.Expectations.Where(e => !e.Passed).Select(e => e.Expectation + ": " + e.Detail)));
        Assert.Equal(1, report.Counters[string.Empty]["entered"]);
    }

    [Theory]
    [InlineData("""[ { "email": "cart-reminder-1", "contains": "Merino beanie" } ]""", "no such email contains \"Merino beanie\"")]
    [InlineData("""[ { "email": "cart-reminder-1", "link": "https://northwind.example/cart/c-2" } ]""", "its links: ")]
    [InlineData("""[ { "email": "cart-reminder-1", "atLocal": "10:00" } ]""", "cart-reminder-1 at Mon 2 Mar 11:00")]
    [InlineData("""[ { "counter": "reminder-1.sent", "equals": 2 } ]""", "it is 1")]
    [InlineData("""[ { "counter": "goal" } ]""", "it is 0")]
    public async Task RunAsync_ContentLinkLocalTimeOrCounterThatDoesNotHold_FailsSayingWhatWasThere(string expect, string detail)
    {
        var report = await RunCartAsync(expect);

        var result = Assert.Single(report.Expectations);
        Assert.False(result.Passed);
        Assert.Contains(detail, result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_LinkExpectation_ListsTheCartLinkNotAnEmptyOne()
    {
        var report = await RunCartAsync("""[ { "email": "cart-reminder-1", "link": "https://nowhere.example/*" } ]""");

        var result = Assert.Single(report.Expectations);
        Assert.Contains("https://northwind.example/cart/c-1", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("(empty)", result.Detail, StringComparison.Ordinal);
    }

    private static async Task<SimulationReport> RunCartAsync(string expect)
    {
        var journey = await JourneySimulator.LoadJourneyAsync(Repo.Path("journeys", "abandoned-cart.json"));
        var scenario = ScenarioFile.Parse(CartScenario.Replace("EXPECT", expect, StringComparison.Ordinal));
        Assert.Empty(ScenarioChecks.Check(scenario, journey).Errors);
        return await JourneySimulator.RunAsync(journey, scenario, Options);
    }
}
