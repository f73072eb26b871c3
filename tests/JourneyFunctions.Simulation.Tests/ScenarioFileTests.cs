using JourneyFunctions.Simulation;

namespace JourneyFunctions.Simulation.Tests;

public sealed class ScenarioFileTests
{
    private const string Head = """ "start": "2026-03-02T10:00:00+01:00", "contact": { "id": "a", "timeZone": "Europe/Madrid" } """;

    [Theory]
    [InlineData(""" "contact": { "id": "a", "timeZone": "Mars/Olympus" }, "start": "2026-03-02T10:00:00Z" """, "$.contact.timeZone: 'Mars/Olympus' is not an IANA time zone")]
    [InlineData(Head + """, "runFor": "30 days" """, "$.runFor: '30 days' is not an ISO 8601 duration")]
    [InlineData(Head + """, "runFor": "-P1D" """, "$.runFor: '-P1D' must be a positive duration")]
    [InlineData(Head + """, "events": [ { "at": "-PT1H", "name": "a.b" } ] """, "$.events[0].at: '-PT1H' is before the start")]
    [InlineData(Head + """, "runFor": "P1D", "events": [ { "at": "+P2D", "name": "a.b" } ] """, "$.events[0].at: '+P2D' is after the end of the scenario")]
    [InlineData(Head + """, "events": [ { "at": "tomorrow", "name": "a.b" } ] """, "$.events[0].at: 'tomorrow' is neither a duration")]
    [InlineData(Head + """, "events": [ { "name": "a.b", "data": [1] } ] """, "$.events[0].data: must be a JSON object")]
    [InlineData(Head + """, "expect": [ { "email": "a", "tag": "b" } ] """, "$.expect[0]: give only one of email, tag")]
    [InlineData(Head + """, "expect": [ { } ] """, "$.expect[0]: give one of email, noEmail")]
    [InlineData(Head + """, "expect": [ { "tag": "a", "at": "+PT1H" } ] """, "$.expect[0]: at, atLocal, subject, contains and link refine an email expectation")]
    [InlineData(Head + """, "expect": [ { "tag": "a", "contains": "Linen tee" } ] """, "$.expect[0]: at, atLocal, subject, contains and link refine an email expectation")]
    [InlineData(Head + """, "expect": [ { "emailCount": 1, "link": "https://a.example/" } ] """, "$.expect[0]: at, atLocal, subject, contains and link refine an email expectation")]
    [InlineData(Head + """, "expect": [ { "email": "a", "link": "/cart/c-1" } ] """, "$.expect[0].link: '/cart/c-1' is not an absolute URL")]
    [InlineData(Head + """, "expect": [ { "email": "a", "contains": "" } ] """, "$.expect[0].contains: must not be empty")]
    [InlineData(Head + """, "expect": [ { "counter": "entered", "equals": "one" } ] """, "$.expect[0].equals: a counter is a whole number of 0 or more")]
    [InlineData(Head + """, "expect": [ { "counter": "entered", "equals": -1 } ] """, "$.expect[0].equals: a counter is a whole number of 0 or more")]
    [InlineData(Head + """, "expect": [ { "counter": "entered", "tag": "a" } ] """, "$.expect[0]: give only one of tag, counter")]
    [InlineData(Head + """, "expect": [ { "tag": "a", "equals": 1 } ] """, "$.expect[0].equals: refines a field or counter expectation")]
    [InlineData(Head + """, "expect": [ { "completed": "done" } ] """, "$.expect[0].completed: 'done' is not one of goal, exited")]
    [InlineData(Head + """, "expect": [ { "email": "a", "atLocal": "9 am" } ] """, "$.expect[0].atLocal: '9 am' is neither a time of day")]
    [InlineData(""" "contact": { "id": "a" } """, "missing required property")]
    public void Parse_InvalidScenario_NamesThePathAndTheProblem(string body, string expected)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("{" + body + "}"));

        Assert.Contains(ex.Problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEveryOne()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("{" + Head + """, "runFor": "X", "expect": [ {}, { "completed": "no" } ] }"""));

        Assert.Equal(3, ex.Problems.Count);
    }

    [Theory]
    [InlineData("+PT30M", "2026-03-02T10:30:00+01:00")]
    [InlineData("P1D", "2026-03-03T10:00:00+01:00")]
    [InlineData("+P30D", "2026-04-01T10:00:00+02:00")]
    [InlineData("2026-03-05T08:00:00Z", "2026-03-05T09:00:00+01:00")]
    [InlineData("2026-03-05T08:00", "2026-03-05T08:00:00+01:00")]
    [InlineData(null, "2026-03-02T10:00:00+01:00")]
    public void TryResolveTime_RelativeAbsoluteOrLocal_ResolvesInTheContactsZone(string? text, string expected)
    {
        var zone = Core.Time.ZonedTime.Find("Europe/Madrid")!;

        Assert.True(ScenarioFile.TryResolveTime(text, DateTimeOffset.Parse("2026-03-02T10:00:00+01:00", System.Globalization.CultureInfo.InvariantCulture), zone, out var at, out var error), error);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), at);
    }

    [Fact]
    public void Schema_CommittedFile_MatchesTheScenarioModel()
    {
        var committed = File.ReadAllText(Repo.Path("schema", "scenario.schema.json"));

        Assert.True(
            committed == ScenarioSchema.Generate(),
            "schema/scenario.schema.json is out of date: regenerate it from ScenarioSchema.Generate() (see docs/simulator.md).");
    }

    [Fact]
    public async Task LoadAsync_SampleScenarios_AllParseAndNameAnExistingJourney()
    {
        foreach (var file in ScenarioSuite.Find(Repo.Path("journeys", "tests")))
        {
            var loaded = await ScenarioFile.LoadAsync(file);

            Assert.NotNull(loaded.JourneyPath);
            Assert.True(File.Exists(loaded.JourneyPath), $"{file} names {loaded.JourneyPath}");
            Assert.NotEmpty(loaded.Scenario.Expect);
        }
    }
}
