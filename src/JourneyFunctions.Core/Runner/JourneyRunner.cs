using System.Collections.Concurrent;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Core.Runner;

/// <summary>
/// The runner's work, one pass at a time: route what the queue holds and fire the timers that are due, through
/// <see cref="EventRouter"/> and <see cref="LocalRunEngine"/>. It is the only code that does either: the built-in
/// host's loops call <see cref="PollQueueAsync"/> and <see cref="FireDueTimersAsync"/> on their own pace, and the
/// simulator and <c>journeys load</c> call <see cref="SettleAsync"/> (or the drains) on a virtual clock, so
/// <c>journeys test</c>, <c>journeys load</c> and production cannot disagree about how an input is handled.
/// </summary>
/// <remarks>
/// <para>
/// Queue: a pass receives a batch, sends unparseable messages to the poison queue at once, groups the rest by contact
/// and processes contacts in parallel (<see cref="RunnerOptions.MaxConcurrency"/>), each contact's events in queue
/// order, so this instance never routes one contact twice at once. Several instances on one storage account need no
/// lock for that: an event is routed in one unit of work over the contact's partition, committed with ETags, and the
/// instance that loses a race routes its event again from the fresh state (<see cref="EventRouter"/>). A message is
/// deleted only after it is routed; one that fails stays on the queue and comes back after the visibility timeout (the
/// contact's later events in the batch wait with it, to keep the order), and when it fails on its
/// <see cref="RunnerOptions.MaxDequeueCount"/>-th delivery it goes to the poison queue with the failure as reason. A
/// crash between routing and deleting is harmless: the router drops an event it already routed.
/// </para>
/// <para>
/// Timers are rows in the run store, so they survive a crash: a pass finds every waiting run whose time has come on
/// the runner's <see cref="TimeProvider"/>. Runs of paused journeys are held (their wait moved
/// <see cref="RunnerOptions.PausedRecheck"/> ahead) until the journey resumes. Runs fire in parallel; a run whose fire
/// fails is retried with a growing pause (its due time moved to the next attempt), ended as failed after
/// <see cref="RunnerOptions.MaxTimerAttempts"/> attempts, and a run fired by two instances at once is settled by the run store's ETag
/// (the loser's stale timer is ignored by the machine, its effects deduplicated by the send ledger).
/// </para>
/// </remarks>
public sealed partial class JourneyRunner
{
    private const int MaxReceive = 32;

    private readonly IEventQueue _queue;
    private readonly EventRouter _router;
    private readonly LocalRunEngine _engine;
    private readonly IRunStore _runs;
    private readonly IJourneyCatalog _catalog;
    private readonly IRunnerObserver _observer;
    private readonly TimeProvider _time;
    private readonly RunnerOptions _options;
    private readonly ILogger<JourneyRunner> _logger;
    private readonly ConcurrentDictionary<string, Backoff> _failing = new(StringComparer.Ordinal);

    public JourneyRunner(
        IEventQueue queue,
        EventRouter router,
        LocalRunEngine engine,
        IRunStore runs,
        IJourneyCatalog catalog,
        TimeProvider time,
        IOptions<RunnerOptions> options,
        ILogger<JourneyRunner> logger,
        IRunnerObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _queue = queue;
        _router = router;
        _engine = engine;
        _runs = runs;
        _catalog = catalog;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _observer = observer ?? SilentObserver.Instance;
    }

    /// <summary>The options the runner works with.</summary>
    public RunnerOptions Options => _options;

    /// <summary>Receives one batch (up to <see cref="RunnerOptions.BatchSize"/>) and routes it; Handled is how many messages it received.</summary>
    public async Task<RunnerPass> PollQueueAsync(CancellationToken cancellationToken = default)
    {
        var received = new List<QueuedEvent>();
        while (received.Count < _options.BatchSize)
        {
            var take = Math.Min(MaxReceive, _options.BatchSize - received.Count);
            var batch = await _queue.ReceiveAsync(take, _options.VisibilityTimeout, cancellationToken);
            received.AddRange(batch);
            if (batch.Count < take)
            {
                break;
            }
        }

        if (received.Count == 0)
        {
            return RunnerPass.None;
        }

        var byContact = new Dictionary<string, List<QueuedEvent>>(StringComparer.Ordinal);
        foreach (var message in received)
        {
            if (message.Event is null)
            {
                await PoisonUnparseableAsync(message, cancellationToken);
                continue;
            }

            if (!byContact.TryGetValue(message.Event.ContactId, out var list))
            {
                byContact[message.Event.ContactId] = list = [];
            }

            list.Add(message);
        }

        var failures = new ConcurrentQueue<RunnerFailure>();
        if (byContact.Count == 1 || _options.MaxConcurrency <= 1)
        {
            // One contact (the simulator) or one worker: in order on this thread, no parallel loop to set up.
            foreach (var messages in byContact.Values)
            {
                await ProcessContactAsync(messages, failures, cancellationToken);
            }
        }
        else
        {
            await Parallel.ForEachAsync(
                byContact,
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
                async (group, ct) => await ProcessContactAsync(group.Value, failures, ct));
        }

        return new RunnerPass(received.Count, failures.IsEmpty ? [] : [.. failures]);
    }

