using System.Globalization;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Benchmarks;

/// <summary>
/// What ingest does per batch before the queue: validates 100 events as <c>journeys load</c> sends them (ids, name,
/// data numbers, contact fields, time zone, address) and builds the queued events. The queue is a proxy that takes
/// each event and does nothing, so the figure is ingest's own work, comparable between commits whose queues differ.
/// Run: <c>dotnet run -c Release --project bench/JourneyFunctions.Benchmarks -- --filter '*Ingest*' --job short</c>.
/// The event is written out here rather than taken from the load command's <c>LoadDriver</c>: this file depends on
/// Core alone, so it can be copied into an older commit's tree to compare the two on the same input.
/// </summary>
[MemoryDiagnoser]
public class IngestBenchmarks
{
    private EventIngestService _ingest = null!;

    private List<EventSubmission> _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ingest = new EventIngestService(DispatchProxy.Create<IEventQueue, DiscardingQueue>(), TimeProvider.System);
        _batch = [.. Enumerable.Range(0, EventIngestService.MaxBatchSize).Select(i => Submission("c-" + i.ToString(CultureInfo.InvariantCulture)))];
    }

    [Benchmark(OperationsPerInvoke = EventIngestService.MaxBatchSize)]
    public Task<IngestResult> IngestValidBatch() => _ingest.IngestAsync(_batch, idempotencyKey: null, isBatch: true);

    private static EventSubmission Submission(string contactId) => new()
    {
        Id = "load-" + contactId,
        ContactId = contactId,
        Name = "cart.updated",
        Data = JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["cartId"] = "cart-" + contactId,
            ["orderId"] = "order-" + contactId,
            ["currency"] = "EUR",
            ["total"] = 84.5,
            ["cartUrl"] = "https://northwind.example/cart/" + contactId,
            ["reviewUrl"] = "https://northwind.example/review/" + contactId,
            ["items"] = new[] { new { name = "Merino beanie", quantity = 1, price = 60.0 }, new { name = "Trail socks", quantity = 2, price = 12.25 } },
        }),
        Contact = new ContactPatch
        {
            Email = contactId + "@example.com",
            TimeZone = "UTC",
            MarketingConsent = true,
            ConsentSource = "load",
            Fields = new Dictionary<string, JsonElement> { ["firstName"] = JsonSerializer.SerializeToElement("Load " + contactId) },
        },
    };

    /// <summary>An <see cref="IEventQueue"/> whose every call completes at once and keeps nothing.</summary>
    public class DiscardingQueue : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.ReturnType == typeof(Task) ? Task.CompletedTask : throw new NotSupportedException(targetMethod?.Name);
    }
}
