using JourneyFunctions.Core.Runner;
using JourneyFunctions.Core.Services;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Host.Runner;

/// <summary>
/// Runs the <see cref="InactivitySweep"/> at start and every <see cref="RunnerOptions.SweepInterval"/> of the host's
/// <see cref="TimeProvider"/>. The sweep's event ids are derived from each contact's last activity, so overlapping
/// sweeps (or two instances) queue the same quiet period once in effect.
/// </summary>
public sealed partial class InactivitySweepLoop(InactivitySweep sweep, TimeProvider time, IOptions<RunnerOptions> options, ILogger<InactivitySweepLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                var queued = await sweep.SweepAsync(stoppingToken);
                if (queued > 0)
                {
                    LogSwept(logger, queued);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogSweepFailed(logger, ex);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Inactivity sweep queued {Count} contact.inactive events")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "The inactivity sweep failed; the next interval tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
