using System.Diagnostics;
using DurableTask.Core;

namespace JourneyFunctions.SideBySide;

/// <summary>
/// Engine A, the baseline: DTFx itself (DurableTask.Core's <see cref="TaskHubWorker"/> and <see cref="TaskHubClient"/>
/// over its Azure Storage backend) running a hand-written orchestration of the journey's shape. Its activity only
/// notes the send, so every storage request counted is DTFx's own.
/// </summary>
public static class DtfxBaseline
{
    public const string Name = "dtfx";

    public static async Task<EngineResult> RunAsync(Workload workload, int round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var counting = new CountingPolicy(new Cli.Load.StorageRequestCounter());
        var log = new DeliveryLog();
        var service = await DtfxStorage.CreateAsync(workload, $"sbsdtfx{round}{Environment.ProcessId % 10000}", counting, Logs.Factory);
        var worker = new TaskHubWorker(service, Logs.Factory);
        worker.AddTaskOrchestrations(typeof(CartOrchestration));
        worker.AddTaskActivities(new NameValueObjectCreator<TaskActivity>(SendActivity.Name, string.Empty, new SendActivity(log)));
        await worker.StartAsync();
        var client = new TaskHubClient(service, loggerFactory: Logs.Factory);
        try
        {
            var loadBefore = LoadAverage.Now();
            counting.Counter.Reset();
            var watch = Stopwatch.StartNew();
            var orders = Task.Run(() => PlaceOrdersAsync(client, log, workload, cancellationToken), cancellationToken);
            await Parallel.ForEachAsync(Enumerable.Range(0, workload.Contacts), new ParallelOptions { MaxDegreeOfParallelism = workload.Concurrency, CancellationToken = cancellationToken }, async (i, _) =>
            {
                var contact = Workload.ContactId("c", i);
                var input = new CartInput { ContactId = contact, GraceSeconds = workload.Grace.TotalSeconds, TimeoutSeconds = workload.OrderTimeout.TotalSeconds };
                await client.CreateOrchestrationInstanceAsync(typeof(CartOrchestration), contact, input);
            });

            var completed = await Completion.WaitAsync(workload, async ct =>
            {
                var (done, failed) = await DtfxStorage.EndedAsync(service, ct);
                return failed > 0 ? throw new InvalidOperationException($"{failed} DTFx orchestrations failed.") : done;
            }, cancellationToken);
            var seconds = watch.Elapsed.TotalSeconds;
            var requests = counting.Counter.Snapshot();
            log.Complete();
            await orders;
            return new EngineResult(Name, round, completed, seconds, requests, log.Emails, workload.Steps, loadBefore, LoadAverage.Now());
        }
        finally
        {
            await worker.StopAsync(isForced: true);
            await DtfxStorage.DeleteAsync(service);
        }
    }

    private static async Task PlaceOrdersAsync(TaskHubClient client, DeliveryLog log, Workload workload, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(log.Orders.ReadAllAsync(cancellationToken), new ParallelOptions { MaxDegreeOfParallelism = workload.Concurrency, CancellationToken = cancellationToken }, async (contact, _) =>
            await client.RaiseEventAsync(new OrchestrationInstance { InstanceId = contact }, Workload.OrderEvent, "order-" + contact));
    }

    /// <summary>The orchestration's input (DTFx serialises it with Json.NET).</summary>
    public sealed class CartInput
    {
        public string ContactId { get; set; } = string.Empty;

        public double GraceSeconds { get; set; }

        public double TimeoutSeconds { get; set; }
    }

    public sealed class SendInput
    {
        public string ContactId { get; set; } = string.Empty;

        public string Step { get; set; } = string.Empty;
    }

    /// <summary>
    /// The journey's shape in DTFx: grace timer, reminder, then the order event raced with a timer (the timer is
    /// cancelled when the order wins), and on timeout the second reminder. The event is kept from <see cref="OnEvent"/>
    /// on, so an order that arrives before the race is awaited still wins it, as in the journey.
    /// </summary>
    public sealed class CartOrchestration : TaskOrchestration<string, CartInput, string, string>
    {
        private readonly TaskCompletionSource<string> _order = new();

        public override async Task<string> RunTask(OrchestrationContext context, CartInput input)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(input);
            await context.CreateTimer(context.CurrentUtcDateTime.AddSeconds(input.GraceSeconds), "grace");
            await context.ScheduleTask<bool>(SendActivity.Name, string.Empty, new SendInput { ContactId = input.ContactId, Step = "reminder-1" });
            using var cancel = new CancellationTokenSource();
            var timeout = context.CreateTimer(context.CurrentUtcDateTime.AddSeconds(input.TimeoutSeconds), "wait-order", cancel.Token);
            if (await Task.WhenAny(_order.Task, timeout) == _order.Task)
            {
                // Synchronous on purpose: CancelAsync completes on the thread pool, outside the orchestration's
                // scheduler, and the episode then never resumes (the orchestration hangs at its last await).
#pragma warning disable CA1849 // Call async methods when in an async method: see above.
                cancel.Cancel();
#pragma warning restore CA1849
                return "ordered";
            }

            await context.ScheduleTask<bool>(SendActivity.Name, string.Empty, new SendInput { ContactId = input.ContactId, Step = "reminder-2" });
            return "timed out";
        }

        public override void OnEvent(OrchestrationContext context, string name, string input)
        {
            if (name == Workload.OrderEvent)
            {
                _order.TrySetResult(input);
            }
        }
    }

    /// <summary>The reminder: noted in the delivery log, no I/O.</summary>
    public sealed class SendActivity(DeliveryLog log) : TaskActivity<SendInput, bool>
    {
        public const string Name = "send";

        protected override bool Execute(TaskContext context, SendInput input)
        {
            ArgumentNullException.ThrowIfNull(input);
            log.Sent(input.ContactId, input.Step);
            return true;
        }
    }
}
