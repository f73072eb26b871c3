using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Net.Client;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.FunctionApp;
using JourneyFunctions.FunctionApp.Tests.Support;
using JourneyFunctions.Infrastructure.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.SideBySide;

/// <summary>
/// Engine C, the Functions path: the app's own composition (<see cref="FunctionAppServiceCollectionExtensions.AddJourneyFunctionApp"/>)
/// with its <see cref="JourneyOrchestrator"/> and <see cref="JourneyActivities"/> registered with a Durable Task
/// worker, on InProcessTestHost's gRPC sidecar (<see cref="DurableSidecar"/>) over DTFx's Azure Storage backend, as
/// in FunctionApp.Tests. Carts and orders reach the app through its queue trigger, <see cref="QueueFunctions.RouteEvent"/>,
/// called with the message body (the Functions host's own polling of that queue is not part of the count). The
/// count is the app's Table requests plus DTFx's Blob, Queue and Table requests.
/// </summary>
public static class FunctionsPath
{
    public const string Name = "functions";

    public static async Task<EngineResult> RunAsync(Workload workload, int round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var counting = new CountingPolicy(new Cli.Load.StorageRequestCounter());
        var log = new DeliveryLog();
        var suffix = round.ToString(CultureInfo.InvariantCulture) + (Environment.ProcessId % 10000).ToString(CultureInfo.InvariantCulture);
        var work = Directory.CreateTempSubdirectory("jf-sbs-").FullName;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Templates:Directory"] = workload.TemplatesDirectory,
            ["Unsubscribe:Keys:0:Id"] = "bench",
            ["Unsubscribe:Keys:0:Secret"] = "side-by-side-benchmark-unsubscribe-links-are-not-live",
            ["Sending:PublicBaseUrl"] = "https://journeys.bench.invalid",
            ["Email:Outbox:Directory"] = Path.Combine(work, "outbox"),
            ["Storage:Provider"] = "AzureStorage",
            ["Storage:ConnectionString"] = workload.ConnectionString,
            ["Storage:TablePrefix"] = "sbsfa" + suffix,
            ["Storage:QueueName"] = "sbsfa-" + suffix,
        }).Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<ILoggerFactory>(Logs.Factory);
        services.AddLogging();
        services.AddSingleton<IEmailSender>(new LoggingEmailSender(log));
        services.AddJourneyFunctionApp(configuration);
        counting.Register(services);
        services.AddSingleton<JourneyOrchestrator>();
        services.AddSingleton<JourneyActivities>();
        services.AddSingleton<QueueFunctions>();
        await using var app = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });

        var published = await CountingPolicy.UncountedAsync(() => app.GetRequiredService<JourneyPublisher>().PublishAsync(workload.AbandonedCartJson(), cancellationToken: cancellationToken));
        if (!published.Succeeded)
        {
            throw new InvalidOperationException("abandoned-cart did not publish: " + string.Join("; ", published.Errors.Select(e => $"{e.Path}: {e.Message}")));
        }

        var service = await DtfxStorage.CreateAsync(workload, "sbsfahub" + suffix, counting, Logs.Factory);
        var sidecar = await DurableSidecar.StartAsync(service, Logs.Factory);
        var channel = GrpcChannel.ForAddress(sidecar.Address);
        using var worker = AppDurableWorker.Build(app, channel, Logs.Factory);
        await worker.StartAsync(cancellationToken);
        var client = worker.Services.GetRequiredService<DurableTaskClient>();
        var queue = app.GetRequiredService<QueueFunctions>();
        try
        {
            var loadBefore = LoadAverage.Now();
            counting.Counter.Reset();
            var watch = Stopwatch.StartNew();
            var orders = Task.Run(() => PlaceOrdersAsync(queue, client, app, log, workload, cancellationToken), cancellationToken);
            await Parallel.ForEachAsync(Enumerable.Range(0, workload.Contacts), new ParallelOptions { MaxDegreeOfParallelism = workload.Concurrency, CancellationToken = cancellationToken }, async (i, _) =>
            {
                var contact = Workload.ContactId("c", i);
                await RouteAsync(queue, client, app, new ContactEvent
                {
                    Id = "cart-" + contact,
                    ContactId = contact,
                    Name = Workload.CartEvent,
                    Data = BuiltInHost.CartData(contact),
                    OccurredAt = DateTimeOffset.UtcNow,
                    Contact = new ContactPatch { Email = contact + "@example.com", TimeZone = "UTC", MarketingConsent = true, ConsentSource = "bench" },
                });
            });

            var completed = await Completion.WaitAsync(workload, async ct =>
            {
                var (done, failed) = await DtfxStorage.EndedAsync(service, ct);
                return failed > 0 ? throw new InvalidOperationException($"{failed} journey orchestrations failed.") : done;
            }, cancellationToken);
            var seconds = watch.Elapsed.TotalSeconds;
            var requests = counting.Counter.Snapshot();
            log.Complete();
            await orders;
            return new EngineResult(Name, round, completed, seconds, requests, log.Emails, workload.Steps, loadBefore, LoadAverage.Now());
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
            await channel.ShutdownAsync();
            channel.Dispose();
            await sidecar.DisposeAsync();
            await DtfxStorage.DeleteAsync(service);
            Directory.Delete(work, recursive: true);
        }
    }

    private static Task RouteAsync(QueueFunctions queue, DurableTaskClient client, IServiceProvider app, ContactEvent contactEvent) =>
        queue.RouteEvent(
            QueueMessages.Serialize(contactEvent),
            client,
            new TestFunctionContext(app, nameof(QueueFunctions.RouteEvent), new Dictionary<string, object?> { ["Id"] = contactEvent.Id, ["DequeueCount"] = "1" }));

    private static async Task PlaceOrdersAsync(QueueFunctions queue, DurableTaskClient client, IServiceProvider app, DeliveryLog log, Workload workload, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(log.Orders.ReadAllAsync(cancellationToken), new ParallelOptions { MaxDegreeOfParallelism = workload.Concurrency, CancellationToken = cancellationToken }, async (contact, _) =>
            await RouteAsync(queue, client, app, new ContactEvent
            {
                Id = "order-" + contact,
                ContactId = contact,
                Name = Workload.OrderEvent,
                Data = JsonSerializer.SerializeToElement(new { cartId = "cart-" + contact, orderId = "order-" + contact, total = 84.5, currency = "EUR" }),
                OccurredAt = DateTimeOffset.UtcNow,
            }));
    }

}
