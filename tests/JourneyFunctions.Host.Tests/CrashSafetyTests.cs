using System.Diagnostics;
using System.Net;
using System.Text;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Host.Tests.Support;
using JourneyFunctions.Infrastructure.DependencyInjection;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace JourneyFunctions.Host.Tests;

/// <summary>
/// Runs the real <c>journeys serve</c> against one Azurite, pushes a few thousand contacts through a journey with two
/// 2-second waits, kills the process with SIGKILL at seeded random moments (during ingestion, routing and timers),
/// restarts it, and proves from storage and the outbox: every run completed (none lost, every timer fired), every
/// email went out exactly once (ledger and .eml files), nothing went to the poison queue.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CrashSafetyTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const string JourneyId = "crash-drill";
    private const int Contacts = 3000;
    private const int Kills = 3;

    private const string Journey = """
        {
          "id": "crash-drill",
          "name": "Crash drill",
          "category": "transactional",
          "trigger": { "event": "drill.started" },
          "reentry": { "mode": "never" },
          "steps": [
            { "id": "first", "type": "email", "template": "welcome" },
            { "id": "pause-1", "type": "wait", "duration": "PT2S" },
            { "id": "second", "type": "email", "template": "welcome-tips" },
            { "id": "pause-2", "type": "wait", "duration": "PT2S" },
            { "id": "done", "type": "tags", "add": ["drilled"] }
          ]
        }
        """;

    [Fact]
    public async Task Serve_KilledRepeatedlyUnderLoad_LosesNoRunSendsEachEmailOnceFiresEveryTimer()
    {
        var random = new Random(20261123);
        var work = Directory.CreateTempSubdirectory("jf-crash-").FullName;
        var journeys = Directory.CreateDirectory(Path.Combine(work, "journeys")).FullName;
        var outbox = Path.Combine(work, "outbox");
        await File.WriteAllTextAsync(Path.Combine(journeys, "crash-drill.json"), Journey);
        var prefix = "crash" + Guid.NewGuid().ToString("N")[..8];
        var queue = "crash-" + Guid.NewGuid().ToString("N")[..8];
        const string apiKey = "crash-key";
        var environment = new Dictionary<string, string>
        {
            ["JOURNEYS_Storage__Provider"] = "AzureStorage",
            ["JOURNEYS_Storage__ConnectionString"] = azurite.ConnectionString,
            ["JOURNEYS_Storage__TablePrefix"] = prefix,
            ["JOURNEYS_Storage__QueueName"] = queue,
            ["JOURNEYS_Email__Provider"] = "Outbox",
            ["JOURNEYS_Email__Outbox__Directory"] = outbox,
            ["JOURNEYS_Unsubscribe__Keys__0__Id"] = "crash",
            ["JOURNEYS_Unsubscribe__Keys__0__Secret"] = "crash-test-secret-of-at-least-32-characters",
            ["JOURNEYS_Runner__VisibilityTimeout"] = "00:00:05",
            ["JOURNEYS_Runner__MaxConcurrency"] = "8",
            ["JOURNEYS_Runner__TimerInterval"] = "00:00:00.250",
            ["JOURNEYS_Logging__LogLevel__Default"] = "Warning",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = string.Empty,
        };
        string[] arguments =
        [
            "serve", "--environment", "Production", "--api-key", apiKey,
            "--journeys", journeys, "--templates", Path.Combine(TestHost.RepositoryRoot, "templates"),
        ];
        await using var host = new ChildHost(arguments, environment);
        await using var storage = StorageFor(prefix, queue);
        var clock = Stopwatch.StartNew();
        await host.StartAsync();

        // Ingest: batches of 100 with stable event ids, retried across crashes (a retry is never a second event).
        var ingest = Task.Run(() => PostLoadAsync(host.BaseAddress, apiKey));

        // Kill -9 at seeded random moments while events are ingested, routed and timers fire; restart each time.
        for (var kill = 0; kill < Kills; kill++)
        {
            await Task.Delay(random.Next(800, 4000));
            await host.KillAsync();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: killed (start {host.Starts})");
            await host.StartAsync();
        }

        await ingest;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: all {Contacts} events accepted; {host.Starts} starts");

        var runs = storage.GetRequiredService<IRunStore>();
        var ids = Enumerable.Range(0, Contacts).Select(ContactId).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(300);

        // Cheap polls while the host works: the outbox folder until every email is out (a scan of the runs on the
        // emulator competes with the host for its single thread), then the active runs, then the full check.
        while (true)
        {
            var emails = Outbox.Read(outbox).Count;
            var active = -1;
            if (emails >= 2 * Contacts)
            {
                active = 0;
                await foreach (var _ in runs.ListActiveForJourneyAsync(JourneyId))
                {
                    active++;
                }
            }

            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: {emails} emails, {active} active runs");
            if (emails >= 2 * Contacts && active == 0 && (await NotCompletedAsync(runs, ids)).Count == 0)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not done: {emails} emails, {active} active runs, e.g. {(await NotCompletedAsync(runs, ids)).FirstOrDefault()}.\n{host.Output}");
            await Task.Delay(3000);
        }

        // Every run finished (not cancelled or failed): both timers fired and every step ran.
        foreach (var id in ids.Take(200))
        {
            var run = await runs.GetAsync(RunIds.For(JourneyId, id, null));
            Assert.Equal(CompletionReason.Finished, run!.State.Completion);
        }

        // Exactly two emails per contact: in the ledger and as files in the outbox.
        var ledger = storage.GetRequiredService<ISendLedger>();
        var since = DateTimeOffset.UtcNow.AddDays(-1);
        var counts = await Task.WhenAll(ids.Chunk(100).Select(async chunk =>
        {
            var wrong = new List<string>();
            foreach (var id in chunk)
            {
                var sent = await ledger.CountSentToContactAsync(id, since);
                if (sent != 2)
                {
                    wrong.Add($"{id}: {sent}");
                }
            }

            return wrong;
        }));
        Assert.Empty(counts.SelectMany(c => c));
        var files = Outbox.Read(outbox);
        Assert.Equal(2 * Contacts, files.Count);
        Assert.Equal(2 * Contacts, files.Select(f => (f.To, f.Subject)).Distinct().Count());

        // The last step ran for every contact, and nothing was poisoned.
        var contacts = storage.GetRequiredService<IContactStore>();
        foreach (var id in ids.Take(200))
        {
            Assert.Contains("drilled", (await contacts.GetAsync(id))!.Tags);
        }

        Assert.Empty(await storage.GetRequiredService<IEventQueue>().PeekPoisonAsync(32));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: verified");
        await host.KillAsync();
        Directory.Delete(work, recursive: true);
    }

    private static string ContactId(int i) => $"crash-{i:D5}";

    private static async Task PostLoadAsync(Uri baseAddress, string apiKey)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        foreach (var batch in Enumerable.Range(0, Contacts).Chunk(100))
        {
            var body = "[" + string.Join(',', batch.Select(i =>
                $$"""{ "id": "drill-{{ContactId(i)}}", "contactId": "{{ContactId(i)}}", "name": "drill.started", "contact": { "email": "{{ContactId(i)}}@example.com", "fields": { "firstName": "C{{i}}" } } }""")) + "]";
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (true)
            {
                try
                {
                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync("/api/events", content);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        break;
                    }

                    Assert.Fail($"POST /api/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
                {
                    // The host was killed mid-request: wait for the restart and send the same batch again.
                    await Task.Delay(200);
                }
            }
        }
    }

    private static async Task<List<string>> NotCompletedAsync(IRunStore runs, List<string> contactIds)
    {
        var results = await Task.WhenAll(contactIds.Chunk(50).Select(async chunk =>
        {
            var pending = new List<string>();
            foreach (var id in chunk)
            {
                var run = await runs.GetAsync(RunIds.For(JourneyId, id, null));
                if (run?.State.Status != RunStatus.Completed)
                {
                    pending.Add(id);
                }
            }

            return pending;
        }));
        return results.SelectMany(r => r).ToList();
    }

    private ServiceProvider StorageFor(string prefix, string queue)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureStorage",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = prefix,
            ["Storage:QueueName"] = queue,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddJourneyStorage(configuration);
        return services.BuildServiceProvider();
    }
}
