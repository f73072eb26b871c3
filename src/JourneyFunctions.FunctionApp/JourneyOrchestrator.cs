using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// One orchestration per journey run (instance id = run id). Only an adapter: the loop that turns the pure journey
/// machine's commands into activities, timers and event waits is <see cref="JourneyOrchestrationDriver"/> in Core,
/// tested there by replaying recorded histories. Nothing here reads a clock, a random number or does I/O.
/// </summary>
public sealed class JourneyOrchestrator(JourneyOrchestrationDriver driver, IOptions<FunctionAppOptions> options)
{
    private readonly TaskOptions _retry = TaskOptions.FromRetryPolicy(options.Value.ActivityRetryPolicy());

    [Function(JourneyOrchestration.OrchestratorName)]
    public Task<RunState?> JourneyRun([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<JourneyRunInput>()
            ?? throw new InvalidOperationException($"Orchestration {context.InstanceId} has no input.");
        return driver.RunAsync(new TaskOrchestrationContextPort(context, _retry), input);
    }
}
