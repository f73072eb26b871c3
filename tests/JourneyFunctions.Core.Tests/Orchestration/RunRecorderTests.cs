using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Memory;
using Microsoft.Extensions.Logging.Abstractions;

namespace JourneyFunctions.Core.Tests.Orchestration;

public sealed class RunRecorderTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private readonly MemoryRunStore _runs = new();
    private readonly MemoryTimelineStore _timeline = new();
    private readonly MemoryStatsStore _stats = new();

    private RunRecorder Recorder => new(_runs, ImmediateContactWork.Instance, new RunBookkeeping(_timeline, _stats, ImmediateContactWork.Instance), NullLogger<RunRecorder>.Instance);

    [Fact]
    public async Task RecordAsync_RunStart_CreatesTheRowAndCountsTheEntry()
    {
        var started = State(1, RunStatus.Waiting, "grace");

        var written = await Recorder.RecordAsync(new RunRecord(null, started, [Result(started, "grace", DecisionKind.Wait)]));

        Assert.True(written);
        Assert.Equal(RunStatus.Waiting, (await _runs.GetAsync("run-1"))!.State.Status);
        Assert.Equal(1, await Count("j", null, StatCounters.Entered));
        Assert.Single(await _timeline.ListAsync("ana"));
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
        Assert.Equal(1, await Count("j", "reminder-1", StatCounters.Visited));
        Assert.Equal(3, (await _runs.GetAsync("run-1"))!.State.Sequence);
    }

    [Fact]
    public async Task RecordAsync_RowErasedWhileTheRunWaited_WritesNothingBack()
    {
        var started = State(1, RunStatus.Waiting, "grace");
        await Recorder.RecordAsync(new RunRecord(null, started, [Result(started, "grace", DecisionKind.Wait)]));
        await _runs.DeleteForContactAsync("ana");
        await _timeline.DeleteForContactAsync("ana");
        var cancelled = State(2, RunStatus.Completed, null) with { Completion = CompletionReason.Cancelled };

        var written = await Recorder.RecordAsync(new RunRecord(started, cancelled, [new MachineResult(cancelled, [new CompleteRun(CompletionReason.Cancelled, "the contact was erased")], [new Decision(At, "grace", DecisionKind.Exited, "cancelled")])]));

        Assert.False(written);
        Assert.Null(await _runs.GetAsync("run-1"));
        Assert.Empty(await _timeline.ListAsync("ana"));
        Assert.Equal(0, await Count("j", null, StatCounters.Cancelled));
    }

    [Fact]
    public async Task RecordAsync_RunMovesThenEnds_TheWaitingGaugeFollowsIt()
    {
        var started = State(1, RunStatus.Waiting, "grace");
        await Recorder.RecordAsync(new RunRecord(null, started, [Result(started, "grace", DecisionKind.Wait)]));
        Assert.Equal(1, await Count("j", "grace", StatCounters.Waiting));

        var moved = State(3, RunStatus.Waiting, "wait-order");
        await Recorder.RecordAsync(new RunRecord(started, moved, [Result(moved, "wait-order", DecisionKind.Wait)]));
        Assert.Equal(0, await Count("j", "grace", StatCounters.Waiting));
        Assert.Equal(1, await Count("j", "wait-order", StatCounters.Waiting));

        var ended = State(4, RunStatus.Completed, null) with { Completion = CompletionReason.Cancelled, CompletionDetail = RunBookkeeping.UnsubscribedReason };
        await Recorder.RecordAsync(new RunRecord(moved, ended, [new MachineResult(ended, [new CompleteRun(CompletionReason.Cancelled, RunBookkeeping.UnsubscribedReason)], [new Decision(At, null, DecisionKind.Exited, "cancelled")])]));

        Assert.Equal(0, await Count("j", "wait-order", StatCounters.Waiting));
        Assert.Equal(1, await Count("j", "wait-order", StatCounters.ExitByUnsubscribe));
        Assert.Equal(1, await Count("j", "wait-order", StatCounters.Cancelled));
        Assert.Equal(1, await Count("j", null, StatCounters.Unsubscribed));

        // The per-step counts of the last transition are in its timeline entry, the fact a reconcile counts them from.
        var last = (await _timeline.ListAsync("ana"))[0];
        Assert.Equal(
            [new StepCount("wait-order", StatCounters.Cancelled), new StepCount("wait-order", StatCounters.ExitByUnsubscribe)],
            StepCountJson.Read(last.Data));
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

    private async Task<long> Count(string journeyId, string? stepId, string counter) =>
        (await _stats.GetAsync(journeyId)).TryGetValue(stepId ?? string.Empty, out var counters) && counters.TryGetValue(counter, out var value) ? value : 0;
}
