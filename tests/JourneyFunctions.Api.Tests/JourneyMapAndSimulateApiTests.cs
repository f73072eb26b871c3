using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Simulation;
using JourneyFunctions.Host.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Api.Tests;

/// <summary>GET /api/journeys/{id}/map and POST /api/journeys/{id}/simulate over real HTTP.</summary>
public sealed class JourneyMapAndSimulateApiTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly TestHost _host = fixture.Host;

    private static string Journey(string id) => $$"""
        {
          "id": "{{id}}",
          "name": "Map journey {{id}}",
          "trigger": { "event": "test.started" },
          "steps": [
            { "id": "hello", "type": "email", "template": "welcome" },
            { "id": "pause", "type": "wait", "duration": "P1D" },
            { "id": "tag", "type": "tags", "add": ["tested"] }
          ]
        }
        """;

    private static string ScenarioFile(string name) =>
        File.ReadAllText(Path.Combine(TestHost.RepositoryRoot, "journeys", "tests", name));

    [Fact]
    public async Task Map_PublishedJourney_IsMermaidTextWithLiveCounts()
    {
        await PublishAsync("map-counts", Journey("map-counts"));
        var stats = _host.App.Services.GetRequiredService<IStatsStore>();
        await stats.IncrementAsync("map-counts", "hello", StatCounters.Visited, 5);
        await stats.IncrementAsync("map-counts", "hello", StatCounters.EmailsSent, 4);

        using var response = await _host.Client.GetAsync("/api/journeys/map-counts/map");

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.StartsWith("flowchart TD\n", text, StringComparison.Ordinal);
        Assert.Contains("visited 5 · waiting 0 · sent 4", text, StringComparison.Ordinal);
        Assert.Contains("Accept", response.Headers.Vary);
    }

    [Fact]
    public async Task Map_AcceptJson_ReturnsMermaidAndStats()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/journeys/welcome-series/map?version=1");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("welcome-series", body.GetProperty("journeyId").GetString());
        Assert.Equal(1, body.GetProperty("version").GetInt32());
        Assert.StartsWith("flowchart TD", body.GetProperty("mermaid").GetString(), StringComparison.Ordinal);
        Assert.Equal("welcome-series", body.GetProperty("stats").GetProperty("journeyId").GetString());
    }

    [Fact]
    public async Task Map_AcceptMermaid_UsesTheMermaidMediaType()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/journeys/abandoned-cart/map");
        request.Headers.Accept.ParseAdd("text/vnd.mermaid, text/plain;q=0.5");

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/vnd.mermaid", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Map_UnknownJourneyOrVersion_Returns404Or400()
    {
        using var unknown = await _host.Client.GetAsync("/api/journeys/no-such-journey/map");
        using var missingVersion = await _host.Client.GetAsync("/api/journeys/welcome-series/map?version=99");
        using var badVersion = await _host.Client.GetAsync("/api/journeys/welcome-series/map?version=x");

        await Problems.AssertFieldAsync(unknown, HttpStatusCode.NotFound, "id");
        await Problems.AssertFieldAsync(missingVersion, HttpStatusCode.NotFound, "version");
        await Problems.AssertFieldAsync(badVersion, HttpStatusCode.BadRequest, "version");
    }

    [Fact]
    public async Task Simulate_SampleScenarioFileAsItIs_PassesWithoutTouchingTheHost()
    {
        using var response = await _host.PostJsonAsync("/api/journeys/abandoned-cart/simulate", ScenarioFile("abandoned-cart-no-order.scenario.json"));

        var report = await ReportAsync(response);
        Assert.True(report.GetProperty("passed").GetBoolean(), report.ToString());
        Assert.Equal("abandoned-cart", report.GetProperty("journeyId").GetString());
        Assert.Equal(["cart-reminder-1", "cart-reminder-2"], report.GetProperty("emails").EnumerateArray().Select(e => e.GetProperty("template").GetString()));
        Assert.All(report.GetProperty("expectations").EnumerateArray(), e => Assert.True(e.GetProperty("passed").GetBoolean()));
        Assert.Contains(report.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("kind").GetString() == "email");

        // The simulation had its own stores, sender and clock: the host has no such contact, no email, no run.
        Assert.Null(await _host.App.Services.GetRequiredService<IContactStore>().GetAsync("ana"));
        Assert.Empty(await _host.App.Services.GetRequiredService<IRunStore>().ListForContactAsync("ana"));
        Assert.False(Directory.Exists(Path.Combine(_host.WorkDirectory, "outbox")) && Directory.EnumerateFiles(Path.Combine(_host.WorkDirectory, "outbox"), "*", SearchOption.AllDirectories).Any());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), _host.Time.GetUtcNow());
    }

    [Fact]
    public async Task Simulate_FailingExpectation_Is200WithPassedFalse()
    {
        var scenario = """
            {
              "start": "2026-03-02T10:00:00Z",
              "contact": { "id": "eve" },
              "events": [ { "name": "contact.subscribed" } ],
              "runFor": "P2D",
              "expect": [ { "emailCount": 7 }, { "entered": true } ]
            }
            """;

        using var response = await _host.PostJsonAsync("/api/journeys/welcome-series/simulate", scenario);

        var report = await ReportAsync(response);
        Assert.False(report.GetProperty("passed").GetBoolean());
        var expectations = report.GetProperty("expectations").EnumerateArray().ToList();
        Assert.False(expectations[0].GetProperty("passed").GetBoolean());
        Assert.False(string.IsNullOrEmpty(expectations[0].GetProperty("detail").GetString()));
        Assert.True(expectations[1].GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task Simulate_InlineDraftJourney_RunsWithoutPublishing()
    {
        var scenario = $$"""
            {
              "journey": {{Journey("draft-only")}},
              "start": "2026-03-02T10:00:00Z",
              "contact": { "id": "dan" },
              "events": [ { "name": "test.started" } ],
              "runFor": "P3D",
              "expect": [ { "email": "welcome", "at": "+PT0M" }, { "tag": "tested" }, { "completed": "finished" } ]
            }
            """;

        using var response = await _host.PostJsonAsync("/api/journeys/draft-only/simulate", scenario);
        using var published = await _host.Client.GetAsync("/api/journeys/draft-only");

        var report = await ReportAsync(response);
        Assert.True(report.GetProperty("passed").GetBoolean(), report.ToString());
        Assert.Equal(HttpStatusCode.NotFound, published.StatusCode);
    }

    [Fact]
    public async Task Simulate_InlineJourneyProblems_Return400UnderJourney()
    {
        var wrongId = $$"""{ "journey": {{Journey("other-id")}}, "start": "2026-03-02T10:00:00Z", "contact": { "id": "x" } }""";
        var badTemplate = $$"""{ "journey": {{Journey("bad-template").Replace("\"welcome\"", "\"no-such-template\"", StringComparison.Ordinal)}}, "start": "2026-03-02T10:00:00Z", "contact": { "id": "x" } }""";

        using var mismatch = await _host.PostJsonAsync("/api/journeys/draft-x/simulate", wrongId);
        using var invalid = await _host.PostJsonAsync("/api/journeys/bad-template/simulate", badTemplate);

        await Problems.AssertFieldAsync(mismatch, HttpStatusCode.BadRequest, "$.journey.id");
        await Problems.AssertFieldAsync(invalid, HttpStatusCode.BadRequest, "$.journey.steps[0].template");
    }

    [Fact]
    public async Task Simulate_UnknownJourney_Returns404()
    {
        using var response = await _host.PostJsonAsync("/api/journeys/no-such-journey/simulate", """{ "start": "2026-03-02T10:00:00Z", "contact": { "id": "x" } }""");

        await Problems.AssertFieldAsync(response, HttpStatusCode.NotFound, "id");
    }

    [Theory]
    [InlineData("""{ "start": "2026-03-02T10:00:00Z", "contact": { "id": "x" }, "events": [ { "name": "contact.subscribed", "at": "tomorrow" } ] }""", "$.events[0].at")]
    [InlineData("""{ "start": "2026-03-02T10:00:00Z", "contact": { "id": "x" }, "expect": [ { "emial": "welcome" } ] }""", "$.expect[0].emial")]
    [InlineData("""{ "contact": { "id": "x" } }""", "$")]
    [InlineData("""{ "start": "2026-03-02T10:00:00Z", "contact": { "id": "x" }, "runFor": "P5Y" }""", "$.runFor")]
    [InlineData("""{ "start": "2026-03-02T10:00:00Z", "contact": { "id": "x", "timeZone": "Mars/Olympus" } }""", "$.contact.timeZone")]
    public async Task Simulate_InvalidScenario_Returns400NamingThePath(string scenario, string field)
    {
        using var response = await _host.PostJsonAsync("/api/journeys/welcome-series/simulate", scenario);

        await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("""[ { "noEmail": "welcome-tip" } ]""", "$.expect[0].noEmail", "welcome-tips")]
    [InlineData("""[ { "emailCount": 1 }, { "notVisited": "pauze" } ]""", "$.expect[1].notVisited", "pause")]
    [InlineData("""[ { "counter": "tips.snt" } ]""", "$.expect[0].counter", "sent")]
    [InlineData("[]", "$.expect", null)]
    public async Task Simulate_NameTheJourneyDoesNotHave_Returns400WithThePathAndASuggestion(string expect, string field, string? suggestion)
    {
        var scenario = $$"""{ "start": "2026-03-02T10:00:00Z", "contact": { "id": "x" }, "events": [ { "name": "contact.subscribed" } ], "runFor": "P1D", "expect": {{expect}} }""";

        using var response = await _host.PostJsonAsync("/api/journeys/welcome-series/simulate", scenario);

        var message = await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, field);
        if (suggestion is not null)
        {
            Assert.Contains($"did you mean \"{suggestion}\"?", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Simulate_EventNothingListensTo_RunsWithAWarningInTheReport()
    {
        var scenario = """{ "start": "2026-03-02T10:00:00Z", "contact": { "id": "w" }, "events": [ { "name": "contact.subscribed" }, { "name": "contact.subscibed" } ], "runFor": "P1D", "expect": [ { "email": "welcome", "contains": "Welcome!" }, { "counter": "entered", "equals": 1 } ] }""";

        using var response = await _host.PostJsonAsync("/api/journeys/welcome-series/simulate", scenario);

        var report = await ReportAsync(response);
        Assert.True(report.GetProperty("passed").GetBoolean(), report.ToString());
        var warning = Assert.Single(report.GetProperty("warnings").EnumerateArray());
        Assert.StartsWith("$.events[1].name: ", warning.GetString(), StringComparison.Ordinal);
        Assert.Equal(1, report.GetProperty("counters").GetProperty("").GetProperty("entered").GetInt64());
    }

    [Fact]
    public async Task Simulate_MalformedJson_Returns400WithLine()
    {
        using var response = await _host.PostJsonAsync("/api/journeys/welcome-series/simulate", "{\n  \"start\": \"2026-03-02T10:00:00Z\",\n  \"contact\": oops\n}");

        var body = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("line 3", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task PublishAsync(string id, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _host.Client.PutAsync($"/api/journeys/{id}", content);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> ReportAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

/// <summary>The simulate endpoint's bounds, on a host configured with tight ones.</summary>
public sealed class SimulateBoundsTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Runner:Enabled"] = "false",
        ["Api:Simulation:MaxEvents"] = "600",
        ["Api:Simulation:Timeout"] = "00:00:00.001",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Simulate_TooManyEvents_Returns400OnEvents()
    {
        using var response = await _host.PostJsonAsync("/api/journeys/welcome-series/simulate", HourlyEvents(601));

        var message = await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, "$.events");
        Assert.Contains("at most 600", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_OverTheTimeLimit_Returns503()
    {
        // 600 clock stops, each routing an event through the real services: far more than a millisecond.
        using var response = await _host.PostJsonAsync("/api/journeys/welcome-series/simulate", HourlyEvents(600));

        await Problems.AssertFieldAsync(response, HttpStatusCode.ServiceUnavailable, "$.runFor");
    }

    private static string HourlyEvents(int count)
    {
        var events = Enumerable.Range(0, count).Select(i => $$"""{ "at": "+PT{{i}}H", "name": "contact.subscribed" }""");
        return $$"""{ "start": "2026-03-02T10:00:00Z", "contact": { "id": "x" }, "runFor": "P30D", "events": [ {{string.Join(", ", events)}} ], "expect": [ { "entered": true } ] }""";
    }
}

/// <summary>A host that runs one simulation at a time refuses the overlapping ones with 429 rather than queueing them.</summary>
public sealed class SimulateConcurrencyTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Runner:Enabled"] = "false",
        ["Api:Simulation:MaxConcurrent"] = "1",
        ["Api:Simulation:MaxEvents"] = "5000",
        ["Api:Simulation:MaxClockStops"] = "50000",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Simulate_MoreAtOnceThanTheSlots_ExtraOnesGet429WithRetryAfter()
    {
        // One long simulation (5,000 scripted events through the real services) holds the only slot. One probe first,
        // so the route is warm.
        var events = Enumerable.Range(0, 5000).Select(i => $$"""{ "at": "+PT{{i}}M", "name": "contact.subscribed" }""");
        var scenario = $$"""{ "start": "2026-03-02T10:00:00Z", "contact": { "id": "x" }, "runFor": "P30D", "events": [ {{string.Join(", ", events)}} ], "expect": [ { "entered": true } ] }""";
        const string probe = """{ "start": "2026-03-02T10:00:00Z", "contact": { "id": "p" }, "runFor": "PT1H", "events": [], "expect": [ { "entered": false } ] }""";
        using (var warm = await _host.PostJsonAsync("/api/journeys/welcome-series/simulate", probe))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        // A probe sent once the long run holds the slot must be refused; if the long run ended before the probe
        // reached the host, the probe ran (200) and the round is played again.
        var simulator = _host.App.Services.GetRequiredService<ApiSimulator>();
        HttpResponseMessage? refused = null;
        try
        {
            for (var round = 0; round < 5 && refused is null; round++)
            {
                var longRun = Task.Run(() => _host.PostJsonAsync("/api/journeys/welcome-series/simulate", scenario));
                while (simulator.Running == 0 && !longRun.IsCompleted)
                {
                    await Task.Delay(1);
                }

                var probed = await _host.PostJsonAsync("/api/journeys/welcome-series/simulate", probe);
                using var finished = await longRun;
                Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
                if (probed.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    refused = probed;
                }
                else
                {
                    Assert.Equal(HttpStatusCode.OK, probed.StatusCode);
                    probed.Dispose();
                }
            }

            Assert.NotNull(refused);
            Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
            await Problems.AssertFieldAsync(refused, HttpStatusCode.TooManyRequests, "$");
        }
        finally
        {
            refused?.Dispose();
        }
    }
}