    /// <summary>
    /// Routes what the queue holds until a receive finds it empty with nothing left in hand, or a message fails;
    /// Handled is every message received. With more than one worker the receives overlap the routing (see
    /// <see cref="QueueLanes"/>): each contact's events go, in queue order, to the one lane that contact hashes to, and
    /// a routed message is deleted while its lane goes on with the next one. With one worker (the simulator) it polls
    /// batch after batch, in order on the caller's thread.
    /// </summary>
    public async Task<RunnerPass> DrainQueueAsync(CancellationToken cancellationToken = default)
    {
        if (_options.MaxConcurrency <= 1)
        {
            var total = RunnerPass.None;
            while (true)
            {
                var pass = await PollQueueAsync(cancellationToken);
                total = total.Plus(pass);
                if (pass.Handled == 0 || pass.Failed)
                {
                    return total;
                }
            }
        }

        var take = Math.Clamp(_options.BatchSize, 1, MaxReceive);
        var received = 0;
        ConcurrentQueue<RunnerFailure> failures;
        await using (var lanes = new QueueLanes(this, _options.MaxConcurrency, take, cancellationToken))
        {
            while (!lanes.Failed)
            {
                var batch = await _queue.ReceiveAsync(take, _options.VisibilityTimeout, cancellationToken);
                if (batch.Count == 0)
                {
                    if (lanes.Idle)
                    {
                        break;
                    }

                    // What is in hand may queue events of its own (steps raise them): look again once it is done.
                    await lanes.WhenIdleAsync();
                    continue;
                }

                received += batch.Count;
                foreach (var message in batch)
                {
                    if (message.Event is null)
                    {
                        await PoisonUnparseableAsync(message, cancellationToken);
                        continue;
                    }

                    lanes.Post(message);
                }

                await lanes.WhenRoomAsync();
            }

            failures = lanes.Failures;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new RunnerPass(received, failures.IsEmpty ? [] : [.. failures]);
    }

    /// <summary>
    /// Fires the timers due now (up to <see cref="RunnerOptions.TimerBatchSize"/> runs); Handled is how many fired.
    /// When the run store hands due runs out as it reads them (<see cref="IDueRunStream"/>), firing starts with the
    /// first one, <see cref="RunnerOptions.MaxConcurrency"/> at once, while the scan reads at most as many ahead.
    /// </summary>
    public async Task<RunnerPass> FireDueTimersAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var paused = (await _catalog.GetLatestAsync(cancellationToken))
            .Where(e => e.Paused)
            .Select(e => e.Journey.Id)
            .ToHashSet(StringComparer.Ordinal);
        var max = Math.Max(1, _options.TimerBatchSize);
        var fired = 0;
        var failures = new ConcurrentQueue<RunnerFailure>();
        if (_runs is IDueRunStream stream && _options.MaxConcurrency > 1)
        {
            await Parallel.ForEachAsync(
                stream.StreamDueAsync(now, max, _options.MaxConcurrency, cancellationToken),
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
                async (run, ct) =>
                {
                    if (await HandleDueAsync(run, paused, now, failures, ct))
                    {
                        Interlocked.Increment(ref fired);
                    }
                });
            return new RunnerPass(fired, failures.IsEmpty ? [] : [.. failures]);
        }

        var due = await _runs.ListDueAsync(now, max, cancellationToken);
        var fire = new List<StoredRun>(due.Count);
        foreach (var run in due)
        {
            if (paused.Contains(run.State.JourneyId))
            {
                await _engine.HoldAsync(run, now + _options.PausedRecheck, cancellationToken);
                continue;
            }

            if (!_failing.TryGetValue(run.State.RunId, out var backoff) || backoff.NextAttempt <= now)
            {
                fire.Add(run);
            }
        }

        if (fire.Count <= 1 || _options.MaxConcurrency <= 1)
        {
            foreach (var run in fire)
            {
                fired += await FireAsync(run, failures, cancellationToken) ? 1 : 0;
            }
        }
        else
        {
            await Parallel.ForEachAsync(
                fire,
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
                async (run, ct) =>
                {
                    if (await FireAsync(run, failures, ct))
                    {
                        Interlocked.Increment(ref fired);
                    }
                });
        }

        return new RunnerPass(fired, failures.IsEmpty ? [] : [.. failures]);
    }

