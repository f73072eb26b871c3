using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Runner;
using JourneyFunctions.Core.Services;
using Microsoft.Extensions.DependencyInjection;

using JourneyFunctions.Simulation;

namespace JourneyFunctions.Cli.Load;

/// <summary>Where a load run keeps its state.</summary>
public enum LoadStorage
{
    /// <summary>The in-memory stores and queue.</summary>
    Memory,

    /// <summary>Azure Table and Queue Storage through a connection string (Azurite locally).</summary>
    Azurite,
}

/// <summary>What to push through which journey, on what storage.</summary>
public sealed class LoadOptions
{
    public required JourneyDefinition Journey { get; init; }

    public required string TemplatesDirectory { get; init; }

    public int Contacts { get; init; } = 10_000;

    public LoadStorage Storage { get; init; } = LoadStorage.Memory;

    /// <summary>For <see cref="LoadStorage.Azurite"/>; default the Azurite development account.</summary>
    public string ConnectionString { get; init; } = "UseDevelopmentStorage=true";

    /// <summary>
    /// Contacts routed, and timers fired, at once: the runner's <c>Runner:MaxConcurrency</c> (the host's default is 8);
    /// default here: the processor count.
    /// </summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Contacts pushed first and not measured, so the JIT has compiled the hot paths at full optimisation (tiered
    /// compilation promotes a method after 30 calls, in background batches) and caches are warm; default 10%, at
    /// least 500.
    /// </summary>
    public int? Warmup { get; init; }

    /// <summary>Also fire the runs' first timers (the clock jumps past them) and measure that phase.</summary>
    public bool FireTimers { get; init; } = true;

    /// <summary>Time every port method (see <see cref="PortTimings"/>) and report where each phase spends its time.</summary>
    public bool Profile { get; init; }

    /// <summary>
    /// After the timers phase, this event (with the trigger's data, so a keyed run hears it) for the first
    /// <see cref="EventShare"/> of the contacts: the "events" phase (e.g. <c>order.placed</c> for half the carts).
    /// </summary>
    public string? EventName { get; init; }

    /// <summary>The share of contacts that send <see cref="EventName"/>, 0 to 1.</summary>
    public double EventShare { get; init; } = 0.5;

    /// <summary>
    /// Then fire every later timer, clock jump after clock jump, until no run of the measured contacts waits (the
    /// "rest" phase), and report the storage requests per completed run over the whole life.
    /// </summary>
    public bool Complete { get; init; }
}

/// <summary>Figures of one phase: how many inputs, how long, and what they cost.</summary>
public sealed record LoadPhase(
    string Name,
    int Inputs,
    double Seconds,
    double PerSecond,
    double CpuSeconds,
    int EmailsSent,
    double? LatencyP50Ms,
    double? LatencyP99Ms,
    long StepsVisited,
    long? StorageOperations,
    IReadOnlyDictionary<string, long>? OperationsByKind,
    IReadOnlyList<PortTiming>? Profile = null,
    long AllocatedBytes = 0,
    int GarbageCollections = 0,
    double GcPauseSeconds = 0,
    IReadOnlyList<AllocationSample>? Allocations = null)
{
    /// <summary>Managed bytes the whole process allocated per input in this phase: what drives the garbage collector.</summary>
    public long AllocatedBytesPerInput => Inputs > 0 ? AllocatedBytes / Inputs : 0;

    /// <summary>
    /// Inputs per second of processor time used by the whole process in this phase: the rate this work would reach on
    /// one dedicated core, whatever else the machine was running at the time.
    /// </summary>
    public double PerCpuSecond => CpuSeconds > 0 ? Math.Round(Inputs / CpuSeconds, 0) : 0;

    /// <summary>Storage requests per journey step visited in this phase (Azurite only).</summary>
    public double? OperationsPerStep => StorageOperations is { } ops && StepsVisited > 0 ? Math.Round((double)ops / StepsVisited, 2) : null;

    /// <summary>Storage requests per input (event or timer) in this phase (Azurite only).</summary>
    public double? OperationsPerInput => StorageOperations is { } ops && Inputs > 0 ? Math.Round((double)ops / Inputs, 2) : null;
}

