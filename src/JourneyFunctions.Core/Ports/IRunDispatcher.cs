using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>
/// How the router reaches runs. The built-in host drives the machine itself (<c>LocalRunEngine</c>); the Functions
/// app schedules a durable orchestration per run (instance id = run id) and raises events to it.
/// </summary>
public interface IRunDispatcher
{
    /// <summary>Starts a run; starting one whose id exists already is harmless (the id is deterministic).</summary>
    Task StartAsync(StartRunRequest request, CancellationToken cancellationToken = default);

    /// <summary>Delivers a contact event to a run (it may exit, reach the goal or wake the run).</summary>
    Task DeliverAsync(string runId, ContactEvent contactEvent, CancellationToken cancellationToken = default);

    /// <summary>Ends a run from outside (unsubscribe, erase, journey archived).</summary>
    Task CancelAsync(string runId, string reason, CancellationToken cancellationToken = default);
}

/// <summary>Everything needed to start a run, decided by the router.</summary>
public sealed record StartRunRequest(JourneyDefinition Journey, EntryDecision Entry, Contact Contact, ContactEvent Trigger);