    /// <summary>Fires due timers pass after pass until a pass fires nothing, or one fails; Handled is every timer fired.</summary>
    public async Task<RunnerPass> FireAllDueTimersAsync(CancellationToken cancellationToken = default)
    {
        var total = RunnerPass.None;
        while (true)
        {
            var pass = await FireDueTimersAsync(cancellationToken);
            total = total.Plus(pass);
            if (pass.Handled == 0 || pass.Failed)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// Settles the present on a clock that only moves when its owner moves it (the simulator, the load command): drains
    /// the queue (the events steps raise included) and fires the due timers, round after round, until a round does
    /// neither. Nothing is retried at the same instant (a failed message is invisible, a failed timer pauses), so the
    /// first round with a failure ends the settle and the caller decides what it means. Rested is false when
    /// <paramref name="maxRounds"/> rounds still found work: the journeys never rest at this instant.
    /// </summary>
    public async Task<(RunnerPass Pass, bool Rested)> SettleAsync(int maxRounds, CancellationToken cancellationToken = default)
    {
        var total = RunnerPass.None;
        for (var round = 0; round < maxRounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var routed = await DrainQueueAsync(cancellationToken);
            total = total.Plus(routed);
            if (routed.Failed)
            {
                return (total, true);
            }

            var fired = await FireDueTimersAsync(cancellationToken);
            total = total.Plus(fired);
            if (fired.Failed || (routed.Handled == 0 && fired.Handled == 0))
            {
                return (total, true);
            }
        }

        return (total, false);
    }

    private async Task ProcessContactAsync(List<QueuedEvent> messages, ConcurrentQueue<RunnerFailure> failures, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            if (!await RouteAsync(message, failures, cancellationToken))
            {
                // Keep the contact's order: its later events wait for this one's retry.
                return;
            }
        }
    }

    /// <summary>Routes one message and deletes it when routed; true when it is done with (routed and deleted, or poisoned).</summary>
    private async Task<bool> RouteAsync(QueuedEvent message, ConcurrentQueue<RunnerFailure> failures, CancellationToken cancellationToken)
    {
        switch (await RouteOnlyAsync(message, failures, cancellationToken))
        {
            case RouteOutcome.Routed:
                await DeleteRoutedAsync(message, cancellationToken);
                return true;
            case RouteOutcome.Poisoned:
                return true;
            default:
                return false;
        }
    }

    /// <summary>Routes one message; a message that failed on its last allowed delivery goes to the poison queue.</summary>
    private async Task<RouteOutcome> RouteOnlyAsync(QueuedEvent message, ConcurrentQueue<RunnerFailure> failures, CancellationToken cancellationToken)
    {
        var contactEvent = message.Event!;
        using var scope = _logger.BeginScope(new RunnerLogScope("contactId", contactEvent.ContactId, "eventId", contactEvent.Id, "eventName", contactEvent.Name));
        using var observed = _observer.EventRouting(message);
        try
        {
            var result = await _router.RouteAsync(contactEvent, _engine, cancellationToken);
            _observer.EventRouted(message, result);
            LogRouted(_logger, contactEvent.Name, result.Started.Count, result.DeliveredTo.Count, result.Duplicate);
            return RouteOutcome.Routed;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            failures.Enqueue(new RunnerFailure("routing " + contactEvent.Name, contactEvent.ContactId, ex));
            if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                var reason = $"Failed on delivery {message.DequeueCount}: {ex.GetType().Name}: {ex.Message}";
                LogPoisonedAfterFailures(_logger, ex, message.MessageId, message.DequeueCount);
                await _queue.PoisonAsync(message, reason, cancellationToken);
                _observer.EventFailed(message, ex, poisoned: true);
                return RouteOutcome.Poisoned;
            }

            LogRouteFailed(_logger, ex, message.MessageId, message.DequeueCount, _options.MaxDequeueCount);
            _observer.EventFailed(message, ex, poisoned: false);
            return RouteOutcome.Failed;
        }
    }