/// <summary>The result of a load run.</summary>
public sealed record LoadReport(
    string JourneyId,
    string Storage,
    int Contacts,
    int Workers,
    int ProcessorCount,
    string Runtime,
    double EventsPerSecond,
    double EventsPerCpuSecond,
    LoadPhase Ingest,
    LoadPhase Route,
    LoadPhase? Timers,
    int WaitingRuns,
    long? BytesPerWaitingRun,
    long? RssBytesPerWaitingRun = null,
    LoadPhase? Events = null,
    LoadPhase? Rest = null,
    int? CompletedRuns = null,
    double? RequestsPerCompletedRun = null);

/// <summary>
/// Pushes N contacts through a journey in-process over the real services (ingest, queue, router, run engine,
/// activity executor, Liquid templates), routed and fired by the built-in host's <see cref="JourneyRunner"/> (the code
/// its queue and timer loops call), and measures: ingest+route throughput (events/s), event-to-email or
/// timer-to-email latency (wall time from the start of handling the input to the email reaching the sender), memory
/// per waiting run, and on Azurite the storage requests per journey step (a pipeline policy counts every HTTP request
/// the Table and Queue clients make). The clock is a <see cref="SimulationClock"/> frozen on a Tuesday 10:00 UTC, so
/// send windows are open and timers fire only when the driver moves it; all durations are wall time.
/// </summary>
public static class LoadDriver
{
    /// <summary>A Tuesday, 10:00 UTC: inside every sample journey's send window.</summary>
    public static readonly DateTimeOffset ClockStart = new(2026, 3, 3, 10, 0, 0, TimeSpan.Zero);

    public static async Task<LoadReport> RunAsync(LoadOptions options, TextWriter? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var journey = options.Journey;
        if (journey.Trigger.Event is not { } triggerEvent)
        {
            throw new ArgumentException($"Journey {journey.Id} starts on {(journey.Trigger.TagAdded is not null ? "a tag" : "inactivity")}; the load driver needs an event trigger.", nameof(options));
        }

        var clock = new SimulationClock(ClockStart);
        var emails = new TimingEmailSender();
        var webhooks = new RecordingWebhookClient(clock, null);
        var counter = new StorageRequestCounter();
        var timings = new PortTimings();
        var starts = new StartTimes();
        var runId = ClockStart.UtcTicks.ToString("x", CultureInfo.InvariantCulture) + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Stopwatch.GetTimestamp().ToString("x", CultureInfo.InvariantCulture);
        var storage = options.Storage == LoadStorage.Memory
            ? null
            : new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "AzureStorage",
                ["Storage:ConnectionString"] = options.ConnectionString,
                // Fresh tables and queue per load run, so runs never see each other's rows.
                ["Storage:TablePrefix"] = "load" + Math.Abs(runId.GetHashCode(StringComparison.Ordinal)).ToString("x", CultureInfo.InvariantCulture),
                ["Storage:QueueName"] = "load-" + Math.Abs(runId.GetHashCode(StringComparison.Ordinal)).ToString("x", CultureInfo.InvariantCulture),
            };
        await using var services = SimulationServices.Build(
            clock,
            emails,
            webhooks,
            options.TemplatesDirectory,
            sending: o => o.FrequencyCapMaxEmails = 0,
            storage: storage,
            runner: o => o.MaxConcurrency = Math.Max(1, options.Workers),
            configure: s =>
            {
                s.AddSingleton<IRunnerObserver>(starts);
                if (options.Storage != LoadStorage.Memory)
                {
                    StorageRequestCounter.Register(s, counter);
                }

                if (options.Profile)
                {
                    PortTimings.Register(s, timings);
                }
            });

