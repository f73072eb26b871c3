using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Core.Orchestration;

/// <summary>
/// Prepares a durable run start the way the built-in engine starts one: the first machine step is computed and the
/// run row written (with its timeline and "entered" count) before the orchestration is scheduled. Without it, an event
/// for the contact that the router handles right after the start (an order placed seconds after the cart update)
/// would find no active run to deliver to, because the orchestration writes its row only once it first runs. The
/// orchestration starts the machine at the same instant (<see cref="RunStart.At"/>), computes the same state, and its
/// own first record is then a no-op. Under the router's unit of work (<see cref="IContactWork"/>) the row is flushed
/// before returning, since the orchestration it prepares is scheduled before the router commits.
/// </summary>
public sealed class RunStartPreparer(IRunStore runs, IContactWork work, RunBookkeeping bookkeeping, TimeProvider time)
{
    /// <summary>
    /// Writes the run row if it does not exist and returns the orchestration input. When the row exists (a retry of
    /// a start whose scheduling failed), the input reuses the row's start instant so the states agree.
    /// </summary>
    public async Task<JourneyRunInput> PrepareAsync(StartRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var runId = request.Entry.RunId ?? throw new ArgumentException("The entry decision has no run id.", nameof(request));
        var existing = await runs.GetAsync(runId, cancellationToken);
        var at = existing?.State.StartedAt ?? time.GetUtcNow();
        if (existing is null)
        {
            var first = JourneyMachine.Start(request.Journey, request.Entry, request.Contact, request.Trigger, at);
            try
            {
                await runs.CreateAsync(first.State, cancellationToken);
                await bookkeeping.RecordAsync(null, first.State, [first], cancellationToken);
                await work.FlushAsync(cancellationToken);
            }
            catch (ConcurrencyException)
            {
                // A concurrent start of the same run wrote it first: follow its instant.
                at = (await runs.GetAsync(runId, cancellationToken))?.State.StartedAt ?? at;
            }
        }

        return new JourneyRunInput
        {
            JourneyId = request.Journey.Id,
            Version = request.Journey.Version ?? 1,
            Start = new RunStart(request.Entry, request.Contact, request.Trigger, at),
        };
    }
}
