using JourneyFunctions.Infrastructure.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.DependencyInjection;

/// <summary>
/// Keeps the stats counters true across restarts (both hosts register it). At start, and then every
/// <c>Storage:StatsReconcile:Interval</c>, it reconciles the counters from the runs and the ledger in the background (<see cref="StatsReconciler"/>: a previous process killed without
/// shutting down may have stored facts it never counted). When the host stops it writes the pending counters of
/// <see cref="BufferedStatsStore"/>; the store also flushes when the container disposes it, but this runs earlier,
/// within the host's shutdown timeout and while logging still works, so a failed flush is reported. Registered before
/// the runner's services, it stops after them, once nothing increments any more. Does nothing on the memory backend
/// (no buffer, and nothing survives the process).
/// </summary>
public sealed class StatsBufferFlush(IServiceProvider services, ILogger<StatsBufferFlush> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _reconcile = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<StatsReconciler>() is { } reconciler
            && services.GetRequiredService<IOptions<StatsReconcileOptions>>().Value is { Enabled: true } options)
        {
            // In the background: start-up does not wait for a scan of every run, and the runner works meanwhile.
            // Wall-clock time, not the host's clock: the settle time covers real writers in flight (a test's fake clock
            // jumping days must not cut it short).
            var time = TimeProvider.System;
            _reconcile = Task.Run(
                async () =>
                {
                    try
                    {
                        for (var first = true; first || options.Interval > TimeSpan.Zero; first = false)
                        {
                            if (!first)
                            {
                                await Task.Delay(options.Interval, time, _stopping.Token);
                            }

                            try
                            {
                                await reconciler.ReconcileAsync(options.SettleTime, _stopping.Token);
                            }
                            catch (Exception ex) when (!_stopping.IsCancellationRequested)
                            {
                                logger.LogWarning(ex, "Reconciling stats counters from the runs and the ledger failed; the next reconcile tries again");
                            }
                        }
                    }
                    catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                    {
                    }
                },
                CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _reconcile;
        if (services.GetService<BufferedStatsStore>() is not { } buffer)
        {
            return;
        }

        try
        {
            await buffer.FlushAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Writing stats counters at shutdown failed; {Count} stay pending for the final flush on dispose", buffer.PendingCounters);
        }
    }

    public void Dispose() => _stopping.Dispose();
}