    /// <summary>
    /// Deletes a routed message. Only after routing: a crash before the delete leaves the message to come back after
    /// its visibility timeout, and the router drops it then as already routed.
    /// </summary>
    private async Task DeleteRoutedAsync(QueuedEvent message, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.DeleteAsync(message, cancellationToken);
        }
        catch (ConcurrencyException)
        {
            // Received again elsewhere after our visibility timeout ran out: the event is marked routed, so that
            // delivery drops it as a duplicate and deletes it.
        }
    }

    private async Task PoisonUnparseableAsync(QueuedEvent message, CancellationToken cancellationToken)
    {
        var reason = $"The message is not a valid contact event: {message.ParseError ?? "it could not be parsed"}";
        LogPoisoned(_logger, message.MessageId, reason);
        await _queue.PoisonAsync(message, reason, cancellationToken);
        _observer.MessagePoisoned(message, reason);
    }

    /// <summary>A due run: held when its journey is paused, skipped while its back-off lasts, else fired; true when fired.</summary>
    private async Task<bool> HandleDueAsync(StoredRun run, HashSet<string> paused, DateTimeOffset now, ConcurrentQueue<RunnerFailure> failures, CancellationToken cancellationToken)
    {
        if (paused.Contains(run.State.JourneyId))
        {
            await _engine.HoldAsync(run, now + _options.PausedRecheck, cancellationToken);
            return false;
        }

        if (_failing.TryGetValue(run.State.RunId, out var backoff) && backoff.NextAttempt > now)
        {
            return false;
        }

        return await FireAsync(run, failures, cancellationToken);
    }

    private async Task<bool> FireAsync(StoredRun run, ConcurrentQueue<RunnerFailure> failures, CancellationToken cancellationToken)
    {
        var state = run.State;
        using var scope = _logger.BeginScope(new RunnerLogScope("contactId", state.ContactId, "runId", state.RunId));
        using var observed = _observer.TimerFiring(state);
        try
        {
            await _engine.FireTimerAsync(state, cancellationToken);
            _failing.TryRemove(state.RunId, out _);
            _observer.TimerFired(state);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            failures.Enqueue(new RunnerFailure("the timer of run " + state.RunId, state.ContactId, ex));
            _observer.TimerFailed(state, ex);
            var now = _time.GetUtcNow();
            var backoff = _failing.AddOrUpdate(
                state.RunId,
                _ => new Backoff(1, now + _options.TimerRetryDelay),
                (_, b) => new Backoff(b.Failures + 1, now + RetryDelay(b.Failures)));
            await GiveUpOrPushBackAsync(run, backoff, ex, cancellationToken);
            return false;
        }
    }

    /// <summary>
    /// After a failed fire: the run's due time moves to its next attempt (so it leaves the head of the due list), or,
    /// on its <see cref="RunnerOptions.MaxTimerAttempts"/>-th failure, the run ends as failed with the reason.
    /// </summary>
    private async Task GiveUpOrPushBackAsync(StoredRun run, Backoff backoff, Exception failure, CancellationToken cancellationToken)
    {
        var runId = run.State.RunId;
        try
        {
            if (backoff.Failures >= Math.Max(1, _options.MaxTimerAttempts))
            {
                var reason = $"its timer failed {backoff.Failures} times: {failure.GetType().Name}: {failure.Message}";
                await _engine.FailAsync(runId, reason, cancellationToken);
                _failing.TryRemove(runId, out _);
                LogGaveUp(_logger, failure, runId, backoff.Failures);
                return;
            }

            LogFireFailed(_logger, failure, runId, backoff.Failures, backoff.NextAttempt);
            await _engine.HoldAsync(run, backoff.NextAttempt, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The store failed too: the run stays due and the in-memory back-off still spaces the next attempt.
            LogPushBackFailed(_logger, ex, runId);
        }
    }

    /// <summary>The pause after the (<paramref name="failures"/> + 1)-th failure: the first delay doubled per earlier failure, capped.</summary>
    private TimeSpan RetryDelay(int failures)
    {
        var delay = _options.TimerRetryDelay.TotalSeconds * Math.Pow(2, failures);
        return delay >= _options.MaxTimerRetryDelay.TotalSeconds ? _options.MaxTimerRetryDelay : TimeSpan.FromSeconds(delay);
    }

    private sealed record Backoff(int Failures, DateTimeOffset NextAttempt);

    private enum RouteOutcome
    {
        Routed,
        Poisoned,
        Failed,
    }

    /// <summary>The observer when none is registered.</summary>
    private sealed class SilentObserver : IRunnerObserver
    {
        public static readonly SilentObserver Instance = new();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} moved to the poison queue: {Reason}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} failed on delivery {DequeueCount} and moved to the poison queue")]
    private static partial void LogPoisonedAfterFailures(ILogger logger, Exception exception, string messageId, long dequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing message {MessageId} failed (delivery {DequeueCount} of {MaxDequeueCount}); it will be retried")]
    private static partial void LogRouteFailed(ILogger logger, Exception exception, string messageId, long dequeueCount, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Routed {EventName}: started {Started}, delivered to {Delivered}, duplicate {Duplicate}")]
    private static partial void LogRouted(ILogger logger, string eventName, int started, int delivered, bool duplicate);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up on run {RunId} after its timer failed {Failures} times; the run ended as failed")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, string runId, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not move the due time of failing run {RunId}; it stays due")]
    private static partial void LogPushBackFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting routed message {MessageId} failed; it comes back after its visibility timeout and is dropped as routed")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Firing the timer of run {RunId} failed ({Failures} times); next attempt at {NextAttempt}")]
    private static partial void LogFireFailed(ILogger logger, Exception exception, string runId, int failures, DateTimeOffset nextAttempt);
}
