using System.Collections.Concurrent;
using System.Diagnostics;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Host.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Host.Runner;

/// <summary>
/// Fires due timers every <see cref="RunnerOptions.TimerInterval"/> of the host's <see cref="TimeProvider"/> (a test
/// moves a fake clock and the loop fires what became due). Timers are rows in the run store, so they survive a crash:
/// a restarted host finds every waiting run whose time has come. Runs of paused journeys are held (their wait moved ahead) until the journey resumes. Runs fire
/// in parallel through <see cref="LocalRunEngine.FireTimerAsync"/>; a run whose fire fails is retried with a growing
/// pause, and a run fired by two instances at once is settled by the run store's ETag (the loser's stale timer is
/// ignored by the machine, its effects deduplicated by the send ledger).
/// </summary>
public sealed partial class DueTimerLoop(
    IRunStore runs,
    IJourneyCatalog catalog,
    LocalRunEngine engine,
    JourneyTelemetry telemetry,
    TimeProvider time,
    IOptions<RunnerOptions> options,
    ILogger<DueTimerLoop> logger) : BackgroundService
{
    private const int MaxPassesPerTick = 50;
    private readonly RunnerOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Backoff> _failing = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.TimerInterval, time);
        do
        {
            try
            {
                // Keep going while passes come back full (bounded): a backlog after downtime drains without waiting a tick each.
                for (var pass = 0; pass < MaxPassesPerTick && await FireDueAsync(stoppingToken) >= _options.TimerBatchSize; pass++)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPassFailed(logger, ex);
            }
        }
        while (await Tick(timer, stoppingToken));
    }

    /// <summary>Fires the timers due now; returns how many were fired.</summary>
    public async Task<int> FireDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var paused = (await catalog.GetLatestAsync(cancellationToken))
            .Where(e => e.Paused)
            .Select(e => e.Journey.Id)
            .ToHashSet(StringComparer.Ordinal);
        var due = await runs.ListDueAsync(now, Math.Max(1, _options.TimerBatchSize), cancellationToken);
        var fire = new List<StoredRun>(due.Count);
        foreach (var run in due)
        {
            if (paused.Contains(run.State.JourneyId))
            {
                await engine.HoldAsync(run, now, cancellationToken);
                continue;
            }

            if (!_failing.TryGetValue(run.State.RunId, out var backoff) || backoff.NextAttempt <= now)
            {
                fire.Add(run);
            }
        }

        var fired = 0;
        await Parallel.ForEachAsync(
            fire,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxConcurrency), CancellationToken = cancellationToken },
            async (run, ct) =>
            {
                if (await FireAsync(run, ct))
                {
                    Interlocked.Increment(ref fired);
                }
            });
        return fired;
    }

    private async Task<bool> FireAsync(StoredRun run, CancellationToken cancellationToken)
    {
        var state = run.State;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["contactId"] = state.ContactId, ["runId"] = state.RunId });
        using var span = JourneyTelemetry.Source.StartActivity("timer " + state.JourneyId, ActivityKind.Internal);
        span?.SetTag("journeys.run_id", state.RunId);
        span?.SetTag("journeys.step_id", state.StepId);
        try
        {
            await engine.FireTimerAsync(state, cancellationToken);
            _failing.TryRemove(state.RunId, out _);
            telemetry.TimersFired.Add(1, new KeyValuePair<string, object?>("journey", state.JourneyId));
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            var backoff = _failing.AddOrUpdate(
                state.RunId,
                _ => new Backoff(1, time.GetUtcNow() + TimeSpan.FromSeconds(1)),
                (_, b) => new Backoff(b.Failures + 1, time.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, b.Failures)))));
            LogFireFailed(logger, ex, state.RunId, backoff.Failures, backoff.NextAttempt);
            return false;
        }
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed record Backoff(int Failures, DateTimeOffset NextAttempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "A due-timer pass failed; the next tick tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Firing the timer of run {RunId} failed ({Failures} times); next attempt at {NextAttempt}")]
    private static partial void LogFireFailed(ILogger logger, Exception exception, string runId, int failures, DateTimeOffset nextAttempt);
}