        var journeys = services.GetRequiredService<IJourneyStore>();
        var published = await journeys.PublishAsync(journey with { Version = null }, cancellationToken);
        services.GetRequiredService<IJourneyCatalog>().Invalidate();

        var ingest = services.GetRequiredService<EventIngestService>();
        var runner = services.GetRequiredService<JourneyRunner>();
        var runs = services.GetRequiredService<IRunStore>();
        var stats = services.GetRequiredService<IStatsStore>();
        var workers = runner.Options.MaxConcurrency;

        var warmup = Math.Max(0, options.Warmup ?? Math.Max(500, options.Contacts / 10));
        progress?.WriteLine($"Warm-up: {warmup} contacts ...");
        await IngestAsync(ingest, Submissions(published, triggerEvent, "warm", warmup), cancellationToken);
        await RouteAsync(runner, starts, new ConcurrentDictionary<string, long>(), cancellationToken);
        if (options.FireTimers && await LastTimerAsync(runs, published.Id, "warm-", cancellationToken) is { } warmTimer)
        {
            // The timer path is warmed up too; the warm-up runs then wait past anything the measured runs wait for.
            clock.MoveTo(warmTimer.AddSeconds(1));
            await FireAsync(runner, starts, new ConcurrentDictionary<string, long>(), cancellationToken);

            // Steps of the warm-up runs may have queued events of their own (tags added): route them now, unmeasured.
            await RouteAsync(runner, starts, new ConcurrentDictionary<string, long>(), cancellationToken);
        }

