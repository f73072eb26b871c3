using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Memory;
using JourneyFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.DependencyInjection;

/// <summary>Registers every storage port (contacts, journeys, runs, ledger ..., the event queue) for the configured provider.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="StorageOptions"/> from the <c>Storage</c> section and registers each port as a singleton of the
    /// chosen provider. The provider is read once here: switching it needs a restart.
    /// </summary>
    public static IServiceCollection AddJourneyStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);

        // Suppressions and ledger recipients are keyed by the HMAC of the address.
        services.AddAddressHash();

        var options = new StorageOptions();
        configuration.GetSection(StorageOptions.SectionName).Bind(options);
        switch (options.Provider)
        {
            case StorageProvider.Memory:
                AddMemory(services);
                break;
            case StorageProvider.AzureStorage:
                AddAzure(services);
                AddAzureStatsAndSuppressions(services, configuration);
                break;
            default:
                throw new InvalidOperationException(
                    $"Storage:Provider '{options.Provider}' is unknown; use '{nameof(StorageProvider.Memory)}' or '{nameof(StorageProvider.AzureStorage)}'.");
        }

        return services;
    }

    private static void AddMemory(IServiceCollection services)
    {
        Add<IContactStore, MemoryContactStore>(services);
        Add<IJourneyStore, MemoryJourneyStore>(services);
        Add<IRunStore, MemoryRunStore>(services);
        Add<ISendLedger, MemorySendLedger>(services);
        Add<ISuppressionStore, MemorySuppressionStore>(services);
        Add<ITimelineStore, MemoryTimelineStore>(services);
        Add<IStatsStore, MemoryStatsStore>(services);
        Add<IProcessedEventStore, MemoryProcessedEventStore>(services);
        Add<IContactTombstones, MemoryContactTombstones>(services);
        Add<ILeaseStore, MemoryLeaseStore>(services);
        Add<IEventQueue, MemoryEventQueue>(services);
        services.AddSingleton<IContactWork>(ImmediateContactWork.Instance);
    }

    private static void AddAzure(IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new StorageTables(StorageClients.CreateTableService(options), options.TablePrefix);
        });
        services.AddSingleton(sp => StorageClients.CreateQueueService(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        Add<IContactStore, TableContactStore>(services);
        Add<IJourneyStore, TableJourneyStore>(services);
        Add<IRunStore, TableRunStore>(services);
        Add<ISendLedger, TableSendLedger>(services);
        Add<ITimelineStore, TableTimelineStore>(services);
        Add<IProcessedEventStore, TableProcessedEventStore>(services);
        Add<IContactTombstones, TableContactTombstones>(services);
        Add<ILeaseStore, TableLeaseStore>(services);
        Add<IContactWork, TableContactWork>(services);
        services.AddSingleton(sp => new AzureEventQueue(
            sp.GetRequiredService<Azure.Storage.Queues.QueueServiceClient>(),
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.QueueName,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IEventQueue>(sp => sp.GetRequiredService<AzureEventQueue>());
    }

    /// <summary>
    /// Stats and suppressions on the Azure backend, each behind what keeps it off the per-event storage bill:
    /// <see cref="BufferedStatsStore"/> (section <c>Storage:StatsBuffer</c>; merged counter writes every second, flushed
    /// when the container is disposed) and <see cref="FilteredSuppressionStore"/> (section <c>Storage:SuppressionFilter</c>;
    /// every suppressed address in memory, refreshed every 5 s, so a lookup of an unsuppressed address costs no request).
    /// <see cref="StatsReconciler"/> (section <c>Storage:StatsReconcile</c>) repairs counters a crash left behind.
    /// Either can be turned off (<c>Enabled=false</c>). The memory backend gets neither: its stores are already cheaper.
    /// </summary>
    private static void AddAzureStatsAndSuppressions(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StatsBufferOptions>().BindConfiguration(StatsBufferOptions.SectionName);
        services.AddOptions<SuppressionFilterOptions>().BindConfiguration(SuppressionFilterOptions.SectionName);
        var buffer = configuration.GetSection(StatsBufferOptions.SectionName).Get<StatsBufferOptions>() ?? new StatsBufferOptions();
        var filter = configuration.GetSection(SuppressionFilterOptions.SectionName).Get<SuppressionFilterOptions>() ?? new SuppressionFilterOptions();

        services.AddSingleton<TableStatsStore>();
        services.AddOptions<StatsReconcileOptions>().BindConfiguration(StatsReconcileOptions.SectionName);
        services.AddSingleton(sp => new StatsReconciler(
            sp.GetRequiredService<StorageTables>(),
            sp.GetRequiredService<TableStatsStore>(),
            TimeProvider.System, // the settle time covers real writers in flight, whatever clock the engine runs on
            sp.GetService<BufferedStatsStore>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<StatsReconciler>()));
        if (buffer.Enabled)
        {
            // The container disposes the buffer at shutdown, which writes what is pending; the hosts also flush it
            // from a hosted service's StopAsync while logging is still up.
            services.AddSingleton(sp => new BufferedStatsStore(
                sp.GetRequiredService<TableStatsStore>(),
                sp.GetRequiredService<IOptions<StatsBufferOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILoggerFactory>()?.CreateLogger<BufferedStatsStore>()));
            services.AddSingleton<IStatsStore>(sp => sp.GetRequiredService<BufferedStatsStore>());
        }
        else
        {
            services.AddSingleton<IStatsStore>(sp => sp.GetRequiredService<TableStatsStore>());
        }

        services.AddSingleton<TableSuppressionStore>();
        if (filter.Enabled)
        {
            // Its refresh timer starts at the first lookup; the container disposes it (and the timer) at shutdown.
            services.AddSingleton(sp => new FilteredSuppressionStore(
                sp.GetRequiredService<TableSuppressionStore>(),
                sp.GetRequiredService<IOptions<SuppressionFilterOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILoggerFactory>()?.CreateLogger<FilteredSuppressionStore>()));
            services.AddSingleton<ISuppressionStore>(sp => sp.GetRequiredService<FilteredSuppressionStore>());
        }
        else
        {
            services.AddSingleton<ISuppressionStore>(sp => sp.GetRequiredService<TableSuppressionStore>());
        }
    }

    /// <summary>One instance serves both the port and its concrete type (the host may need the concrete queue).</summary>
    private static void Add<TPort, TImpl>(IServiceCollection services)
        where TPort : class
        where TImpl : class, TPort
    {
        services.AddSingleton<TImpl>();
        services.AddSingleton<TPort>(sp => sp.GetRequiredService<TImpl>());
    }
}
