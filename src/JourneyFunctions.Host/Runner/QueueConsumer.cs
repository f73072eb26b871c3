using JourneyFunctions.Core.Runner;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Host.Runner;

/// <summary>
/// The built-in host's queue loop: drains the queue with <see cref="JourneyRunner.DrainQueueAsync"/> (which routes, contacts in
/// parallel, each contact's events in order, failures retried and finally poisoned) back to back while messages come,
/// and with a growing pause, up to <see cref="RunnerOptions.MaxIdlePollInterval"/>, while the queue is empty.
/// </summary>
public sealed partial class QueueConsumer(JourneyRunner runner, ILogger<QueueConsumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var maxIdle = runner.Options.MaxIdlePollInterval;
        var idle = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            int handled;
            try
            {
                handled = (await runner.DrainQueueAsync(stoppingToken)).Handled;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPollFailed(logger, ex);
                handled = 0;
                idle = maxIdle;
            }

            if (handled > 0)
            {
                idle = TimeSpan.Zero;
                continue;
            }

            // Real time, not the host's TimeProvider: polling pace is plumbing, and a test's frozen clock must not stop it.
            idle = idle == TimeSpan.Zero ? TimeSpan.FromMilliseconds(5) : TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, maxIdle.Ticks));
            try
            {
                await Task.Delay(idle, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Polling the event queue failed; backing off")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
