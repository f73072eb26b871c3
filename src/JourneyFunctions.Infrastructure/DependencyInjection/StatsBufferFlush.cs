using JourneyFunctions.Infrastructure.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Infrastructure.DependencyInjection;

/// <summary>
/// Writes the pending counters of <see cref="BufferedStatsStore"/> when the host stops (both hosts register it). The
/// store also flushes when the container disposes it; this runs earlier, within the host's shutdown timeout and
/// while logging still works, so a failed flush is reported. Registered before the runner's services, it stops after
/// them, once nothing increments any more. Does nothing on the memory backend (no buffer).
/// </summary>
public sealed class StatsBufferFlush(IServiceProvider services, ILogger<StatsBufferFlush> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
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
}