        using var sampler = options.Profile ? new AllocationSampler() : null;
        if (options.Storage == LoadStorage.Memory)
        {
            // The baselines start from a compacted heap, so the difference is what the measured runs keep, not what the
            // warm-up's garbage left in reserve (without it a small run's RSS difference can come out negative).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        var baseline = options.Storage == LoadStorage.Memory ? GC.GetTotalMemory(forceFullCollection: true) : 0;
        var rssBaseline = Environment.WorkingSet;
        emails.Reset();
        counter.Reset();
        timings.TakeSnapshot();
        var visitedBefore = await VisitedAsync(stats, published.Id, cancellationToken);

        // The test data is built before the clock starts: building it is the driver's work, not the ingest's.
        var submissions = Submissions(published, triggerEvent, "c", options.Contacts);
        progress?.WriteLine($"Ingest: {options.Contacts} events ...");
        var cpu = new CpuClock();
        var watch = Stopwatch.StartNew();
        await IngestAsync(ingest, submissions, cancellationToken);
        var ingestSeconds = watch.Elapsed.TotalSeconds;
        var ingestCpu = cpu.Lap();
        var ingestMemory = (cpu.Allocated, cpu.Collections, cpu.Paused);
        submissions.Clear(); // not counted in the memory per waiting run below
        var ingestOps = counter.Snapshot();
        counter.Reset();
        var ingestProfile = timings.TakeSnapshot();
        sampler?.TakeSnapshot();

        progress?.WriteLine($"Route: {options.Contacts} events with {workers} workers ...");
        var started = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        watch.Restart();
        var routed = await RouteAsync(runner, starts, started, cancellationToken);
        var routeSeconds = watch.Elapsed.TotalSeconds;
        var routeCpu = cpu.Lap();
        var routeMemory = (cpu.Allocated, cpu.Collections, cpu.Paused);
        var routeOps = counter.Snapshot();
        var routeProfile = timings.TakeSnapshot();
        var routeAllocations = sampler?.TakeSnapshot();
        var visitedAfterRoute = await VisitedAsync(stats, published.Id, cancellationToken);
        var (routeEmails, routeP50, routeP99) = Latency(emails.Drain(), started);

        started.Clear();
        var waiting = await CountWaitingAsync(runs, published.Id, "c-", cancellationToken);
        var lastTimer = await LastTimerAsync(runs, published.Id, "c-", cancellationToken);

        long? bytesPerRun = null;
        long? rssPerRun = null;
        if (options.Storage == LoadStorage.Memory && waiting > 0)
        {
            bytesPerRun = (GC.GetTotalMemory(forceFullCollection: true) - baseline) / waiting;
            rssPerRun = (Environment.WorkingSet - rssBaseline) / waiting;
        }

        LoadPhase? timerPhase = null;
        if (options.FireTimers && lastTimer is { } last)
        {
            progress?.WriteLine($"Timers: firing the due timers with {workers} workers ...");
            clock.MoveTo(last.AddSeconds(1));
            counter.Reset();
            timings.TakeSnapshot();
            var fired = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            sampler?.TakeSnapshot();
            cpu.Lap();
            watch.Restart();
            var count = await FireAsync(runner, starts, fired, cancellationToken);
            var seconds = watch.Elapsed.TotalSeconds;
            var timerCpu = cpu.Lap();
            var ops = counter.Snapshot();
            var timerProfile = timings.TakeSnapshot();
            var visitedAfterTimers = await VisitedAsync(stats, published.Id, cancellationToken);
            var (timerEmails, p50, p99) = Latency(emails.Drain(), fired);
            timerPhase = Phase("timers", count, seconds, timerCpu, timerEmails, p50, p99, visitedAfterTimers - visitedAfterRoute, options, ops, timerProfile, cpu) with { Allocations = sampler?.TakeSnapshot() };
        }

        LoadPhase? eventsPhase = null;
        if (options.EventName is { } eventName)
        {
            var share = (int)Math.Round(Math.Clamp(options.EventShare, 0, 1) * options.Contacts);
            progress?.WriteLine($"Events: {eventName} for {share} contacts ...");
            var eventSubmissions = Submissions(published, eventName, "c", share, "load-" + eventName + "-");

            counter.Reset();
            timings.TakeSnapshot();
            var visitedBefore2 = await VisitedAsync(stats, published.Id, cancellationToken);
            cpu.Lap();
            watch.Restart();
            await IngestAsync(ingest, eventSubmissions, cancellationToken);
            var handled = await RouteAsync(runner, starts, new ConcurrentDictionary<string, long>(StringComparer.Ordinal), cancellationToken);
            var seconds = watch.Elapsed.TotalSeconds;
            var eventCpu = cpu.Lap();
            var visitedAfter = await VisitedAsync(stats, published.Id, cancellationToken);
            eventsPhase = Phase("events", handled, seconds, eventCpu, emails.Drain().Count, null, null, visitedAfter - visitedBefore2, options, counter.Snapshot(), timings.TakeSnapshot(), cpu);
        }

        LoadPhase? restPhase = null;
        int? completed = null;
        double? perCompleted = null;
        if (options.Complete && options.FireTimers)
        {
            progress?.WriteLine("Rest: firing every later timer until no run waits ...");
            counter.Reset();
            timings.TakeSnapshot();
            var visitedBefore3 = await VisitedAsync(stats, published.Id, cancellationToken);
            cpu.Lap();
            watch.Restart();
            var handled = 0;
            for (var round = 0; round < 50 && await LastTimerAsync(runs, published.Id, "c-", cancellationToken) is { } next; round++)
            {
                clock.MoveTo(next.AddSeconds(1));
                handled += await FireAsync(runner, starts, new ConcurrentDictionary<string, long>(StringComparer.Ordinal), cancellationToken);
                handled += await RouteAsync(runner, starts, new ConcurrentDictionary<string, long>(StringComparer.Ordinal), cancellationToken);
            }

            var seconds = watch.Elapsed.TotalSeconds;
            var restCpu = cpu.Lap();
            var visitedAfter = await VisitedAsync(stats, published.Id, cancellationToken);
            restPhase = Phase("rest", handled, seconds, restCpu, emails.Drain().Count, null, null, visitedAfter - visitedBefore3, options, counter.Snapshot(), timings.TakeSnapshot(), cpu);
            completed = options.Contacts - await CountActiveAsync(runs, published.Id, "c-", cancellationToken);
            var requests = new[] { routeOps.Values.Sum(), timerPhase?.StorageOperations ?? 0, eventsPhase?.StorageOperations ?? 0, restPhase.StorageOperations ?? 0 }.Sum();
            if (options.Storage != LoadStorage.Memory && completed > 0)
            {
                // Every request of the measured contacts' lives but the API's enqueue of their trigger events.
                perCompleted = Math.Round((double)requests / completed.Value, 2);
            }
        }

        var totalSeconds = ingestSeconds + routeSeconds;
        return new LoadReport(
            published.Id,
            options.Storage.ToString().ToLowerInvariant(),
            options.Contacts,
            workers,
            Environment.ProcessorCount,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            Math.Round(options.Contacts / totalSeconds, 0),
            ingestCpu + routeCpu > 0 ? Math.Round(options.Contacts / (ingestCpu + routeCpu), 0) : 0,
            Phase("ingest", options.Contacts, ingestSeconds, ingestCpu, 0, null, null, 0, options, ingestOps, ingestProfile) with { AllocatedBytes = ingestMemory.Allocated, GarbageCollections = ingestMemory.Collections, GcPauseSeconds = ingestMemory.Paused },
            Phase("route", routed, routeSeconds, routeCpu, routeEmails, routeP50, routeP99, visitedAfterRoute - visitedBefore, options, routeOps, routeProfile) with { AllocatedBytes = routeMemory.Allocated, GarbageCollections = routeMemory.Collections, GcPauseSeconds = routeMemory.Paused, Allocations = routeAllocations },
            timerPhase,
            waiting,
            bytesPerRun,
            rssPerRun,
            eventsPhase,
            restPhase,
            completed,
            perCompleted);
    }

