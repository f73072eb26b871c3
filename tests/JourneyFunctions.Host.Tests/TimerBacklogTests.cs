using System.Diagnostics;
using System.Globalization;
using System.Net;
using JourneyFunctions.Host.Tests.Support;
using Xunit.Abstractions;

namespace JourneyFunctions.Host.Tests;

/// <summary>
/// A large backlog of due timers on Azure Table Storage (the real Azurite) fires while the host keeps answering: the
/// due-timer scan reads ahead and fires in parallel, but within bounds that leave the storage and the thread pool
/// to the API. (An earlier unbounded scan starved everything else; this is what keeps that from coming back.)
/// </summary>
[Collection(Infrastructure.Tests.Fixtures.AzuriteCollection.Name)]
public sealed class TimerBacklogTests(Infrastructure.Tests.Fixtures.AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Contacts = 2_000;

    /// <summary>Longest answer allowed while the backlog fires (generous: this machine is shared and slow).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private TestHost _host = null!;
    private string _journeys = null!;

    public async Task InitializeAsync()
    {
        _journeys = Directory.CreateTempSubdirectory("jf-backlog-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_journeys, "backlog.json"), """
            {
              "id": "backlog", "name": "Backlog", "category": "transactional",
              "trigger": { "event": "backlog.started" },
              "steps": [
                { "id": "pause", "type": "wait", "duration": "PT1H" },
                { "id": "done", "type": "tags", "add": ["backlog-done"] }
              ]
            }
            """);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        _host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Host:JourneysDirectory"] = _journeys,
            ["Runner:SweepInterval"] = "1.00:00:00",
            ["Storage:Provider"] = "AzureStorage",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = "backlog" + suffix,
            ["Storage:QueueName"] = "backlog-" + suffix,
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_journeys, recursive: true);
    }

    [Fact]
    public async Task TwoThousandDueTimers_WhileTheyFire_HealthAndAnEventPostAnswerWithinTheBound()
    {
        for (var offset = 0; offset < Contacts; offset += 100)
        {
            var body = "[" + string.Join(',', Enumerable.Range(offset, 100).Select(i =>
                $$"""{ "contactId": "b-{{i}}", "name": "backlog.started", "contact": { "email": "b-{{i}}@example.com" } }""")) + "]";
            using var response = await _host.PostJsonAsync("/api/events", body);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await TestHost.WaitUntilAsync(async () => await StatAsync("entered") == Contacts, "every run waits", TimeSpan.FromMinutes(3));

        // Every timer is due at once.
        _host.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var health = new List<double>();
        var posts = new List<double>();
        var probes = 0;
        long finishedAtLastProbe = 0;
        while (await StatAsync("finished") < Contacts / 2 && probes < 200)
        {
            var watch = Stopwatch.StartNew();
            using (var response = await _host.Anonymous.GetAsync(new Uri("/health", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            health.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            var probe = "probe-" + probes.ToString(CultureInfo.InvariantCulture);
            using (var response = await _host.PostJsonAsync("/api/events", $$"""{ "contactId": "{{probe}}", "name": "probe.seen", "contact": { "email": "{{probe}}@example.com" } }"""))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            posts.Add(watch.Elapsed.TotalMilliseconds);
            probes++;
            finishedAtLastProbe = await StatAsync("finished");
        }

        await TestHost.WaitUntilAsync(async () => await StatAsync("finished") == Contacts, "every timer fired", TimeSpan.FromMinutes(5));
        output.WriteLine($"{probes} probes while firing; health max {health.DefaultIfEmpty().Max():0} ms, event POST max {posts.DefaultIfEmpty().Max():0} ms; {finishedAtLastProbe} fired at the last probe");

        // The probes ran while the backlog was firing (not before it began or after it ended), and each answered in time.
        Assert.True(probes >= 3, $"only {probes} probes ran while the backlog fired");
        Assert.True(finishedAtLastProbe < Contacts, "the backlog had finished before the last probe");
        Assert.All(health, ms => Assert.True(ms < Bound.TotalMilliseconds, $"GET /health took {ms:0} ms while the backlog fired"));
        Assert.All(posts, ms => Assert.True(ms < Bound.TotalMilliseconds, $"POST /api/events took {ms:0} ms while the backlog fired"));
    }

    private async Task<long> StatAsync(string name) =>
        (await _host.GetJsonAsync("/api/journeys/backlog/stats")).GetProperty(name).GetInt64();
}
