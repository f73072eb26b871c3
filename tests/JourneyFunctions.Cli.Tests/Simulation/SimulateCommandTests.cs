using System.Text.Json;

namespace JourneyFunctions.Cli.Tests.Simulation;

public sealed class SimulateCommandTests
{
    [Fact]
    public async Task Simulate_LateNightCart_PrintsLocalTimelineWithDecisionsAndSubject()
    {
        var (code, output, error) = await CliRunner.RunAsync(
            "simulate", Repo.Path("journeys", "abandoned-cart.json"), "--scenario", Repo.Path("journeys", "tests", "abandoned-cart-late-night.scenario.json"));

        Assert.True(code == 0, output + error);
        Assert.Contains("Contact   bea, Europe/Madrid", output, StringComparison.Ordinal);
        Assert.Matches(@"Mon 2 Mar 23:30\s+grace\s+decision waiting 1 hour, until Tue 3 Mar 00:30 Europe/Madrid", output);
        Assert.Matches(@"Tue 3 Mar 00:30\s+reminder-1\s+decision held until Tue 3 Mar 09:00 Europe/Madrid: outside the send window", output);
        Assert.Matches(@"Tue 3 Mar 09:00\s+reminder-1\s+email\s+Sent ""Bea, you left something in your cart"" \(cart-reminder-1\)", output);
        Assert.Contains("PASS  email cart-reminder-1 at 09:00 local", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_Json_CarriesRenderedEmailsWithUnsubscribeHeaders()
    {
        var (code, output, _) = await CliRunner.RunAsync(
            "simulate", "--scenario", Repo.Path("journeys", "tests", "abandoned-cart-no-order.scenario.json"), "--json");

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("abandoned-cart", root.GetProperty("journeyId").GetString());
        var emails = root.GetProperty("emails").EnumerateArray().ToList();
        Assert.Equal(2, emails.Count);
        Assert.Equal("cart-reminder-1", emails[0].GetProperty("template").GetString());
        Assert.Equal("ana@example.com", emails[0].GetProperty("to").GetString());
        Assert.Contains("Trail runner socks", emails[0].GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("<https://journeys.simulation.invalid/api/unsubscribe?token=", emails[0].GetProperty("headers").GetProperty("List-Unsubscribe").GetString(), StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", emails[0].GetProperty("headers").GetProperty("List-Unsubscribe-Post").GetString());
        Assert.Contains(root.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("kind").GetString() == "journey" && e.TryGetProperty("stepId", out var step) && step.GetString() == "vip-check");
        Assert.True(root.GetProperty("expectations").EnumerateArray().All(e => e.GetProperty("passed").GetBoolean()));
    }

    [Fact]
    public async Task Simulate_ScenarioWithoutJourney_ExitsTwoAndSaysSo()
    {
        using var folder = new TempRepository();
        var file = folder.Write("s.scenario.json", """{ "start": "2026-03-02T10:00:00Z", "contact": { "id": "a" } }""");

        var (code, _, error) = await CliRunner.RunAsync("simulate", "--scenario", file);

        Assert.Equal(2, code);
        Assert.Contains("$.journey: name the journey file", error, StringComparison.Ordinal);
    }
}
