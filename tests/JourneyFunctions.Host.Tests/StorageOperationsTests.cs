using System.Net;
using System.Text;
using JourneyFunctions.Host.Tests.Support;
using Xunit.Abstractions;

namespace JourneyFunctions.Host.Tests;

/// <summary>
/// Counts the storage port calls the runner makes per journey step, with every port wrapped in a counter, for a
/// journey of email, wait, email, wait, tags. The bounds guard against regressions; the figures are printed.
/// </summary>
public sealed class StorageOperationsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Contacts = 50;
    private readonly StorageOperationCounter _counter = new();
    private TestHost _host = null!;
    private string _journeys = null!;

    public async Task InitializeAsync()
    {
        _journeys = Directory.CreateTempSubdirectory("jf-ops-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_journeys, "ops.json"), """
            {
              "id": "ops", "name": "Ops", "category": "transactional",
              "trigger": { "event": "ops.started" },
              "steps": [
                { "id": "first", "type": "email", "template": "welcome" },
                { "id": "pause-1", "type": "wait", "duration": "PT1H" },
                { "id": "second", "type": "email", "template": "welcome-tips" },
                { "id": "pause-2", "type": "wait", "duration": "PT1H" },
                { "id": "done", "type": "tags", "add": ["ops-done"] }
              ]
            }
            """);
        _host = await TestHost.StartAsync(
            new Dictionary<string, string?> { ["Host:JourneysDirectory"] = _journeys, ["Runner:SweepInterval"] = "1.00:00:00" },
            services: _counter.Attach);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_journeys, recursive: true);
    }

    [Fact]
    public async Task Runner_EmailWaitEmailWaitTags_StaysWithinItsStorageBudgetPerStep()
    {
        await Task.Delay(300);
        _counter.Reset();
        var body = "[" + string.Join(',', Enumerable.Range(0, Contacts).Select(i =>
            $$"""{ "contactId": "ops-{{i}}", "name": "ops.started", "contact": { "email": "ops-{{i}}@example.com" } }""")) + "]";
        using var response = await _host.PostJsonAsync("/api/events", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var outbox = Path.Combine(_host.WorkDirectory, "outbox");
        await TestHost.WaitUntilAsync(() => Task.FromResult(Outbox.Read(outbox).Count == Contacts), "the first emails");
        await Task.Delay(300);
        var start = Measure("event -> run started, first email sent, waiting");

        _host.Time.Advance(TimeSpan.FromHours(1));
        await TestHost.WaitUntilAsync(() => Task.FromResult(Outbox.Read(outbox).Count == 2 * Contacts), "the second emails");
        await Task.Delay(300);
        var timer = Measure("timer -> second email sent, waiting");

        _host.Time.Advance(TimeSpan.FromHours(1));
        await TestHost.WaitUntilAsync(
            async () => (await _host.GetJsonAsync("/api/journeys/ops/stats")).GetProperty("finished").GetInt64() == Contacts,
            "every run finished");
        await Task.Delay(500);
        var end = Measure("timer -> tags, run finished (+ its contact.tagAdded event routed)");

        // Per contact; a regression guard, not a target (the Azure figures are in docs/performance.md).
        Assert.InRange(start, 1, 40);
        Assert.InRange(timer, 1, 30);
        Assert.InRange(end, 1, 40);
    }

    private double Measure(string phase)
    {
        var snapshot = _counter.Snapshot();
        _counter.Reset();
        var perContact = snapshot.Where(kv => kv.Key != "IRunStore.ListDueAsync" && kv.Key != "IJourneyStore.ListAsync" && kv.Key != "IEventQueue.ReceiveAsync")
            .Sum(kv => kv.Value) / (double)Contacts;
        var text = new StringBuilder($"{phase}: {perContact:F1} storage calls per contact (polling calls left out)\n");
        foreach (var (name, count) in snapshot.OrderByDescending(kv => kv.Value))
        {
            text.AppendLine($"  {name,-45} {count / (double)Contacts,6:F2}");
        }

        output.WriteLine(text.ToString());
        return perContact;
    }
}
