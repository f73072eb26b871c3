using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DurableTask.AzureStorage;
using DurableTask.AzureStorage.Tracking;
using DurableTask.Core;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.SideBySide;

/// <summary>
/// DTFx's Azure Storage backend (<see cref="AzureStorageOrchestrationService"/>, what Durable Functions runs on in
/// Azure) on the benchmark's Azurite, with its settings' defaults (four partitions, as Durable Functions) except the
/// longest queue polling pause, which is the workload's (default 30 s, far longer than the timers here).
/// </summary>
public static class DtfxStorage
{
    public static async Task<AzureStorageOrchestrationService> CreateAsync(Workload workload, string taskHub, CountingPolicy counting, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(counting);
        var connection = workload.ConnectionString;
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(
                StorageServiceClientProvider.ForBlob(connection, counting.Options(new BlobClientOptions())),
                StorageServiceClientProvider.ForQueue(connection, counting.Options(new QueueClientOptions())),
                StorageServiceClientProvider.ForTable(connection, counting.Options(new TableClientOptions()))),
            TaskHubName = taskHub,
            MaxQueuePollingInterval = workload.DtfxPollingInterval,
            LoggerFactory = loggerFactory,
        });
        await CountingPolicy.UncountedAsync(async () =>
        {
            await service.CreateIfNotExistsAsync();
            return true;
        });
        return service;
    }

    /// <summary>Instances of the task hub that ended, by status; the benchmark's own query, not counted.</summary>
    public static Task<(int Completed, int Failed)> EndedAsync(AzureStorageOrchestrationService service, CancellationToken cancellationToken) =>
        CountingPolicy.UncountedAsync(async () =>
        {
            var condition = new OrchestrationInstanceStatusQueryCondition
            {
                RuntimeStatus = [OrchestrationStatus.Completed, OrchestrationStatus.Failed, OrchestrationStatus.Terminated],
            };
            int completed = 0, failed = 0;
            string? continuation = null;
            do
            {
                var page = await service.GetOrchestrationStateAsync(condition, 1000, continuation, cancellationToken);
                foreach (var state in page.OrchestrationState)
                {
                    if (state.OrchestrationStatus == OrchestrationStatus.Completed)
                    {
                        completed++;
                    }
                    else
                    {
                        failed++;
                    }
                }

                continuation = page.ContinuationToken;
            }
            while (!string.IsNullOrEmpty(continuation));
            return (completed, failed);
        });

    public static Task DeleteAsync(AzureStorageOrchestrationService service) =>
        CountingPolicy.UncountedAsync(async () =>
        {
            await service.DeleteAsync();
            return true;
        });
}