    /// <summary>The report as the text <c>journeys load</c> prints.</summary>
    public static string Format(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new System.Text.StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"Journey {report.JourneyId}, {report.Contacts} contacts, storage {report.Storage}, {report.Workers} workers, {report.ProcessorCount} processors, {report.Runtime}\n");
        sb.Append(inv, $"Events/s (ingest + route): {report.EventsPerSecond:0} wall clock; {report.EventsPerCpuSecond:0} per CPU second\n");
        foreach (var phase in new[] { report.Ingest, report.Route, report.Timers, report.Events, report.Rest }.OfType<LoadPhase>())
        {
            sb.Append(inv, $"  {phase.Name,-7} {phase.Inputs,8} in {phase.Seconds,8:0.000} s = {phase.PerSecond,9:0}/s ({phase.CpuSeconds:0.000} CPU s = {phase.PerCpuSecond:0}/CPU s)");
            if (phase.AllocatedBytes > 0)
            {
                sb.Append(inv, $"; {phase.AllocatedBytesPerInput / 1024.0:0.0} KB allocated/input, {phase.GarbageCollections} GCs pausing {phase.GcPauseSeconds:0.000} s");
            }

            if (phase.EmailsSent > 0)
            {
                sb.Append(inv, $"; {phase.EmailsSent} emails");
                if (phase.LatencyP50Ms is not null)
                {
                    sb.Append(inv, $", latency to email p50 {phase.LatencyP50Ms:0.00} ms, p99 {phase.LatencyP99Ms:0.00} ms");
                }
            }

            if (phase.StorageOperations is { } ops)
            {
                sb.Append(inv, $"; {ops} storage requests = {phase.OperationsPerInput:0.00}/input");
                if (phase.StepsVisited > 0)
                {
                    sb.Append(inv, $", {phase.OperationsPerStep:0.00}/step ({phase.StepsVisited} steps)");
                }
            }

            sb.Append('\n');
            if (phase.Profile is { Count: > 0 } profile)
            {
                foreach (var timing in profile.Take(12))
                {
                    sb.Append(inv, $"            {timing.TotalMilliseconds,10:0.0} ms {timing.Calls,8} calls {timing.MicrosecondsPerCall,9:0.0} us/call  {timing.Method}\n");
                }
            }

            if (phase.Allocations is { Count: > 0 } allocations && phase.Inputs > 0)
            {
                foreach (var sample in allocations.Take(10))
                {
                    sb.Append(inv, $"            {sample.Bytes / 1024.0 / phase.Inputs,8:0.0} KB/input sampled  {sample.Type}\n");
                }
            }

            if (phase.OperationsByKind is { Count: > 0 } kinds)
            {
                foreach (var (kind, n) in kinds.OrderByDescending(k => k.Value))
                {
                    sb.Append(inv, $"            {n,8}  {kind}\n");
                }
            }
        }

