using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Tests.Orchestration;

// Small in-memory stores for the durable bookkeeping tests: a dictionary each, no concurrency beyond ETags.
internal sealed class MemoryRuns : IRunStore
{
    private readonly Dictionary<string, StoredRun> _rows = [];
    private int _etag;

    public Task<StoredRun?> GetAsync(string runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_rows.GetValueOrDefault(runId));

    public Task<StoredRun> CreateAsync(RunState state, CancellationToken cancellationToken = default)
    {
        if (_rows.ContainsKey(state.RunId))
        {
            throw new ConcurrencyException(state.RunId);
        }

        return Task.FromResult(_rows[state.RunId] = new StoredRun(state, (++_etag).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    public Task<StoredRun> UpdateAsync(RunState state, string etag, CancellationToken cancellationToken = default)
    {
        if (!_rows.TryGetValue(state.RunId, out var row) || row.ETag != etag)
        {
            throw new ConcurrencyException(state.RunId);
        }

        return Task.FromResult(_rows[state.RunId] = new StoredRun(state, (++_etag).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    public Task<IReadOnlyList<StoredRun>> ListActiveForContactAsync(string contactId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StoredRun>>(_rows.Values.Where(r => r.State.ContactId == contactId && r.State.Status != RunStatus.Completed).ToList());

    public Task<IReadOnlyList<StoredRun>> ListForContactAsync(string contactId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StoredRun>>(_rows.Values.Where(r => r.State.ContactId == contactId).ToList());

    public Task<IReadOnlyList<StoredRun>> ListDueAsync(DateTimeOffset dueBy, int max, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StoredRun>>(_rows.Values.Where(r => r.State.Wait?.Until <= dueBy).Take(max).ToList());

    public Task<PreviousRun?> GetLatestAsync(string journeyId, string contactId, string? key, CancellationToken cancellationToken = default) =>
        Task.FromResult<PreviousRun?>(null);

    public async IAsyncEnumerable<RunState> ListActiveForJourneyAsync(string journeyId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var row in _rows.Values.Where(r => r.State.JourneyId == journeyId && r.State.Status != RunStatus.Completed))
        {
            yield return row.State;
        }
    }

    public Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var ids = _rows.Where(r => r.Value.State.ContactId == contactId).Select(r => r.Key).ToList();
        ids.ForEach(id => _rows.Remove(id));
        return Task.FromResult(ids.Count);
    }
}

internal sealed class MemoryTimeline : ITimelineStore
{
    public List<TimelineEntry> Entries { get; } = [];

    public Task AppendAsync(string contactId, IReadOnlyList<TimelineEntry> entries, CancellationToken cancellationToken = default)
    {
        Entries.AddRange(entries);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TimelineEntry>> ListAsync(string contactId, int max = 100, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<TimelineEntry>>(Entries.Take(max).ToList());

    public Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        var n = Entries.Count;
        Entries.Clear();
        return Task.FromResult(n);
    }
}

internal sealed class MemoryStats : IStatsStore
{
    private readonly Dictionary<(string Journey, string Step, string Counter), long> _counters = [];

    public long Get(string journeyId, string? stepId, string counter) => _counters.GetValueOrDefault((journeyId, stepId ?? string.Empty, counter));

    public Task IncrementAsync(string journeyId, string? stepId, string counter, long delta = 1, CancellationToken cancellationToken = default)
    {
        var key = (journeyId, stepId ?? string.Empty, counter);
        _counters[key] = _counters.GetValueOrDefault(key) + delta;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetAsync(string journeyId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>>(_counters
            .Where(c => c.Key.Journey == journeyId)
            .GroupBy(c => c.Key.Step)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(c => c.Key.Counter, c => c.Value)));
}
