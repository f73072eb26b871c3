using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Builds the Table and Queue clients from <see cref="StorageOptions"/>: a connection string when one is given (Azurite,
/// account key), else the service URIs with <see cref="DefaultAzureCredential"/> (managed identity in Azure, the
/// developer's login locally). Extra pipeline policies (e.g. request counters in tests) are added to both.
/// </summary>
public static class StorageClients
{
    public static TableServiceClient CreateTableService(StorageOptions options, TokenCredential? credential = null, params HttpPipelinePolicy[] policies)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new TableClientOptions();
        foreach (var policy in policies)
        {
            clientOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new TableServiceClient(options.ConnectionString, clientOptions);
        }

        var uri = options.TableServiceUri ?? throw new InvalidOperationException(
            "Storage:Provider is AzureStorage but neither Storage:ConnectionString nor Storage:TableServiceUri is set.");
        return new TableServiceClient(uri, credential ?? CreateCredential(options), clientOptions);
    }

    /// <summary>The queue client encodes nothing itself: <see cref="AzureEventQueue"/> writes and reads the base64.</summary>
    public static QueueServiceClient CreateQueueService(StorageOptions options, TokenCredential? credential = null, params HttpPipelinePolicy[] policies)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        foreach (var policy in policies)
        {
            clientOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new QueueServiceClient(options.ConnectionString, clientOptions);
        }

        var uri = options.QueueServiceUri ?? throw new InvalidOperationException(
            "Storage:Provider is AzureStorage but neither Storage:ConnectionString nor Storage:QueueServiceUri is set.");
        return new QueueServiceClient(uri, credential ?? CreateCredential(options), clientOptions);
    }

    private static DefaultAzureCredential CreateCredential(StorageOptions options) =>
        new(new DefaultAzureCredentialOptions { ManagedIdentityClientId = string.IsNullOrWhiteSpace(options.ManagedIdentityClientId) ? null : options.ManagedIdentityClientId });
}
