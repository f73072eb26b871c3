using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
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
/// Runs the real <c>journeys serve</c> against one Azurite, pushes contacts through a journey with two 2-second waits,
/// kills the process with SIGKILL at seeded random moments (during ingestion, routing and timers), restarts it, and
/// proves from storage and the outbox: every run completed (none lost, every timer fired), every email went out
/// exactly once (ledger and .eml files), nothing went to the poison queue, no partial file stayed in the outbox, and
/// the stats say what the runs, the ledger and the outbox say (entered, finished, emails sent, visited and waiting
/// now per step).
/// </summary>
/// <remarks>
/// The suite runs it with <see cref="SuiteContacts"/> contacts and <see cref="SuiteKills"/> kills; the full drill
/// (thousands of contacts, more kills) is the same test with <c>JOURNEYS_CRASH_DRILL_CONTACTS</c> and
/// <c>JOURNEYS_CRASH_DRILL_KILLS</c> set, see docs/operations.md ("Crash drill") for the command and its latest figures.
/// </remarks>
[Collection(CrashDrillCollection.Name)]
public sealed class CrashSafetyTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const string JourneyId = "crash-drill";
    private const int SuiteContacts = 1000;
    private const int SuiteKills = 3;

    private const string Reconciled = "Stats reconciled from";

    private static readonly int Contacts = Setting("JOURNEYS_CRASH_DRILL_CONTACTS", SuiteContacts);
    private static readonly int Kills = Setting("JOURNEYS_CRASH_DRILL_KILLS", SuiteKills);

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
            ["JOURNEYS_Logging__LogLevel__JourneyFunctions.Infrastructure.Storage.StatsReconciler"] = "Information",
            // Reconcile every 20 s, so the check below waits a minute at most, not the default hour (each pass scans
            // every run and ledger row on the emulator's one thread, so not more often). The settle time must exceed
            // the longest time from storing a fact to counting it, in one host too: an email's ledger row is stored
            // before the run's commit, whose increment follows it, and under this load a commit can take seconds. At
            // 3 s a clean-clone run counted one email twice (1,001 for 1,000 ledger rows); 15 s leaves 5x that margin.
            ["JOURNEYS_Storage__StatsReconcile__Interval"] = "00:00:20",
            ["JOURNEYS_Storage__StatsReconcile__SettleTime"] = "00:00:15",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = string.Empty,
            // Production requires the public https address unsubscribe links point at; the drill never follows one.
            ["JOURNEYS_Sending__PublicBaseUrl"] = "https://journeys.example.com",
            // Production refuses to start without the suppression list's HMAC key.
            ["JOURNEYS_Suppressions__Key"] = "crash-drill-address-hash-key-0123456789abcdef",
        };
        string[] arguments =
        [
            "serve", "--environment", "Production", "--api-key", apiKey,
            "--journeys", journeys, "--templates", Path.Combine(TestHost.RepositoryRoot, "templates"),
        ];
        await using var host = new ChildHost(arguments, environment);
        await using var storage = StorageFor(prefix, queue);
        var clock = Stopwatch.StartNew();
        output.WriteLine($"{Contacts} contacts, {Kills} kills");
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
        // A liveness bound, not a speed test: generous for a 2-core machine shared with other builds.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120 + (0.3 * Contacts));

        // Cheap polls while the host works: the outbox folder until every email is out (a scan of the runs on the
        // emulator competes with the host for its single thread), then the active runs, then the full check.
        while (true)
        {
            var emails = Outbox.Count(outbox);
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
            await Task.Delay(1000);
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: every run completed");
        var reconcilesBefore = host.CountSinceLastStart(Reconciled);

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

        // No partial file of a killed process stays in the outbox (the first send after a start deletes them).
        Assert.Empty(Directory.GetFiles(outbox, "*.tmp"));

        // The counters survived the kills (and any commit whose answer the load cut off): once a reconcile that began
        // after the last run completed has run (the second from now), stats == runs == ledger == outbox, exactly.
        var reconciledBy = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (host.CountSinceLastStart(Reconciled) < reconcilesBefore + 2)
        {
            Assert.True(DateTime.UtcNow < reconciledBy, $"the stats were not reconciled after the runs completed.\n{host.Output}");
            await Task.Delay(500);
        }

        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        using var stats = JsonDocument.Parse(await http.GetStringAsync($"/api/journeys/{JourneyId}/stats"));
        var root = stats.RootElement;
        long Step(string stepId, string figure) =>
            root.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("stepId").GetString() == stepId).GetProperty(figure).GetInt64();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: stats {root}");
        Assert.True(root.GetProperty("entered").GetInt64() == Contacts, $"entered {root.GetProperty("entered")}, {Contacts} runs.\n{host.Output}");
        Assert.Equal(Contacts, root.GetProperty("finished").GetInt64());
        Assert.Equal(0, root.GetProperty("active").GetInt64());
        Assert.Equal(0, root.GetProperty("failed").GetInt64());
        Assert.Equal(Contacts, Step("first", "emailsSent"));
        Assert.Equal(Contacts, Step("second", "emailsSent"));
        Assert.Equal(files.Count, root.GetProperty("emailsSent").GetInt64());

        // Every per-step counter too (15.9): each run visited each step once, and nobody waits anywhere any more.
        foreach (var stepId in new[] { "first", "pause-1", "second", "pause-2", "done" })
        {
            Assert.True(Step(stepId, "visited") == Contacts, $"{stepId} visited {Step(stepId, "visited")}, {Contacts} runs.\n{host.Output}");
            Assert.Equal(0, Step(stepId, "waitingNow"));
            Assert.Equal(0, Step(stepId, "exited"));
        }

        Assert.Equal(0, root.GetProperty("unsubscribed").GetInt64());
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: verified");
        await host.KillAsync();
        Directory.Delete(work, recursive: true);
    }

    private static string ContactId(int i) => $"crash-{i:D5}";

    private static int Setting(string name, int suiteValue) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : suiteValue;

    private static async Task PostLoadAsync(Uri baseAddress, string apiKey)
    {
        // A batch is 100 enqueues; on a loaded machine that can take seconds, and a timed-out batch is sent again whole.
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        // A few batches in flight, as storefronts post: the host's ingestion (one enqueue per event) is not the drill's
        // bottleneck then, and more requests are cut off by each kill.
        await Parallel.ForEachAsync(Enumerable.Range(0, Contacts).Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, cancellationToken) =>
        {
            var body = "[" + string.Join(',', batch.Select(i =>
                $$"""{ "id": "drill-{{ContactId(i)}}", "contactId": "{{ContactId(i)}}", "name": "drill.started", "contact": { "email": "{{ContactId(i)}}@example.com", "fields": { "firstName": "C{{i}}" } } }""")) + "]";
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
            while (true)
            {
                try
                {
                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync("/api/events", content, cancellationToken);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        break;
                    }

                    Assert.Fail($"POST /api/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
                {
                    // The host was killed mid-request: wait for the restart and send the same batch again.
                    await Task.Delay(200, cancellationToken);
                }
            }
        });
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

/// <summary>
/// The crash drill has an Azurite of its own: the emulator serves one request at a time, so the drill neither waits
/// behind the other storage tests nor slows them, and both run at once instead of one after the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CrashDrillCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Crash drill";
}
