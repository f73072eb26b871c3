using JourneyFunctions.FunctionApp.Tests.Support;

namespace JourneyFunctions.FunctionApp.Tests.Orchestrations;

/// <summary>
/// One Functions app per test class: the app's services on the given storage, its orchestrator and activities on the
/// in-process Durable Task engine. Runs continue as new after <see cref="InputsPerExecution"/> inputs and a paused
/// journey's held timer rechecks every <see cref="PauseRecheck"/>, so both show within seconds.
/// </summary>
public abstract class FunctionAppFixture(AppStorage storage) : IAsyncLifetime
{
    public const int InputsPerExecution = 3;

    public static readonly TimeSpan PauseRecheck = TimeSpan.FromSeconds(1);

    private FunctionAppHost? _host;

    public FunctionAppHost Host => _host ?? throw new InvalidOperationException("The fixture has not started.");

    public AppStorage Storage => storage;

    public async Task InitializeAsync() =>
        _host = await FunctionAppHost.StartAsync(storage, inputsPerExecution: InputsPerExecution, pauseRecheck: PauseRecheck);

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
