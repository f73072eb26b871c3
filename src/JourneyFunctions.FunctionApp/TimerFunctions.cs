using JourneyFunctions.Core.Services;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// Scheduled work. Durable timers wake waiting runs, so no timer function polls for due runs (the built-in host's
/// due-timer loop has no counterpart here). What remains: the inactivity sweep that raises the events inactivity
/// triggers listen for, and purging the durable history of finished runs.
/// </summary>
public sealed class TimerFunctions(InactivitySweep sweep, IOptions<RunHistoryOptions> history, TimeProvider time, ILogger<TimerFunctions> logger)
{
    /// <summary>Hourly, at minute 15: contacts inactive for a journey's period get the inactivity event queued.</summary>
    [Function(nameof(SweepInactiveContacts))]
    public async Task SweepInactiveContacts([TimerTrigger("0 15 * * * *")] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var queued = await sweep.SweepAsync(context.CancellationToken);
        logger.LogInformation("Inactivity sweep queued {Count} events", queued);
    }

    /// <summary>
    /// Daily at 03:30 UTC: purges completed, failed and terminated orchestrations older than the retention, so the
    /// task hub does not grow without bound and an erased contact's data does not outlive the retention in history.
    /// </summary>
    [Function(nameof(PurgeRunHistory))]
    public async Task PurgeRunHistory(
        [TimerTrigger("0 30 3 * * *")] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(context);
        var before = time.GetUtcNow() - history.Value.Retention;
        var filter = new PurgeInstancesFilter(
            CreatedFrom: null,
            CreatedTo: before,
            Statuses: [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated]);
        var result = await client.PurgeAllInstancesAsync(filter, context.CancellationToken);
        logger.LogInformation("Purged {Count} finished runs created before {Before:O}", result.PurgedInstanceCount, before);
    }
}
