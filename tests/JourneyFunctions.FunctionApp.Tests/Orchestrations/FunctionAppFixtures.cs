using JourneyFunctions.FunctionApp.Tests.Support;

namespace JourneyFunctions.FunctionApp.Tests.Orchestrations;

/// <summary>
/// One Functions app per test class: the app's services on the given storage, its orchestrator and activities on the
/// in-process Durable Task engine. Runs continue as new after <see cref="InputsPerExecution"/> inputs and a paused
/// journey's held timer rechecks every <see cref="PauseRecheck"/>, so both show within seconds.
/// </summary>
public abstract class FunctionAppFixture(AppStorage storage, Func<Microsoft.Extensions.Logging.ILoggerFactory, Task<DurableTask.Core.IOrchestrationService>>? backend = null) : IAsyncLifetime
{
    public const int InputsPerExecution = 3;

    public static readonly TimeSpan PauseRecheck = TimeSpan.FromSeconds(1);

    private FunctionAppHost? _host;

    public FunctionAppHost Host => _host ?? throw new InvalidOperationException("The fixture has not started.");

    public AppStorage Storage => storage;

    public async Task InitializeAsync() =>
        _host = await FunctionAppHost.StartAsync(storage, backend, inputsPerExecution: InputsPerExecution, pauseRecheck: PauseRecheck);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

public sealed class MemoryFunctionAppFixture() : FunctionAppFixture(AppStorage.Memory);

public sealed class AzuriteFunctionAppFixture() : FunctionAppFixture(AppStorage.Azurite);

/// <summary>
/// The app's storage on Azurite and the engine's state on DTFx's Azure Storage backend (what Durable Functions runs on
/// in Azure), also on Azurite: InProcessTestHost's gRPC sidecar over <c>AzureStorageOrchestrationService</c>.
/// </summary>
public sealed class AzureStorageBackendFunctionAppFixture() : FunctionAppFixture(AppStorage.Azurite, AzureStorageBackend.CreateAsync);

public static class AzureStorageBackend
{
    public static async Task<DurableTask.Core.IOrchestrationService> CreateAsync(Microsoft.Extensions.Logging.ILoggerFactory loggerFactory)
    {
        var azurite = await SharedAzurite.GetAsync();
        var service = new DurableTask.AzureStorage.AzureStorageOrchestrationService(new DurableTask.AzureStorage.AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new DurableTask.AzureStorage.StorageAccountClientProvider(azurite.ConnectionString),
            TaskHubName = "fa" + Guid.NewGuid().ToString("N")[..10],
            PartitionCount = 1,
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(500),
            LoggerFactory = loggerFactory,
        });
        await service.CreateIfNotExistsAsync();
        return service;
    }
}
