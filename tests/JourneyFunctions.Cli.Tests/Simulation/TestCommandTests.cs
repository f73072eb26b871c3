using System.Text.Json;

namespace JourneyFunctions.Cli.Tests.Simulation;

public sealed class TestCommandTests
{
    [Fact]
    public async Task Test_SampleJourneyScenarios_AllPassAndExitZero()
    {
        var (code, output, error) = await CliRunner.RunAsync("test", Repo.Path("journeys", "tests"));

        Assert.True(code == 0, output + error);
        var count = Directory.GetFiles(Repo.Path("journeys", "tests"), "*.scenario.json").Length;
        Assert.True(count >= 10, $"only {count} sample scenarios");
        Assert.Contains($"{count} scenario(s): {count} passed, 0 failed", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_FailingExpectation_ExitsNonZeroAndSaysWhatHappenedInstead()
    {
        using var folder = new TempRepository();
        folder.Write("late.scenario.json", $$"""
            {
              "journey": {{JsonSerializer.Serialize(Repo.Path("journeys", "abandoned-cart.json"))}},
              "start": "2026-03-02T10:00:00+01:00",
              "contact": { "id": "zoe", "timeZone": "Europe/Madrid", "fields": { "firstName": "Zoe" } },
              "events": [ { "name": "cart.updated", "data": { "cartId": "c1" } } ],
              "runFor": "P2D",
              "expect": [
                { "email": "cart-reminder-1", "at": "+PT30M" },
                { "noEmail": "cart-reminder-2" },
                { "tag": "cart-abandoner" }
              ]
            }
            """);
        folder.Write("fine.scenario.json", $$"""
            {
              "journey": {{JsonSerializer.Serialize(Repo.Path("journeys", "abandoned-cart.json"))}},
              "start": "2026-03-02T10:00:00+01:00",
              "contact": { "id": "yan" },
              "events": [ { "name": "cart.updated", "data": { "cartId": "c2" } } ],
              "runFor": "PT2H",
              "expect": [ { "email": "cart-reminder-1", "at": "+PT1H" } ]
            }
            """);

        var (code, output, _) = await CliRunner.RunAsync("test", folder.Root);

        Assert.Equal(1, code);
        Assert.Contains("PASS  fine.scenario.json", output, StringComparison.Ordinal);
        Assert.Contains("FAIL  late.scenario.json", output, StringComparison.Ordinal);
        Assert.Contains("expected email cart-reminder-1 at +PT30M (Mon 2 Mar 10:30)", output, StringComparison.Ordinal);
        Assert.Contains("but sent cart-reminder-1 at Mon 2 Mar 11:00 \"Zoe, you left something in your cart\"", output, StringComparison.Ordinal);
        Assert.Contains("expected no email cart-reminder-2", output, StringComparison.Ordinal);
        Assert.Contains("but sent cart-reminder-2 at Tue 3 Mar 11:00", output, StringComparison.Ordinal);
        Assert.DoesNotContain("expected tag cart-abandoner", output, StringComparison.Ordinal);
        Assert.Contains("2 scenario(s): 1 passed, 1 failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_ScenarioWithATypo_FailsWithTheJsonPath()
    {
        using var folder = new TempRepository();
        folder.Write("typo.scenario.json", """
            {
              "journey": "missing.json",
              "start": "2026-03-02T10:00:00+01:00",
              "contact": { "id": "x" },
              "expect": [ { "emial": "welcome" } ]
            }
            """);

        var (code, output, _) = await CliRunner.RunAsync("test", folder.Root);

        Assert.Equal(1, code);
        Assert.Contains("FAIL  typo.scenario.json", output, StringComparison.Ordinal);
        Assert.Contains("invalid: $.expect[0].emial (line 5): unknown property", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_FolderWithoutScenarios_ExitsTwo()
    {
        using var folder = new TempRepository();

        var (code, _, error) = await CliRunner.RunAsync("test", folder.Root);

        Assert.Equal(2, code);
        Assert.Contains("No *.scenario.json files found", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_Json_ReportsEveryExpectation()
    {
        var (code, output, _) = await CliRunner.RunAsync("test", Repo.Path("journeys", "tests", "abandoned-cart-order-placed.scenario.json"), "--json");

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var result = Assert.Single(doc.RootElement.EnumerateArray().ToList());
        Assert.True(result.GetProperty("passed").GetBoolean());
        Assert.Equal(4, result.GetProperty("expectations").GetArrayLength());
    }

    [Fact]
    public async Task Test_JourneyThatDoesNotValidate_FailsWithTheJourneysProblems()
    {
        using var folder = new TempRepository();
        folder.Write("broken.json", """
            { "id": "broken", "name": "Broken", "trigger": { "event": "x.y" },
              "steps": [ { "id": "mail", "type": "email", "template": "no-such-template", "next": "nowhere" } ] }
            """);
        Directory.CreateDirectory(System.IO.Path.Combine(folder.Root, "templates"));
        folder.Write("broken.scenario.json", """
            { "journey": "broken.json", "start": "2026-03-02T10:00:00Z", "contact": { "id": "a" }, "expect": [ { "emailCount": 0 } ] }
            """);

        var (code, output, _) = await CliRunner.RunAsync("test", folder.Root);

        Assert.Equal(1, code);
        Assert.Contains("invalid: journey broken.json $.steps[0].template", output, StringComparison.Ordinal);
        Assert.Contains("invalid: journey broken.json $.steps[0].next", output, StringComparison.Ordinal);
    }
}
