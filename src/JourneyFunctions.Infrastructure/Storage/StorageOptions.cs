namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Where the stores and the event queue live (configuration section <c>Storage</c>). <see cref="StorageProvider.Memory"/>
/// keeps everything in the process (the embedded default, lost on exit); <see cref="StorageProvider.AzureStorage"/>
/// uses Table and Queue Storage, reached with <see cref="ConnectionString"/> (Azurite, or an account key) or, when
/// that is empty, with the service URIs and <c>DefaultAzureCredential</c> (managed identity in Azure).
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Memory;

    /// <summary>A storage connection string, e.g. <c>UseDevelopmentStorage=true</c> for Azurite on its default ports.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Table endpoint for credential-based access, e.g. <c>https://myaccount.table.core.windows.net</c>.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>Queue endpoint for credential-based access, e.g. <c>https://myaccount.queue.core.windows.net</c>.</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>
    /// Prefix of every table name (letters and digits, starting with a letter), so several installations or test
    /// runs can share one account.
    /// </summary>
    public string TablePrefix { get; set; } = "jf";

    /// <summary>The event queue; its poison queue is <c>&lt;QueueName&gt;-poison</c>.</summary>
    public string QueueName { get; set; } = "journey-events";

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned one or a developer login.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// A timer row whose run has moved on is deleted by the due-timer scan only once it is older than this (on the
    /// host's <see cref="TimeProvider"/>, the clock the row's writer stamped it with): a younger one may belong to a
    /// writer that has stored its timer row but not yet committed the run. Rows of runs moved on by this process are
    /// deleted without waiting for it (after the commit). Must exceed the longest unit of work; default 5 minutes.
    /// </summary>
    public TimeSpan StaleTimerGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Send entity-group transactions and working-set reads through the lean transport (<c>TableBatchTransport</c>:
    /// the same Table REST requests as the SDK, about a quarter of its allocation). Default true. Set
    /// <c>Storage:LeanTransport=false</c> to use the Table SDK for every request, e.g. against an endpoint the SDK
    /// treats specially (the Cosmos DB Table API), or to rule the transport out when diagnosing.
    /// </summary>
    public bool LeanTransport { get; set; } = true;
}

public enum StorageProvider
{
    /// <summary>In-process stores: nothing survives a restart.</summary>
    Memory,

    /// <summary>Azure Table and Queue Storage (or Azurite).</summary>
    AzureStorage,
}
