using System.Net;
using System.Text.Json;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests;

public sealed class JourneysApiTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly TestHost _host = fixture.Host;

    private static string Journey(string id, string subject = "welcome") => $$"""
        {
          "id": "{{id}}",
          "name": "Test journey {{id}}",
          "trigger": { "event": "test.started" },
          "steps": [
            { "id": "hello", "type": "email", "template": "{{subject}}" },
            { "id": "pause", "type": "wait", "duration": "PT2S" },
            { "id": "tag", "type": "tags", "add": ["tested"] }
          ]
        }
        """;

    [Fact]
    public async Task ListJourneys_AtStart_HasTheFourSampleJourneys()
    {
        var list = await _host.GetJsonAsync("/api/journeys");

        var ids = list.EnumerateArray().Select(j => j.GetProperty("id").GetString()).ToList();
        Assert.Contains("welcome-series", ids);
        Assert.Contains("abandoned-cart", ids);
        Assert.Contains("re-engagement", ids);
        Assert.Contains("post-purchase-review", ids);
    }

    [Fact]
    public async Task PublishJourney_NewThenSameThenChanged_VersionsOneOneTwo()
    {
        using var first = await PutAsync("publish-versions", Journey("publish-versions"));
        using var same = await PutAsync("publish-versions", Journey("publish-versions"));
        using var changed = await PutAsync("publish-versions", Journey("publish-versions", "welcome-tips"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(1, (await JsonAsync(first)).GetProperty("version").GetInt32());
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.True((await JsonAsync(same)).GetProperty("unchanged").GetBoolean());
        Assert.Equal(2, (await JsonAsync(changed)).GetProperty("version").GetInt32());
        var v1 = await _host.GetJsonAsync("/api/journeys/publish-versions?version=1");
        var latest = await _host.GetJsonAsync("/api/journeys/publish-versions");
        Assert.Equal("welcome", v1.GetProperty("steps")[0].GetProperty("template").GetString());
        Assert.Equal("welcome-tips", latest.GetProperty("steps")[0].GetProperty("template").GetString());
        Assert.Equal(2, latest.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task PublishJourney_IdDiffersFromUrl_Returns400NamingId()
    {
        using var response = await PutAsync("url-id", Journey("body-id"));

        await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, "$.id");
    }

    [Fact]
    public async Task PublishJourney_MalformedJson_Returns400WithLineAndPosition()
    {
        using var response = await PutAsync("broken", "{\n  \"id\": \"broken\",\n  \"name\": oops\n}");

        var body = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("line 3", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetJourney_UnknownOrBadVersion_Returns404Or400()
    {
        using var unknown = await _host.Client.GetAsync("/api/journeys/no-such-journey");
        using var missingVersion = await _host.Client.GetAsync("/api/journeys/welcome-series?version=99");
        using var badVersion = await _host.Client.GetAsync("/api/journeys/welcome-series?version=two");

        await Problems.AssertFieldAsync(unknown, HttpStatusCode.NotFound, "id");
        await Problems.AssertFieldAsync(missingVersion, HttpStatusCode.NotFound, "version");
        await Problems.AssertFieldAsync(badVersion, HttpStatusCode.BadRequest, "version");
    }

    [Fact]
    public async Task PauseAndResume_Journey_ShowInTheList()
    {
        using var published = await PutAsync("pause-me", Journey("pause-me"));
        using var pause = await _host.Client.PostAsync("/api/journeys/pause-me/pause", null);
        var paused = (await _host.GetJsonAsync("/api/journeys")).EnumerateArray().Single(j => j.GetProperty("id").GetString() == "pause-me");
        using var resume = await _host.Client.PostAsync("/api/journeys/pause-me/resume", null);
        var resumed = (await _host.GetJsonAsync("/api/journeys")).EnumerateArray().Single(j => j.GetProperty("id").GetString() == "pause-me");
        using var unknown = await _host.Client.PostAsync("/api/journeys/nope/pause", null);

        Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.False(resumed.GetProperty("paused").GetBoolean());
        await Problems.AssertFieldAsync(unknown, HttpStatusCode.NotFound, "id");
    }

    [Fact]
    public async Task Stats_PublishedJourney_ListsEveryStep()
    {
        var stats = await _host.GetJsonAsync("/api/journeys/welcome-series/stats");

        Assert.Equal("welcome-series", stats.GetProperty("journeyId").GetString());
        Assert.Equal(0, stats.GetProperty("entered").GetInt64());
        Assert.Equal(0.0, stats.GetProperty("conversionRate").GetDouble());
        var steps = stats.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("stepId").GetString()).ToList();
        Assert.Equal(["welcome", "pause", "tips", "tag-onboarded", "wait-first-order", "first-purchase", "converted", "series-complete"], steps);
    }

    private async Task<HttpResponseMessage> PutAsync(string id, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return await _host.Client.PutAsync($"/api/journeys/{id}", content);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
