using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Microsoft.Extensions.Logging.Abstractions;

namespace JourneyFunctions.Core.Tests.Orchestration;

public sealed class RunRecorderTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private readonly MemoryRuns _runs = new();
    private readonly MemoryTimeline _timeline = new();
    private readonly MemoryStats _stats = new();

    private RunRecorder Recorder => new(_runs, new RunBookkeeping(_timeline, _stats), NullLogger<RunRecorder>.Instance);

    [Fact]
    public async Task RecordAsync_RunStart_CreatesTheRowAndCountsTheEntry()
    {
        var started = State(1, RunStatus.Waiting, "grace");

        var written = await Recorder.RecordAsync(new RunRecord(null, started, [Result(started, "grace", DecisionKind.Wait)]));

        Assert.True(written);
        Assert.Equal(RunStatus.Waiting, (await _runs.GetAsync("run-1"))!.State.Status);
        Assert.Equal(1, _stats.Get("j", null, StatCounters.Entered));
        Assert.Single(_timeline.Entries);
    }

    [Fact]
    public async Task RecordAsync_SameTransitionRetried_RecordsItOnce()
    {
        var started = State(1, RunStatus.Waiting, "grace");
        await Recorder.RecordAsync(new RunRecord(null, started, [Result(started, "grace", DecisionKind.Wait)]));
        var after = State(3, RunStatus.Waiting, "wait-order");
        var record = new RunRecord(started, after, [Result(after, "reminder-1", DecisionKind.Activity)]);

        var first = await Recorder.RecordAsync(record);
        var retry = await Recorder.RecordAsync(record);

        Assert.True(first);
        Assert.False(retry);
        Assert.Equal(1, _stats.Get("j", "reminder-1", StatCounters.Visited));
        Assert.Equal(3, (await _runs.GetAsync("run-1"))!.State.Sequence);
    }

    [Fact]
    public async Task RecordAsync_RowErasedWhileTheRunWaited_WritesNothingBack()
    {
        var started = State(1, RunStatus.Waiting, "grace");
        await Recorder.RecordAsync(new RunRecord(null, started, [Result(started, "grace", DecisionKind.Wait)]));
        await _runs.DeleteForContactAsync("ana");
        _timeline.Entries.Clear();
        var cancelled = State(2, RunStatus.Completed, null) with { Completion = CompletionReason.Cancelled };

        var written = await Recorder.RecordAsync(new RunRecord(started, cancelled, [new MachineResult(cancelled, [new CompleteRun(CompletionReason.Cancelled, "the contact was erased")], [new Decision(At, "grace", DecisionKind.Exited, "cancelled")])]));

        Assert.False(written);
        Assert.Null(await _runs.GetAsync("run-1"));
        Assert.Empty(_timeline.Entries);
        Assert.Equal(0, _stats.Get("j", null, StatCounters.Cancelled));
    }

    private static RunState State(int sequence, RunStatus status, string? stepId) => new()
    {
        RunId = "run-1",
        JourneyId = "j",
        Version = 1,
        ContactId = "ana",
        StartedAt = At,
        Sequence = sequence,
        Status = status,
        StepId = stepId,
    };

    private static MachineResult Result(RunState state, string stepId, DecisionKind kind) =>
        new(state, [], [new Decision(At, stepId, kind, $"{stepId}: {kind}")]);

    private sealed class MemoryRuns : IRunStore
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

    private sealed class MemoryTimeline : ITimelineStore
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

    private sealed class MemoryStats : IStatsStore
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
}
