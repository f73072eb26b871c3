using System.Runtime.CompilerServices;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>
/// In-memory <see cref="IRunStore"/>: run rows with emulated ETags, an index by contact and a sorted timer index, so
/// the due-timer poll and per-contact lookups stay cheap with many runs (the simulator drives thousands on a fake
/// clock). One lock keeps the rows and both indexes in step.
/// </summary>
public sealed class MemoryRunStore : IRunStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StoredRun> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _byContact = new(StringComparer.Ordinal);
    private readonly SortedSet<(long Ticks, string RunId)> _timers = new(TimerOrder.Instance);

    public Task<StoredRun?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_runs.GetValueOrDefault(runId));
        }
    }

    public Task<StoredRun> CreateAsync(RunState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            if (_runs.ContainsKey(state.RunId))
            {
                throw new ConcurrencyException($"Run '{state.RunId}' exists already.");
            }

            var stored = new StoredRun(state, MemoryETags.Next());
            Put(null, stored);
            return Task.FromResult(stored);
        }
    }

    public Task<StoredRun> UpdateAsync(RunState state, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(etag);
        lock (_gate)
        {
            if (!_runs.TryGetValue(state.RunId, out var existing) || existing.ETag != etag)
            {
                throw new ConcurrencyException($"Run '{state.RunId}' was changed or deleted by someone else (ETag mismatch).");
            }

            var stored = new StoredRun(state, MemoryETags.Next());
            Put(existing, stored);
            return Task.FromResult(stored);
        }
    }

    public Task<IReadOnlyList<StoredRun>> ListActiveForContactAsync(string contactId, CancellationToken cancellationToken = default) =>
        Task.FromResult(ForContact(contactId, activeOnly: true));

    public Task<IReadOnlyList<StoredRun>> ListForContactAsync(string contactId, CancellationToken cancellationToken = default) =>
        Task.FromResult(ForContact(contactId, activeOnly: false));

    public Task<IReadOnlyList<StoredRun>> ListDueAsync(DateTimeOffset dueBy, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        lock (_gate)
        {
            var due = new List<StoredRun>();
            foreach (var (ticks, runId) in _timers)
            {
                if (ticks > dueBy.UtcTicks || due.Count >= max)
                {
                    break;
                }

                due.Add(_runs[runId]);
            }

            return Task.FromResult<IReadOnlyList<StoredRun>>(due);
        }
    }

    public Task<PreviousRun?> GetLatestAsync(string journeyId, string contactId, string? key, CancellationToken cancellationToken = default)
    {
        var latest = ForContact(contactId, activeOnly: false)
            .Select(r => r.State)
            .Where(s => s.JourneyId == journeyId && s.Key == key)
            .Select(s => (State: s, Generation: RunLookup.GenerationOf(s)))
            .OrderByDescending(x => x.Generation)
            .ThenByDescending(x => x.State.StartedAt)
            .FirstOrDefault();
        return Task.FromResult(latest.State is null
            ? null
            : new PreviousRun(latest.State.RunId, latest.Generation, latest.State.StartedAt, latest.State.EndedAt));
    }

    public async IAsyncEnumerable<RunState> ListActiveForJourneyAsync(string journeyId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<RunState> active;
        lock (_gate)
        {
            active = [.. _runs.Values.Select(r => r.State).Where(s => s.JourneyId == journeyId && s.Status != RunStatus.Completed)];
        }

        foreach (var run in active)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return run;
        }

        await Task.CompletedTask;
    }

    public Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_byContact.Remove(contactId, out var ids))
            {
                return Task.FromResult(0);
            }

            foreach (var id in ids)
            {
                if (_runs.Remove(id, out var run) && TimerOf(run.State) is { } ticks)
                {
                    _timers.Remove((ticks, id));
                }
            }

            return Task.FromResult(ids.Count);
        }
    }

    /// <summary>Replaces a row and moves its index entries; call under the lock.</summary>
    private void Put(StoredRun? previous, StoredRun next)
    {
        var runId = next.State.RunId;
        if (previous is not null && TimerOf(previous.State) is { } oldTicks)
        {
            _timers.Remove((oldTicks, runId));
        }

        if (TimerOf(next.State) is { } newTicks)
        {
            _timers.Add((newTicks, runId));
        }

        if (previous is not null && previous.State.ContactId != next.State.ContactId && _byContact.TryGetValue(previous.State.ContactId, out var old))
        {
            old.Remove(runId);
        }

        if (!_byContact.TryGetValue(next.State.ContactId, out var ids))
        {
            ids = new HashSet<string>(StringComparer.Ordinal);
            _byContact[next.State.ContactId] = ids;
        }

        ids.Add(runId);
        _runs[runId] = next;
    }

    /// <summary>The due time of a run waiting on a timer, as UTC ticks; null otherwise.</summary>
    private static long? TimerOf(RunState state) =>
        state.Status == RunStatus.Waiting && state.Wait?.Until is { } until ? until.UtcTicks : null;

    /// <summary>Runs of a contact, newest first (by start, then id), as both stores order contact listings.</summary>
    private IReadOnlyList<StoredRun> ForContact(string contactId, bool activeOnly)
    {
        lock (_gate)
        {
            if (!_byContact.TryGetValue(contactId, out var ids))
            {
                return [];
            }

            return
            [
                .. ids.Select(id => _runs[id])
                    .Where(r => !activeOnly || r.State.Status != RunStatus.Completed)
                    .OrderByDescending(r => r.State.StartedAt)
                    .ThenByDescending(r => r.State.RunId, StringComparer.Ordinal),
            ];
        }
    }

    private sealed class TimerOrder : IComparer<(long Ticks, string RunId)>
    {
        public static readonly TimerOrder Instance = new();

        public int Compare((long Ticks, string RunId) x, (long Ticks, string RunId) y)
        {
            var byTime = x.Ticks.CompareTo(y.Ticks);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.RunId, y.RunId);
        }
    }
}
