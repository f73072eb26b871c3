namespace JourneyFunctions.Simulation.Tests;

public sealed class ScenarioChecksTests
{
    private static string ScenarioWith(string expect, string events = """[ { "at": "+PT0M", "name": "cart.updated", "data": { "cartId": "c1" } } ]""") => $$"""
        {
          "journey": "../abandoned-cart.json",
          "start": "2026-03-02T10:00:00+01:00",
          "contact": { "id": "ana", "email": "ana@example.com", "timeZone": "Europe/Madrid" },
          "events": {{events}},
          "runFor": "P3D",
          "expect": {{expect}}
        }
        """;

    private static async Task<ScenarioCheckResult> CheckAsync(string scenarioJson)
    {
        var journey = await JourneySimulator.LoadJourneyAsync(Repo.Path("journeys", "abandoned-cart.json"));
        return ScenarioChecks.Check(ScenarioFile.Parse(scenarioJson), journey);
    }

    [Theory]
    [InlineData("""[ { "noEmail": "cart-reminder-l" } ]""", "$.expect[0].noEmail", "cart-reminder-1")]
    [InlineData("""[ { "emailCount": 2 }, { "notVisited": "vip-chek" } ]""", "$.expect[1].notVisited", "vip-check")]
    [InlineData("""[ { "noTag": "cart-abandonner" } ]""", "$.expect[0].noTag", "cart-abandoner")]
    [InlineData("""[ { "email": "cart-remnder-2" } ]""", "$.expect[0].email", "cart-reminder-2")]
    [InlineData("""[ { "visited": "gracee" } ]""", "$.expect[0].visited", "grace")]
    [InlineData("""[ { "field": "marketingConsnt" } ]""", "$.expect[0].field", "marketingConsent")]
    [InlineData("""[ { "counter": "entred", "equals": 1 } ]""", "$.expect[0].counter", "entered")]
    [InlineData("""[ { "counter": "reminder-l.sent", "equals": 1 } ]""", "$.expect[0].counter", "reminder-1")]
    [InlineData("""[ { "counter": "reminder-1.snt" } ]""", "$.expect[0].counter", "sent")]
    public async Task Check_UnknownName_IsAnErrorWithItsPathAndTheClosestName(string expect, string path, string suggestion)
    {
        var result = await CheckAsync(ScenarioWith(expect));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith(path + ": ", error, StringComparison.Ordinal);
        Assert.Contains($"did you mean \"{suggestion}\"?", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_NamesThatExist_AreNoErrors()
    {
        var result = await CheckAsync(ScenarioWith("""
            [ { "email": "cart-reminder-1" }, { "noEmail": "reminder-2-coupon" }, { "visited": "grace" },
              { "notVisited": "vip-check" }, { "tag": "cart-abandoner" }, { "noTag": "Cart-Abandoner" },
              { "field": "marketingConsent", "equals": true } ]
            """));

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task Check_StepCounterWithoutItsStep_IsAnErrorThatNamesTheForm()
    {
        var result = await CheckAsync(ScenarioWith("""[ { "counter": "sent", "equals": 1 } ]"""));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("$.expect[0].counter: ", error, StringComparison.Ordinal);
        Assert.Contains("is a step's counter: name the step, e.g. \"grace.sent\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_CountersThatExist_AreNoErrors()
    {
        var result = await CheckAsync(ScenarioWith("""
            [ { "counter": "entered", "equals": 1 }, { "counter": "goal", "equals": 0 }, { "counter": "reminder-1.sent" },
              { "counter": "vip-check.visited", "equals": 0 }, { "counter": "exited" } ]
            """));

        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task Check_NoExpectation_IsAnError()
    {
        var result = await CheckAsync(ScenarioWith("[]"));

        Assert.Contains(result.Errors, e => e.StartsWith("$.expect: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_EventNothingListensTo_IsAWarningNotAnError()
    {
        var result = await CheckAsync(ScenarioWith(
            """[ { "emailCount": 1 } ]""",
            """[ { "at": "+PT0M", "name": "cart.updated", "data": { "cartId": "c1" } }, { "at": "+PT10M", "name": "order.placd" } ]"""));

        Assert.Empty(result.Errors);
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("$.events[1].name: ", warning, StringComparison.Ordinal);
        Assert.Contains("did you mean \"order.placed\"?", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Suite_ScenarioWithAnUnknownName_FailsWithoutRunning()
    {
        var dir = Path.Combine(Path.GetTempPath(), "jf-scn-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var file = Path.Combine(dir, "typo.scenario.json");
            await File.WriteAllTextAsync(file, ScenarioWith("""[ { "noEmail": "cart-reminder-l" } ]"""));

            var outcome = await ScenarioSuite.RunAsync(file, Repo.Path("journeys", "abandoned-cart.json"), Repo.Path("templates"));

            Assert.False(outcome.Passed);
            Assert.Null(outcome.Report);
            Assert.Contains(outcome.Problems, p => p.StartsWith("$.expect[0].noEmail: ", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
