using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// The built-in host's run engine: drives the pure journey machine over the storage ports, executing activities
/// inline until the run waits or ends, then persists the run once (ETag if-match). It persists only at those rest
/// points, so a crash part-way leaves the run at its last rest point with its trigger still due (a queued event not
/// yet marked routed, or a timer still due): the same input is applied again, the machine asks for the same
/// operations, and the send ledger turns the repeats into no-ops. Several engines over one storage account are safe:
/// the loser of an ETag race re-applies its input to fresh state (a stale timer is then ignored by the machine).
/// </summary>
/// <remarks>
/// Each input is one unit of work on the run's contact (<see cref="IContactWork"/>): the run, contact and ledger reads
/// come from one snapshot and the run row, ledger completions, contact changes and timeline are one transaction. Under
/// the router the engine joins the router's unit of work (one event, one commit); a fired timer or a hold commits its
/// own. A commit that loses a race writes nothing and the input is applied again by the scope's owner.
/// </remarks>
public sealed class LocalRunEngine(
    IRunStore runs,
    IContactWork work,
    IContactStore contacts,
    IJourneyCatalog catalog,
    ActivityExecutor executor,
    RunBookkeeping bookkeeping,
    TimeProvider time,
    ILogger<LocalRunEngine> logger) : IRunDispatcher
{
    private const int MaxRaceAttempts = 8;

    /// <summary>Bound on activities executed in one drive, so a journey can never spin inside one call.</summary>
    public const int MaxActivitiesPerDrive = 200;

    public async Task StartAsync(StartRunRequest request, CancellationToken cancellationToken = default)
    {
        var runId = request.Entry.RunId ?? throw new ArgumentException("The entry decision has no run id.", nameof(request));
        await using var scope = work.Begin(request.Contact.Id);

        // Served from the unit of work's snapshot (no request): spares driving the activities of a run that exists.
        if (await runs.GetAsync(runId, cancellationToken) is not null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var first = JourneyMachine.Start(request.Journey, request.Entry, request.Contact, request.Trigger, now);
        var results = await DriveAsync(request.Journey, first, request.Contact, cancellationToken);
        var state = results[^1].State;
        try
        {
            await runs.CreateAsync(state, cancellationToken);
        }
        catch (ConcurrencyException)
        {
            // Another instance started the same run (same deterministic id) first; its effects and ours were deduplicated by the ledger.
            logger.LogDebug("Run {RunId} was started concurrently elsewhere", runId);
            return;
        }

        await bookkeeping.RecordAsync(null, state, results, cancellationToken);
        await scope.CommitAsync(cancellationToken);
    }

    public Task DeliverAsync(string runId, ContactEvent contactEvent, CancellationToken cancellationToken = default) =>
        ApplyAsync(runId, new EventReceived(contactEvent), cancellationToken);

    public Task CancelAsync(string runId, string reason, CancellationToken cancellationToken = default) =>
        ApplyAsync(runId, new CancelRequested(reason), cancellationToken);

    /// <summary>Ends a run as failed with <paramref name="reason"/> (the runner gave up on its timer).</summary>
    public Task FailAsync(string runId, string reason, CancellationToken cancellationToken = default) =>
        ApplyAsync(runId, new FailRequested(reason), cancellationToken);

    /// <summary>Fires the timer of a waiting run (called by <see cref="Runner.JourneyRunner"/>).</summary>
    public Task FireTimerAsync(RunState run, CancellationToken cancellationToken = default) =>
        run.Wait is { } wait ? ApplyAsync(run.RunId, new TimerFired(wait.Sequence), cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// Holds a due run of a paused journey: the same wait (same sequence) moved to <paramref name="until"/>, so it
    /// neither fires nor stays at the head of the due list starving other journeys' runs; after a resume it fires. A
    /// run that moved on meanwhile (an event reached it) is left as it is.
    /// </summary>
    public async Task HoldAsync(StoredRun run, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.State.Wait is not { } wait)
        {
            return;
        }

        await using var scope = work.Begin(run.State.ContactId);
        try
        {
            // The due time is kept (the first time only), so the run fires it at resume and the timeline says it was held.
            await runs.UpdateAsync(run.State with { Wait = wait with { Until = until, HeldFrom = wait.HeldFrom ?? wait.Until } }, run.ETag, cancellationToken);
            await scope.CommitAsync(cancellationToken);
        }
        catch (ConcurrencyException) when (scope.Owner)
        {
            // The run moved on: nothing to hold.
        }
    }

    private async Task ApplyAsync(string runId, MachineInput input, CancellationToken cancellationToken)
    {
        var contactId = RunIds.ContactIdOf(runId);
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = contactId is null ? null : work.Begin(contactId);
            try
            {
                await ApplyOnceAsync(runId, input, cancellationToken);
                if (scope is not null)
                {
                    await scope.CommitAsync(cancellationToken);
                }

                return;
            }
            catch (ConcurrencyException) when (attempt < MaxRaceAttempts && (scope?.Owner ?? true))
            {
                logger.LogDebug("Run {RunId} changed under us; re-applying {Input} to fresh state", runId, input.GetType().Name);
            }
        }
    }

    private async Task ApplyOnceAsync(string runId, MachineInput input, CancellationToken cancellationToken)
    {
        var stored = await runs.GetAsync(runId, cancellationToken);
        if (stored is null || stored.State.Status == RunStatus.Completed)
        {
            return;
        }

        var journey = await catalog.GetVersionAsync(stored.State.JourneyId, stored.State.Version, cancellationToken)
            ?? throw new InvalidOperationException($"Run {runId} is pinned to journey {stored.State.JourneyId} version {stored.State.Version}, which is not published.");
        var contact = await contacts.GetAsync(stored.State.ContactId, cancellationToken) ?? new Contact { Id = stored.State.ContactId };
        var first = JourneyMachine.Handle(journey, stored.State, input, contact, time.GetUtcNow());
        if (ReferenceEquals(first.State, stored.State) || (first.Commands.Count == 0 && first.Decisions.Count == 0 && first.State == stored.State))
        {
            return;
        }

        var results = await DriveAsync(journey, first, contact, cancellationToken);
        var state = results[^1].State;
        await runs.UpdateAsync(state, stored.ETag, cancellationToken);
        await bookkeeping.RecordAsync(stored.State, state, results, cancellationToken);
    }

    /// <summary>Executes activities until the run rests (waits or completes); returns every machine result in order.</summary>
    private async Task<IReadOnlyList<MachineResult>> DriveAsync(JourneyDefinition journey, MachineResult first, Contact contact, CancellationToken cancellationToken)
    {
        var results = new List<MachineResult> { first };
        var current = first;
        for (var executed = 0; ; executed++)
        {
            var activity = current.Commands.OfType<ExecuteActivity>().FirstOrDefault();
            if (activity is null || current.State.Status != RunStatus.Executing)
            {
                return results;
            }

            if (executed >= MaxActivitiesPerDrive)
            {
                current = JourneyMachine.Handle(journey, current.State, new CancelRequested($"more than {MaxActivitiesPerDrive} activities without a wait"), contact, time.GetUtcNow());
                results.Add(current);
                return results;
            }

            var outcome = await executor.ExecuteAsync(activity.Request, cancellationToken);
            if (activity.Request is ChangeTagsRequest or SetFieldRequest)
            {
                contact = await contacts.GetAsync(contact.Id, cancellationToken) ?? contact;
            }

            current = JourneyMachine.Handle(journey, current.State, new ActivityCompleted(activity.Request.Sequence, outcome), contact, time.GetUtcNow());
            results.Add(current);
        }
    }
}
