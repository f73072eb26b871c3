using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Ports;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// Reaches runs as durable orchestrations: a run is an orchestration instance whose id is the run id (deterministic:
/// journey, contact, key, generation), events are raised to it, and ending it from outside is a "cancel" event, so
/// the run records why it ended. Created per invocation around the function's <see cref="DurableTaskClient"/>.
/// </summary>
public sealed class DurableRunDispatcher(DurableTaskClient client, RunStartPreparer preparer, ILogger logger) : IRunDispatcher
{
    public async Task StartAsync(StartRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var runId = request.Entry.RunId ?? throw new ArgumentException("The entry decision has no run id.", nameof(request));
        if (await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken) is not null)
        {
            logger.LogDebug("Run {RunId} exists already; the start is a repeat", runId);
            return;
        }

        var input = await preparer.PrepareAsync(request, cancellationToken);

        // No DedupeStatuses: whether the Functions extension's backend honours an id reuse policy is not documented,
        // and a refused policy would fail every start. The check above makes a repeat harmless, and host.json's
        // overridableExistingInstanceStates=NonRunningStates makes the backend refuse a second running instance.
        var options = new StartOrchestrationOptions(runId);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(JourneyOrchestration.OrchestratorName, input, options, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A concurrent start of the same run won the race (the backend refuses a second instance with the id).
            if (await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken) is null)
            {
                throw;
            }

            logger.LogDebug(e, "Run {RunId} was started concurrently", runId);
        }
    }

    public Task DeliverAsync(string runId, ContactEvent contactEvent, CancellationToken cancellationToken = default) =>
        client.RaiseEventAsync(runId, JourneyOrchestration.ContactEventName, contactEvent, cancellationToken);

    public Task CancelAsync(string runId, string reason, CancellationToken cancellationToken = default) =>
        client.RaiseEventAsync(runId, JourneyOrchestration.CancelEventName, reason, cancellationToken);
}
