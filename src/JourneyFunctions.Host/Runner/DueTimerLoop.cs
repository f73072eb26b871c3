using JourneyFunctions.Core.Runner;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Host.Runner;

/// <summary>
/// The built-in host's timer loop: every <see cref="RunnerOptions.TimerInterval"/> of the host's
/// <see cref="TimeProvider"/> (a test moves a fake clock and the loop fires what became due) it calls
/// <see cref="JourneyRunner.FireDueTimersAsync"/>, again at once while passes come back full, so a backlog after
/// downtime drains without waiting a tick per batch.
/// </summary>
public sealed partial class DueTimerLoop(JourneyRunner runner, TimeProvider time, ILogger<DueTimerLoop> logger) : BackgroundService
{
    private const int MaxPassesPerTick = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = runner.Options;
        using var timer = new PeriodicTimer(options.TimerInterval, time);
        do
        {
            try
            {
                for (var pass = 0; pass < MaxPassesPerTick && (await runner.FireDueTimersAsync(stoppingToken)).Handled >= options.TimerBatchSize; pass++)
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

    [LoggerMessage(Level = LogLevel.Error, Message = "A due-timer pass failed; the next tick tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
