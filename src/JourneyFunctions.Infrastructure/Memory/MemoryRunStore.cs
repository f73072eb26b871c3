using System.Runtime.CompilerServices;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>In-memory <see cref="IRunStore"/>: run rows with emulated ETags, queried by scanning (fine in one process).</summary>
public sealed class MemoryRunStore : IRunStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, StoredRun> runs = new(StringComparer.Ordinal);

    public Task<StoredRun?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(runs.GetValueOrDefault(runId));
        }
    }

    public Task<StoredRun> CreateAsync(RunState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (gate)
        {
            if (runs.ContainsKey(state.RunId))
            {
                throw new ConcurrencyException($"Run '{state.RunId}' exists already.");
            }

            var stored = new StoredRun(state, MemoryETags.Next());
            runs[state.RunId] = stored;
            return Task.FromResult(stored);
        }
    }

    public Task<StoredRun> UpdateAsync(RunState state, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(etag);
        lock (gate)
        {
            if (!runs.TryGetValue(state.RunId, out var existing) || existing.ETag != etag)
            {
                throw new ConcurrencyException($"Run '{state.RunId}' was changed or deleted by someone else (ETag mismatch).");
            }

            var stored = new StoredRun(state, MemoryETags.Next());
            runs[state.RunId] = stored;
            return Task.FromResult(stored);
        }
    }

    public Task<IReadOnlyList<StoredRun>> ListActiveForContactAsync(string contactId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Select(r => r.State.ContactId == contactId && r.State.Status != RunStatus.Completed));

    public Task<IReadOnlyList<StoredRun>> ListForContactAsync(string contactId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Select(r => r.State.ContactId == contactId));

    public Task<IReadOnlyList<StoredRun>> ListDueAsync(DateTimeOffset dueBy, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        lock (gate)
        {
            IReadOnlyList<StoredRun> due =
            [
                .. runs.Values
                    .Where(r => RunLookup.IsDue(r.State, dueBy))
                    .OrderBy(r => r.State.Wait!.Until!.Value.UtcTicks)
                    .ThenBy(r => r.State.RunId, StringComparer.Ordinal)
                    .Take(max),
            ];
            return Task.FromResult(due);
        }
    }

    public Task<PreviousRun?> GetLatestAsync(string journeyId, string contactId, string? key, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var latest = runs.Values
                .Select(r => r.State)
                .Where(s => s.JourneyId == journeyId && s.ContactId == contactId && s.Key == key)
                .Select(s => (State: s, Generation: RunLookup.GenerationOf(s)))
                .OrderByDescending(x => x.Generation)
                .ThenByDescending(x => x.State.StartedAt)
                .FirstOrDefault();
            return Task.FromResult(latest.State is null
                ? null
                : new PreviousRun(latest.State.RunId, latest.Generation, latest.State.StartedAt, latest.State.EndedAt));
        }
    }

    public async IAsyncEnumerable<RunState> ListActiveForJourneyAsync(string journeyId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var active = Select(r => r.State.JourneyId == journeyId && r.State.Status != RunStatus.Completed);
        foreach (var run in active)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return run.State;
        }

        await Task.CompletedTask;
    }

    public Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var ids = runs.Values.Where(r => r.State.ContactId == contactId).Select(r => r.State.RunId).ToList();
            foreach (var id in ids)
            {
                runs.Remove(id);
            }

            return Task.FromResult(ids.Count);
        }
    }

    /// <summary>Matching runs, newest first (by start, then id), as both stores order contact listings.</summary>
    private IReadOnlyList<StoredRun> Select(Func<StoredRun, bool> predicate)
    {
        lock (gate)
        {
            return [.. runs.Values.Where(predicate).OrderByDescending(r => r.State.StartedAt).ThenByDescending(r => r.State.RunId, StringComparer.Ordinal)];
        }
    }
}
