using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Runner;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Host.Runner;
using JourneyFunctions.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.SideBySide;

/// <summary>
/// Engine B, the built-in host's engine: the services <c>journeys load --storage azurite</c> runs
/// (<see cref="SimulationServices"/>: <c>AddJourneyEngine</c> and <c>AddJourneyRunner</c> over the Table and Queue
/// stores) on the system clock, driven by the host's own loops (<see cref="QueueConsumer"/>,
/// <see cref="DueTimerLoop"/>) with the host's default runner options, running journeys/abandoned-cart.json. Carts
/// and orders arrive through <see cref="EventIngestService"/>, as <c>POST /api/events</c> puts them on the queue.
/// </summary>
public static class BuiltInHost
{
    public const string Name = "host";

    public static async Task<EngineResult> RunAsync(Workload workload, int round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var counting = new CountingPolicy(new Cli.Load.StorageRequestCounter());
        var log = new DeliveryLog();
        var starts = new StartObserver();
        var suffix = round.ToString(CultureInfo.InvariantCulture) + (Environment.ProcessId % 10000).ToString(CultureInfo.InvariantCulture);
        var storage = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureStorage",
            ["Storage:ConnectionString"] = workload.ConnectionString,
            ["Storage:TablePrefix"] = "sbshost" + suffix,
            ["Storage:QueueName"] = "sbshost-" + suffix,
        };
        var defaults = new RunnerOptions();
        await using var services = SimulationServices.Build(
            TimeProvider.System,
            new LoggingEmailSender(log),
            new RecordingWebhookClient(TimeProvider.System, null),
            workload.TemplatesDirectory,
            storage: storage,
            configure: s =>
            {
                counting.Register(s);
                s.AddSingleton<IRunnerObserver>(starts);
            },
            runner: o => o.MaxConcurrency = defaults.MaxConcurrency);

        var published = await CountingPolicy.UncountedAsync(() => services.GetRequiredService<JourneyPublisher>().PublishAsync(workload.AbandonedCartJson(), cancellationToken: cancellationToken));
        var journeyId = published.Published?.Id ?? throw new InvalidOperationException("abandoned-cart did not publish: " + string.Join("; ", published.Errors.Select(e => $"{e.Path}: {e.Message}")));
        services.GetRequiredService<IJourneyCatalog>().Invalidate();

        var runner = services.GetRequiredService<JourneyRunner>();
        var ingest = services.GetRequiredService<EventIngestService>();
        var runs = services.GetRequiredService<IRunStore>();
        BackgroundService[] loops = [new QueueConsumer(runner, Logs.Factory.CreateLogger<QueueConsumer>()), new DueTimerLoop(runner, TimeProvider.System, Logs.Factory.CreateLogger<DueTimerLoop>())];
        foreach (var loop in loops)
        {
            await loop.StartAsync(cancellationToken);
        }

        try
        {
            var loadBefore = LoadAverage.Now();
            counting.Counter.Reset();
            var watch = Stopwatch.StartNew();
            var orders = Task.Run(() => PlaceOrdersAsync(ingest, log, workload, cancellationToken), cancellationToken);
            foreach (var batch in Enumerable.Range(0, workload.Contacts).Chunk(EventIngestService.MaxBatchSize))
            {
                await ingest.IngestAsync(batch.Select(Cart).ToList(), idempotencyKey: null, isBatch: true, cancellationToken);
            }

            var completed = await Completion.WaitAsync(workload, async ct =>
            {
                if (starts.Started < workload.Contacts)
                {
                    return starts.Started - workload.Contacts;
                }

                var active = await CountingPolicy.UncountedAsync(async () =>
                {
                    var n = 0;
                    await foreach (var run in runs.ListActiveForJourneyAsync(journeyId, ct))
                    {
                        n++;
                    }

                    return n;
                });
                return workload.Contacts - active;
            }, cancellationToken);
            var seconds = watch.Elapsed.TotalSeconds;
            var requests = counting.Counter.Snapshot();
            log.Complete();
            await orders;
            return new EngineResult(Name, round, completed, seconds, requests, log.Emails, workload.Steps, loadBefore, LoadAverage.Now());
        }
        finally
        {
            foreach (var loop in loops)
            {
                await loop.StopAsync(CancellationToken.None);
                loop.Dispose();
            }
        }
    }

    private static async Task PlaceOrdersAsync(EventIngestService ingest, DeliveryLog log, Workload workload, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(log.Orders.ReadAllAsync(cancellationToken), new ParallelOptions { MaxDegreeOfParallelism = workload.Concurrency, CancellationToken = cancellationToken }, async (contact, ct) =>
            await ingest.IngestAsync([Order(contact)], idempotencyKey: null, isBatch: false, ct));
    }

    private static EventSubmission Cart(int index)
    {
        var contact = Workload.ContactId("c", index);
        return new EventSubmission
        {
            Id = "cart-" + contact,
            ContactId = contact,
            Name = Workload.CartEvent,
            Data = CartData(contact),
            Contact = new ContactPatch { Email = contact + "@example.com", TimeZone = "UTC", MarketingConsent = true, ConsentSource = "bench" },
        };
    }

    private static EventSubmission Order(string contact) => new()
    {
        Id = "order-" + contact,
        ContactId = contact,
        Name = Workload.OrderEvent,
        Data = JsonSerializer.SerializeToElement(new { cartId = "cart-" + contact, orderId = "order-" + contact, total = 84.5, currency = "EUR" }),
    };

    /// <summary>What cart-reminder-1 and -2 render: the cart's items, total and link.</summary>
    public static JsonElement CartData(string contact) => JsonSerializer.SerializeToElement(new
    {
        cartId = "cart-" + contact,
        currency = "EUR",
        total = 84.5,
        cartUrl = "https://northwind.example/cart/" + contact,
        items = new[] { new { name = "Merino beanie", quantity = 1, price = 60.0 }, new { name = "Trail socks", quantity = 2, price = 12.25 } },
    });

    /// <summary>Counts the carts routed that started a run, so completion is not read before every run exists.</summary>
    private sealed class StartObserver : IRunnerObserver
    {
        private int _started;

        public int Started => Volatile.Read(ref _started);

        public void EventRouted(QueuedEvent message, RouteResult result)
        {
            if (message.Event?.Name == Workload.CartEvent && result.Started.Count > 0)
            {
                Interlocked.Add(ref _started, result.Started.Count);
            }
        }
    }
}