        sb.Append(inv, $"Waiting runs: {report.WaitingRuns}");
        if (report.BytesPerWaitingRun is { } bytes)
        {
            sb.Append(inv, $"; memory per waiting run (run, contact, timeline, stats, processed marks): {bytes} bytes");
        }

        if (report.RssBytesPerWaitingRun is { } rss)
        {
            sb.Append(inv, $"; RSS per waiting run: {rss} bytes");
        }

        if (report.CompletedRuns is { } done)
        {
            sb.Append(inv, $"\nCompleted runs: {done} of {report.Contacts}");
            if (report.RequestsPerCompletedRun is { } perRun)
            {
                sb.Append(inv, $"; storage requests per completed run (route, events, timers, rest): {perRun:0.00}");
            }
        }

        sb.Append('\n');
        return sb.ToString();
    }

    private static LoadPhase Phase(string name, int inputs, double seconds, double cpuSeconds, int emailsSent, double? p50, double? p99, long steps, LoadOptions options, IReadOnlyDictionary<string, long> ops, IReadOnlyList<PortTiming> profile, CpuClock clock) =>
        Phase(name, inputs, seconds, cpuSeconds, emailsSent, p50, p99, steps, options, ops, profile) with { AllocatedBytes = clock.Allocated, GarbageCollections = clock.Collections, GcPauseSeconds = clock.Paused };

    private static LoadPhase Phase(string name, int inputs, double seconds, double cpuSeconds, int emailsSent, double? p50, double? p99, long steps, LoadOptions options, IReadOnlyDictionary<string, long> ops, IReadOnlyList<PortTiming> profile) =>
        new(
            name,
            inputs,
            Math.Round(seconds, 3),
            seconds > 0 ? Math.Round(inputs / seconds, 0) : 0,
            Math.Round(cpuSeconds, 3),
            emailsSent,
            p50,
            p99,
            steps,
            options.Storage == LoadStorage.Memory ? null : ops.Values.Sum(),
            options.Storage == LoadStorage.Memory ? null : ops,
            options.Profile ? profile : null);

    private static async Task IngestAsync(EventIngestService ingest, IReadOnlyList<List<EventSubmission>> batches, CancellationToken cancellationToken)
    {
        foreach (var batch in batches)
        {
            await ingest.IngestAsync(batch, idempotencyKey: null, isBatch: true, cancellationToken);
        }
    }

    /// <summary>One trigger event per contact <c>{prefix}-{i}</c>, in batches of the ingest API's maximum size.</summary>
    private static List<List<EventSubmission>> Submissions(JourneyDefinition journey, string eventName, string prefix, int count, string idPrefix = "load-")
    {
        const int batch = EventIngestService.MaxBatchSize;
        var batches = new List<List<EventSubmission>>((count / batch) + 1);
        for (var offset = 0; offset < count; offset += batch)
        {
            var submissions = new List<EventSubmission>(batch);
            for (var i = offset; i < Math.Min(count, offset + batch); i++)
            {
                submissions.Add(Submission(journey, eventName, $"{prefix}-{i.ToString(CultureInfo.InvariantCulture)}", idPrefix));
            }

            batches.Add(submissions);
        }

        return batches;
    }

    private static EventSubmission Submission(JourneyDefinition journey, string eventName, string contactId, string idPrefix)
    {
        var data = new Dictionary<string, object?>
        {
            ["cartId"] = "cart-" + contactId,
            ["orderId"] = "order-" + contactId,
            ["currency"] = "EUR",
            ["total"] = 84.5,
            ["cartUrl"] = "https://northwind.example/cart/" + contactId,
            ["reviewUrl"] = "https://northwind.example/review/" + contactId,
            ["items"] = new[] { new { name = "Merino beanie", quantity = 1, price = 60.0 }, new { name = "Trail socks", quantity = 2, price = 12.25 } },
        };
        if (journey.Trigger.Key is { } key && !key.Contains('.', StringComparison.Ordinal))
        {
            data[key] = "key-" + contactId;
        }

        return new EventSubmission
        {
            Id = idPrefix + contactId,
            ContactId = contactId,
            Name = eventName,
            Data = JsonSerializer.SerializeToElement(data),
            Contact = new ContactPatch
            {
                Email = contactId + "@example.com",
                TimeZone = "UTC",
                MarketingConsent = true,
                ConsentSource = "load",
                Fields = new Dictionary<string, JsonElement> { ["firstName"] = JsonSerializer.SerializeToElement("Load " + contactId) },
            },
        };
    }

    /// <summary>Drains the queue as the host's queue loop does; returns the messages routed.</summary>
    private static async Task<int> RouteAsync(JourneyRunner runner, StartTimes starts, ConcurrentDictionary<string, long> started, CancellationToken cancellationToken)
    {
        starts.Events = started;
        var pass = await runner.DrainQueueAsync(cancellationToken);
        starts.Events = null;
        return Handled(pass);
    }

    /// <summary>Fires every due timer as the host's timer loop does, pass after pass; returns the timers fired.</summary>
    private static async Task<int> FireAsync(JourneyRunner runner, StartTimes starts, ConcurrentDictionary<string, long> started, CancellationToken cancellationToken)
    {
        starts.Timers = started;
        var pass = await runner.FireAllDueTimersAsync(cancellationToken);
        starts.Timers = null;
        return Handled(pass);
    }

    /// <summary>A load run measures the healthy path: any failure ends it, with the first failure's cause.</summary>
    private static int Handled(RunnerPass pass) =>
        pass.Failures is [var failure, ..]
            ? throw new InvalidOperationException($"{failure.Input} for contact {failure.ContactId} failed: {failure.Exception.Message}", failure.Exception)
            : pass.Handled;

    private static async Task<int> CountWaitingAsync(IRunStore runs, string journeyId, string contactPrefix, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var run in runs.ListActiveForJourneyAsync(journeyId, cancellationToken))
        {
            if (run.Status == RunStatus.Waiting && run.ContactId.StartsWith(contactPrefix, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    private static async Task<int> CountActiveAsync(IRunStore runs, string journeyId, string contactPrefix, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var run in runs.ListActiveForJourneyAsync(journeyId, cancellationToken))
        {
            if (run.ContactId.StartsWith(contactPrefix, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    private static async Task<DateTimeOffset?> LastTimerAsync(IRunStore runs, string journeyId, string contactPrefix, CancellationToken cancellationToken)
    {
        DateTimeOffset? last = null;
        await foreach (var run in runs.ListActiveForJourneyAsync(journeyId, cancellationToken))
        {
            if (run is { Status: RunStatus.Waiting, Wait.Until: { } until } && run.ContactId.StartsWith(contactPrefix, StringComparison.Ordinal) && (last is null || until > last))
            {
                last = until;
            }
        }

        return last;
    }

    private static async Task<long> VisitedAsync(IStatsStore stats, string journeyId, CancellationToken cancellationToken)
    {
        var counters = await stats.GetAsync(journeyId, cancellationToken);
        return counters.Where(c => c.Key.Length > 0).Sum(c => c.Value.TryGetValue(StatCounters.Visited, out var v) ? v : 0);
    }

    private static (int Count, double? P50, double? P99) Latency(IReadOnlyList<(string To, long At)> sent, ConcurrentDictionary<string, long> started)
    {
        var latencies = new List<double>(sent.Count);
        foreach (var (to, at) in sent)
        {
            var contactId = to[..to.IndexOf('@', StringComparison.Ordinal)];
            if (started.TryGetValue(contactId, out var begin))
            {
                latencies.Add(Stopwatch.GetElapsedTime(begin, at).TotalMilliseconds);
            }
        }

        if (latencies.Count == 0)
        {
            return (sent.Count, null, null);
        }

        latencies.Sort();
        return (sent.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    private static double Percentile(List<double> sorted, double p) =>
        Math.Round(sorted[(int)Math.Ceiling(p * sorted.Count) - 1], 3);

    /// <summary>
    /// Notes, from the runner, when handling each contact's input started: the first event routed per contact, the
    /// last timer fired per contact, into the dictionary of the phase being measured (none between phases).
    /// </summary>
    private sealed class StartTimes : IRunnerObserver
    {
        public ConcurrentDictionary<string, long>? Events { get; set; }

        public ConcurrentDictionary<string, long>? Timers { get; set; }

        public IDisposable? EventRouting(QueuedEvent message)
        {
            Events?.TryAdd(message.Event!.ContactId, Stopwatch.GetTimestamp());
            return null;
        }

        public IDisposable? TimerFiring(RunState run)
        {
            if (Timers is { } timers)
            {
                timers[run.ContactId] = Stopwatch.GetTimestamp();
            }

            return null;
        }
    }

    /// <summary>Processor time of the whole process, lap by lap, with the bytes allocated and gen0 collections of the lap.</summary>
    private sealed class CpuClock
    {
        private TimeSpan _last = Environment.CpuUsage.TotalTime;
        private long _allocated = GC.GetTotalAllocatedBytes(precise: true);
        private int _collections = GC.CollectionCount(0);
        private TimeSpan _paused = GC.GetTotalPauseDuration();

        /// <summary>Time the runtime held managed threads paused for garbage collections in the last lap, in seconds.</summary>
        public double Paused { get; private set; }

        /// <summary>Bytes allocated in the last lap.</summary>
        public long Allocated { get; private set; }

        /// <summary>Garbage collections (of any generation) in the last lap.</summary>
        public int Collections { get; private set; }

        public double Lap()
        {
            var now = Environment.CpuUsage.TotalTime;
            var lap = now - _last;
            _last = now;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            Allocated = allocated - _allocated;
            _allocated = allocated;
            var collections = GC.CollectionCount(0);
            Collections = collections - _collections;
            _collections = collections;
            var paused = GC.GetTotalPauseDuration();
            Paused = (paused - _paused).TotalSeconds;
            _paused = paused;
            return lap.TotalSeconds;
        }
    }

    /// <summary>An email sender that only notes who got an email and when (a high-resolution timestamp).</summary>
    private sealed class TimingEmailSender : IEmailSender
    {
        private ConcurrentQueue<(string To, long At)> _sent = new();

        public Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
        {
            _sent.Enqueue((message.To.Address, Stopwatch.GetTimestamp()));
            return Task.FromResult(new EmailSendResult("load:" + message.OperationId, "Succeeded"));
        }

        public IReadOnlyList<(string To, long At)> Drain() => Interlocked.Exchange(ref _sent, new ConcurrentQueue<(string To, long At)>()).ToList();

        public void Reset() => Interlocked.Exchange(ref _sent, new ConcurrentQueue<(string To, long At)>());
    }
}
