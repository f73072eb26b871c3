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
            var keyed = new TableServiceClient(options.ConnectionString, clientOptions);
            if (options.LeanTransport && AccountKeyOf(options.ConnectionString) is { } key)
            {
                TableBatchTransport.Register(keyed, clientOptions, keyed.AccountName, key);
            }

            return keyed;
        }

        var uri = options.TableServiceUri ?? throw new InvalidOperationException(
            "Storage:Provider is AzureStorage but neither Storage:ConnectionString nor Storage:TableServiceUri is set.");
        var tokenCredential = credential ?? CreateCredential(options);
        var service = new TableServiceClient(uri, tokenCredential, clientOptions);
        if (options.LeanTransport)
        {
            TableBatchTransport.Register(service, clientOptions, tokenCredential);
        }

        return service;
    }

    /// <summary>The account key of a connection string (Azurite's public one for <c>UseDevelopmentStorage=true</c>); null for a SAS.</summary>
    internal static byte[]? AccountKeyOf(string connectionString)
    {
        string? key = null;
        var development = false;
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var name = part[..equals];
            if (name.Equals("AccountKey", StringComparison.OrdinalIgnoreCase))
            {
                key = part[(equals + 1)..];
            }
            else if (name.Equals("SharedAccessSignature", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            else if (name.Equals("UseDevelopmentStorage", StringComparison.OrdinalIgnoreCase))
            {
                development = part[(equals + 1)..].Equals("true", StringComparison.OrdinalIgnoreCase);
            }
        }

        // Azurite's well-known development account key (public, documented by Microsoft).
        key ??= development ? "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==" : null;
        if (key is null)
        {
            return null;
        }

        var bytes = new byte[key.Length];
        return Convert.TryFromBase64String(key, bytes, out var written) ? bytes[..written] : null;
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
