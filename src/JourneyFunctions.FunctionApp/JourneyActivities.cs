using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Microsoft.Azure.Functions.Worker;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// The activities of the journey orchestration, each a Core service call. They throw on failure and let the
/// orchestrator's retry policy decide; a permanent refusal (suppressed address, 4xx webhook) is an outcome, not an
/// exception. Names are <see cref="JourneyOrchestration"/> constants, a contract with running instances.
/// </summary>
public sealed class JourneyActivities(IJourneyCatalog catalog, IContactStore contacts, ActivityExecutor executor, RunRecorder recorder)
{
    /// <summary>The definition version the run is pinned to.</summary>
    [Function(JourneyOrchestration.LoadJourneyActivity)]
    public async Task<JourneyDefinition> LoadJourney([ActivityTrigger] JourneyVersionRef journey, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(journey);
        ArgumentNullException.ThrowIfNull(context);
        return await catalog.GetVersionAsync(journey.JourneyId, journey.Version, context.CancellationToken)
            ?? throw new InvalidOperationException($"Journey {journey.JourneyId} version {journey.Version} is not published.");
    }

    /// <summary>The contact as it is now (null once erased).</summary>
    [Function(JourneyOrchestration.LoadContactActivity)]
    public Task<Contact?> LoadContact([ActivityTrigger] string contactId, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return contacts.GetAsync(contactId, context.CancellationToken);
    }

    /// <summary>Send an email, change tags, set a field or call a webhook, exactly once per operation id.</summary>
    [Function(JourneyOrchestration.ExecuteActivityName)]
    public Task<ActivityOutcome> ExecuteActivity([ActivityTrigger] ExecuteActivityInput input, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        return executor.ExecuteAsync(input.Request, context.CancellationToken);
    }

    /// <summary>Whether the journey is paused now (its runs' timers hold until it is resumed).</summary>
    [Function(JourneyOrchestration.IsJourneyPausedActivity)]
    public async Task<bool> IsJourneyPaused([ActivityTrigger] string journeyId, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var journeys = await catalog.GetLatestAsync(context.CancellationToken);
        return journeys.Any(j => j.Paused && string.Equals(j.Journey.Id, journeyId, StringComparison.Ordinal));
    }

    /// <summary>The run row, timeline and counters for the transitions since the last record.</summary>
    [Function(JourneyOrchestration.RecordResultActivity)]
    public Task<bool> RecordResult([ActivityTrigger] RunRecord record, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return recorder.RecordAsync(record, context.CancellationToken);
    }
}
