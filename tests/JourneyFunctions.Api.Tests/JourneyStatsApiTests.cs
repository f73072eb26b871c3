using System.Net;
using System.Text.Json;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests;

/// <summary>
/// The stats route over the real host with its runner (13.3, 13.4, 13.8): "waiting now", exits by reason and goals per
/// step, all from counters.
/// </summary>
public sealed class JourneyStatsApiTests : IAsyncLifetime
{
    private TestHost? _host;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host!.DisposeAsync();

    [Fact]
    public async Task Stats_RunsWaitExitAndConvert_AnswersWaitingNowExitsByReasonAndGoalsPerStepFromCounters()
    {
        using var published = await PutAsync("stats-exits", """
            {
              "id": "stats-exits", "name": "Stats exits", "category": "transactional",
              "trigger": { "event": "exits.started" },
              "exitWhen": [ { "event": "exits.stop" } ],
              "goal": { "event": "exits.bought" },
              "steps": [
                { "id": "hold", "type": "wait", "duration": "P1D" },
                { "id": "tag", "type": "tags", "add": ["held"] }
              ]
            }
            """);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        foreach (var contact in new[] { "exits-a", "exits-b", "exits-c" })
        {
            using var started = await _host!.PostJsonAsync("/api/events", $$"""{ "contactId": "{{contact}}", "name": "exits.started", "contact": { "email": "{{contact}}@example.com" } }""");
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        }

        await TestHost.WaitUntilAsync(async () => Step(await _host!.GetJsonAsync("/api/journeys/stats-exits/stats"), "hold").GetProperty("waitingNow").GetInt64() == 3, "three runs waiting at hold");
        using (var stop = await _host!.PostJsonAsync("/api/events", """{ "contactId": "exits-a", "name": "exits.stop" }"""))
        using (var bought = await _host!.PostJsonAsync("/api/events", """{ "contactId": "exits-b", "name": "exits.bought" }"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, bought.StatusCode);
        }

        await TestHost.WaitUntilAsync(async () => (await _host!.GetJsonAsync("/api/journeys/stats-exits/stats")).GetProperty("active").GetInt64() == 1, "two runs ended");
        var stats = await _host!.GetJsonAsync("/api/journeys/stats-exits/stats");

        var hold = Step(stats, "hold");
        Assert.Equal(1, hold.GetProperty("waitingNow").GetInt64());
        Assert.Equal(3, hold.GetProperty("visited").GetInt64());
        Assert.Equal(1, hold.GetProperty("goals").GetInt64());
        var exits = hold.GetProperty("exitsByReason");
        Assert.Equal(1, exits.GetProperty("exit.rule").GetInt64());
        Assert.Equal(1, exits.GetProperty("exit.goal").GetInt64());
        Assert.Equal(0, exits.GetProperty("exit.unsubscribe").GetInt64());
        Assert.Equal(2, hold.GetProperty("exited").GetInt64());
        Assert.Equal(1, stats.GetProperty("goals").GetInt64());
        Assert.Equal(0, stats.GetProperty("unsubscribed").GetInt64());
        Assert.Equal(0, Step(stats, "tag").GetProperty("waitingNow").GetInt64());
    }

    private static JsonElement Step(JsonElement stats, string stepId) =>
        stats.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("stepId").GetString() == stepId);

    private async Task<HttpResponseMessage> PutAsync(string id, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return await _host!.Client.PutAsync($"/api/journeys/{id}", content);
    }
}
