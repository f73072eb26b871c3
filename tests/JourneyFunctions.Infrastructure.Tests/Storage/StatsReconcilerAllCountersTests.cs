using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Memory;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>
/// Issue 15.9 on a real Azurite: transitions recorded by the real <see cref="RunRecorder"/> and
/// <see cref="RunBookkeeping"/> (timeline and run row in one transaction) whose counter increments a crash dropped,
/// then one reconcile: every counter, per journey and per step, equals what live counting would have written.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StatsReconcilerAllCountersTests(AzuriteFixture azurite)
{
    private const string JourneyId = "cart";
    private static readonly DateTimeOffset At = TestData.T0;

    private readonly AzuriteBackend _backend = new(azurite);

    /// <summary>What the live process counted: every increment it meant to write, none of which reached storage.</summary>
    private readonly MemoryStatsStore _counted = new();

    [Fact]
    public async Task ReconcileAsync_EveryIncrementLost_EveryCounterEqualsWhatWasCounted()
    {
        var recorder = new RunRecorder(_backend.Runs(), _backend.Work(), new RunBookkeeping(_backend.Timeline(), new LostIncrements(_counted), _backend.Work()), NullLogger<RunRecorder>.Instance);

        // c-0: email "first", then waits at "wait-order"; its email was opened and clicked.
        var c0 = await StartAsync(recorder, "c-0");
        await MoveAsync(recorder, c0, Waiting(c0, "wait-order"), [new Decision(At, "first", DecisionKind.Activity, "sent"), new Decision(At, "wait-order", DecisionKind.Wait, "waiting for order.placed")]);
        await SentAndEngagedAsync("c-0", c0.RunId, "m-0");

        // c-1: an exit rule ends it at "grace".
        var c1 = await StartAsync(recorder, "c-1");
        await EndAsync(recorder, c1, CompletionReason.ExitedByRule, "order.placed", new Decision(At, null, DecisionKind.Exited, "order.placed ends this journey (exit rule)"));

        // c-2: the goal is reached at "grace" and ends the run.
        var c2 = await StartAsync(recorder, "c-2");
        var goal = new Decision(At, "grace", DecisionKind.Goal, "goal reached");
        await EndAsync(recorder, c2 with { GoalReachedAt = At }, CompletionReason.GoalReached, "order.placed", goal, new RecordGoal("evt-goal", At));

        // c-3: unsubscribed while waiting at "grace".
        var c3 = await StartAsync(recorder, "c-3");
        await EndAsync(recorder, c3, CompletionReason.Cancelled, RunBookkeeping.UnsubscribedReason, new Decision(At, null, DecisionKind.Exited, "the run was cancelled: the contact unsubscribed"));

        // c-4: starts, waits at "grace" and stays there.
        await StartAsync(recorder, "c-4");

        // The gauge also says two runs wait at a step whose contacts were erased since: the reconcile sets it to 0.
        var table = _backend.TableStats();
        await table.IncrementAsync(JourneyId, "gone", StatCounters.Waiting, 2);

        var result = await _backend.Reconciler().ReconcileAsync(TimeSpan.Zero);

        var expected = Flatten(await _counted.GetAsync(JourneyId));
        Assert.Equal(expected, Flatten(await table.GetAsync(JourneyId)));
        Assert.Contains("/entered=5", expected);
        Assert.Contains("grace/visited=5", expected);
        Assert.Contains("grace/waiting=1", expected);
        Assert.Contains("wait-order/waiting=1", expected);
        Assert.Contains("grace/goal=1", expected);
        Assert.Contains("grace/exit.rule=1", expected);
        Assert.Contains("grace/exit.goal=1", expected);
        Assert.Contains("grace/exit.unsubscribe=1", expected);
        Assert.Contains("/unsubscribed=1", expected);
        Assert.Contains("first/opened=1", expected);
        Assert.Contains("first/clicked=1", expected);
        Assert.Equal(2 + 2, result.GaugesMoved); // "gone" down by 2, "grace" and "wait-order" up by 1

        // Facts and counters agree now: another reconcile changes nothing.
        var again = await _backend.Reconciler().ReconcileAsync(TimeSpan.Zero);
        Assert.Equal(0, again.Added);
        Assert.Equal(0, again.GaugesMoved);
    }

    [Fact]
    public async Task ReconcileAsync_CountsAlreadyWritten_AddsNothingAndKeepsTheGauge()
    {
        // Live counting that did reach storage: the reconcile finds nothing missing, the gauge already right.
        var recorder = new RunRecorder(_backend.Runs(), _backend.Work(), new RunBookkeeping(_backend.Timeline(), _backend.TableStats(), _backend.Work()), NullLogger<RunRecorder>.Instance);
        var run = await StartAsync(recorder, "c-0");
        await MoveAsync(recorder, run, Waiting(run, "wait-order"), [new Decision(At, "wait-order", DecisionKind.Wait, "waiting")]);

        var result = await _backend.Reconciler().ReconcileAsync(TimeSpan.Zero);

        Assert.Equal(0, result.Added);
        Assert.Equal(0, result.GaugesMoved);
        var counters = await _backend.TableStats().GetAsync(JourneyId);
        Assert.Equal(0, counters["grace"][StatCounters.Waiting]);
        Assert.Equal(1, counters["wait-order"][StatCounters.Waiting]);
    }

    private static RunState Waiting(RunState state, string stepId) => state with
    {
        Status = RunStatus.Waiting,
        StepId = stepId,
        Sequence = state.Sequence + 1,
        Activity = null,
        Wait = new RunWait { StepId = stepId, Sequence = state.Sequence + 1, Until = At.AddHours(1) },
    };

    private static async Task<RunState> StartAsync(RunRecorder recorder, string contactId)
    {
        var started = Waiting(TestData.Run(JourneyId, contactId) with { Activity = null }, "grace");
        Assert.True(await recorder.RecordAsync(new RunRecord(null, started, [new MachineResult(started, [], [
            new Decision(At, null, DecisionKind.Entered, "cart.updated"),
            new Decision(At, "grace", DecisionKind.Wait, "waiting 1 h"),
        ])])));
        return started;
    }

    private static async Task MoveAsync(RunRecorder recorder, RunState before, RunState after, IReadOnlyList<Decision> decisions) =>
        Assert.True(await recorder.RecordAsync(new RunRecord(before, after, [new MachineResult(after, [], decisions)])));

    private static async Task EndAsync(RunRecorder recorder, RunState before, CompletionReason reason, string detail, Decision decision, MachineCommand? first = null)
    {
        var after = TestData.Completed(before, At) with { Completion = reason, CompletionDetail = detail };
        MachineCommand[] commands = first is null ? [new CompleteRun(reason, detail)] : [first, new CompleteRun(reason, detail)];
        var decisions = decision.Kind == DecisionKind.Goal ? [decision, new Decision(At, null, DecisionKind.Completed, "the goal ends this journey")] : new[] { decision };
        Assert.True(await recorder.RecordAsync(new RunRecord(before, after, [new MachineResult(after, commands, decisions)])));
    }

    /// <summary>An email sent and reported opened and clicked, as the sender and the report processor store them.</summary>
    private async Task SentAndEngagedAsync(string contactId, string runId, string messageId)
    {
        var entry = new LedgerEntry
        {
            RunId = runId,
            StepId = "first",
            OperationId = "op-first",
            JourneyId = JourneyId,
            ContactId = contactId,
            Kind = "email",
            Status = LedgerStatus.Reserved,
            At = At,
        };
        var ledger = _backend.Ledger();
        Assert.True(await ledger.TryReserveAsync(entry));
        await ledger.CompleteAsync(entry with { Status = LedgerStatus.Done, MessageId = messageId });
        await _counted.IncrementAsync(JourneyId, "first", StatCounters.EmailsSent);
        var marks = _backend.ProcessedEvents();
        await marks.MarkAsync(contactId, "acs-open:" + messageId, At);
        await _counted.IncrementAsync(JourneyId, "first", StatCounters.Opened);
        await marks.MarkAsync(contactId, "acs-click:" + messageId, At);
        await _counted.IncrementAsync(JourneyId, "first", StatCounters.Clicked);
    }

    private static List<string> Flatten(IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> counters) =>
        [.. counters.SelectMany(s => s.Value.Where(c => c.Value != 0).Select(c => $"{s.Key}/{c.Key}={c.Value}")).Order(StringComparer.Ordinal)];

    /// <summary>A process killed right after each commit: it meant to count (recorded here), storage never saw it.</summary>
    private sealed class LostIncrements(IStatsStore counted) : IStatsStore
    {
        public Task IncrementAsync(string journeyId, string? stepId, string counter, long delta = 1, CancellationToken cancellationToken = default) =>
            counted.IncrementAsync(journeyId, stepId, counter, delta, cancellationToken);

        public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetAsync(string journeyId, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The crashed process is gone: nothing reads through it.");
    }
}
