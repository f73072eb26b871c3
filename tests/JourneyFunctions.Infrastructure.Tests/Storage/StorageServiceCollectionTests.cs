using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.DependencyInjection;
using JourneyFunctions.Infrastructure.Memory;
using JourneyFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

public sealed class StorageServiceCollectionTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddJourneyStorage(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void AddJourneyStorage_NoConfiguration_RegistersMemorySingletons()
    {
        using var provider = Build([]);

        Assert.IsType<MemoryContactStore>(provider.GetRequiredService<IContactStore>());
        Assert.IsType<MemoryJourneyStore>(provider.GetRequiredService<IJourneyStore>());
        Assert.IsType<MemoryRunStore>(provider.GetRequiredService<IRunStore>());
        Assert.IsType<MemorySendLedger>(provider.GetRequiredService<ISendLedger>());
        Assert.IsType<MemorySuppressionStore>(provider.GetRequiredService<ISuppressionStore>());
        Assert.IsType<MemoryTimelineStore>(provider.GetRequiredService<ITimelineStore>());
        Assert.IsType<MemoryStatsStore>(provider.GetRequiredService<IStatsStore>());
        Assert.IsType<MemoryProcessedEventStore>(provider.GetRequiredService<IProcessedEventStore>());
        Assert.IsType<MemoryLeaseStore>(provider.GetRequiredService<ILeaseStore>());
        Assert.IsType<MemoryEventQueue>(provider.GetRequiredService<IEventQueue>());
        Assert.Same(provider.GetRequiredService<IRunStore>(), provider.GetRequiredService<IRunStore>());
        Assert.Same(provider.GetRequiredService<IEventQueue>(), provider.GetRequiredService<MemoryEventQueue>());
    }

    [Fact]
    public async Task AddJourneyStorage_Azure_BuffersStatsAndFiltersSuppressions()
    {
        await using var provider = Build(new() { ["Storage:Provider"] = "AzureStorage", ["Storage:ConnectionString"] = "UseDevelopmentStorage=true" });

        Assert.Same(provider.GetRequiredService<BufferedStatsStore>(), provider.GetRequiredService<IStatsStore>());
        Assert.Same(provider.GetRequiredService<FilteredSuppressionStore>(), provider.GetRequiredService<ISuppressionStore>());
    }

    [Fact]
    public async Task AddJourneyStorage_AzureWithBufferAndFilterOff_WritesThrough()
    {
        await using var provider = Build(new()
        {
            ["Storage:Provider"] = "AzureStorage",
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Storage:StatsBuffer:Enabled"] = "false",
            ["Storage:SuppressionFilter:Enabled"] = "false",
        });

        Assert.IsType<TableStatsStore>(provider.GetRequiredService<IStatsStore>());
        Assert.IsType<TableSuppressionStore>(provider.GetRequiredService<ISuppressionStore>());
    }

    [Fact]
    public void AddJourneyStorage_UnknownProvider_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => Build(new() { ["Storage:Provider"] = "Cosmos" }));
    }
}
