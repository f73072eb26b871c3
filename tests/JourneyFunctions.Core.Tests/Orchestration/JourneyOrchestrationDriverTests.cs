using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Tests.Scenarios;
using FsCheck;
using FsCheck.Xunit;

namespace JourneyFunctions.Core.Tests.Orchestration;

public sealed class JourneyOrchestrationDriverTests
{
    // Monday 23 November 2026, 10:00 in Madrid (UTC+1): inside the abandoned-cart send window.
    private static readonly DateTime Start = new(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc);

    private const string Cart = """{"cartId":"c-1","total":89.90,"currency":"EUR","items":[{"sku":"TEE-1","name":"Tee","quantity":2,"price":44.95}]}""";

    private static readonly JourneyDefinition AbandonedCart = Repo.LoadJourney("abandoned-cart") with { Version = 3 };

    [Fact]
    public async Task RunAsync_CartWithoutOrder_SendsBothRemindersTagsAndFinishes()
    {
        var world = new World();

        var (completed, state) = await world.RunWith(new JourneyOrchestrationDriver());

        Assert.True(completed);
        Assert.Equal(RunStatus.Completed, state!.Status);
        Assert.Equal(CompletionReason.Finished, state.Completion);
        Assert.Equal(["cart-reminder-1", "cart-reminder-2"], world.Emails.Select(e => e.Template));
        Assert.Equal(["email", "email", "tags"], world.Executed.Select(e => Kind(e.Request)));
        Assert.Equal(Start.AddHours(1), world.Executed[0].At);
        Assert.Equal(Start.AddHours(1).AddDays(1), world.Executed[1].At);
        Assert.Empty(world.Context.CancelledTimers);
    }

    [Fact]
    public async Task RunAsync_RecordedRun_ReplaysWithTheSameCallsAndResult()
    {
        var world = new World(events: (Start.AddMinutes(30), "page.viewed", "{}"));
        var (_, recorded) = await world.RunWith(new JourneyOrchestrationDriver());
        var replay = ReplayingOrchestrationContext.Replay(world.Context);

        var (completed, replayed) = await replay.Run(c => new JourneyOrchestrationDriver().RunAsync(c, world.Input));

        Assert.True(completed);
        Assert.True(replay.ReplayedEverything);
        Assert.Equal(world.Context.Calls, replay.Calls);
        Assert.Equal(JourneyJson.SerializeState(recorded!), JourneyJson.SerializeState(replayed!));
        Assert.Equal(world.Context.CustomStatus, replay.CustomStatus);
    }

    [Fact]
    public async Task RunAsync_OrderPlacedDuringGrace_CancelsTheTimerAndExitsWithoutEmail()
    {
        var world = new World(events: (Start.AddMinutes(30), "order.placed", """{"orderId":"o-1"}"""));

        var (_, state) = await world.RunWith(new JourneyOrchestrationDriver());

        Assert.Equal(RunStatus.Completed, state!.Status);
        Assert.Contains(state.Completion, new CompletionReason?[] { CompletionReason.ExitedByRule, CompletionReason.GoalReached });
        Assert.Empty(world.Emails);
        Assert.Equal([Start.AddHours(1)], world.Context.CancelledTimers);
        Assert.Equal(Start.AddMinutes(30), state.EndedAt!.Value.UtcDateTime);
        await AssertReplaysAsync(world);
    }

    [Fact]
    public async Task RunAsync_IrrelevantEventDuringWait_KeepsWaitingForTheSameTime()
    {
        var world = new World(events: (Start.AddMinutes(10), "page.viewed", "{}"));

        await world.RunWith(new JourneyOrchestrationDriver());

        // The grace timer lost the race to the event, then was set again for the same instant.
        Assert.Equal([Start.AddHours(1)], world.Context.CancelledTimers);
        Assert.Equal(2, world.Context.Calls.OfType<CreateTimer>().Count(t => t.FireAt == Start.AddHours(1)));
        Assert.Equal(Start.AddHours(1), world.Executed[0].At);
    }

    [Fact]
    public async Task RunAsync_TimerFires_LoadsTheContactBeforeFeedingTheMachine()
    {
        // The run starts with a plain contact; by the time its timers fire, the contact has become a VIP.
        var world = new World { CurrentContact = Ana() with { Tags = new HashSet<string>(["vip"], StringComparer.OrdinalIgnoreCase) } };

        await world.RunWith(new JourneyOrchestrationDriver());

        Assert.Equal(["cart-reminder-1", "cart-reminder-2-coupon"], world.Emails.Select(e => e.Template));
        var calls = world.Context.Calls;
        var firstTimer = calls.FindIndex(c => c is CreateTimer);
        var load = calls.FindIndex(firstTimer, c => c is CallActivity { Name: JourneyOrchestration.LoadContactActivity });
        var execute = calls.FindIndex(firstTimer, c => c is CallActivity { Name: JourneyOrchestration.ExecuteActivityName });
        Assert.True(firstTimer >= 0 && load > firstTimer && load < execute, "LoadContact must come between the timer and the next activity.");
    }

    [Fact]
    public async Task RunAsync_CancelEvent_EndsTheRunAsCancelledAndRecordsIt()
    {
        var world = new World(events: (Start.AddMinutes(5), JourneyOrchestration.CancelEventName, "the contact unsubscribed"));

        var (_, state) = await world.RunWith(new JourneyOrchestrationDriver());

        Assert.Equal(CompletionReason.Cancelled, state!.Completion);
        Assert.Empty(world.Executed);
        var last = world.Records[^1];
        Assert.Equal(RunStatus.Completed, last.After.Status);
        Assert.Contains(last.Results.SelectMany(r => r.Commands), c => c is CompleteRun { Reason: CompletionReason.Cancelled });
        await AssertReplaysAsync(world);
    }

    [Fact]
    public async Task RunAsync_ActivityFailsAfterRetries_EndsTheRunAsFailed()
    {
        var world = new World { Fail = request => request is SendEmailRequest ? "ACS refused the message (400)" : null };

        var (_, state) = await world.RunWith(new JourneyOrchestrationDriver());

        Assert.Equal(CompletionReason.Failed, state!.Completion);
        Assert.Contains(world.Context.History.OfType<ActivityResult>(), r => r.Failure == "ACS refused the message (400)");
        Assert.Equal(RunStatus.Completed, world.Records[^1].After.Status);
        await AssertReplaysAsync(world);
    }

    [Fact]
    public async Task RunAsync_JourneyPausedWhenTheTimerFires_HoldsUntilResumedThenContinues()
    {
        // Paused from the start until three hours in: the one-hour grace timer holds, rechecking every 15 minutes.
        var world = new World { Paused = at => at < Start.AddHours(3) };

        var driver = new JourneyOrchestrationDriver(pauseRecheck: TimeSpan.FromMinutes(15));
        var (_, state) = await world.RunWith(driver);

        Assert.Equal(CompletionReason.Finished, state!.Completion);
        Assert.Equal(Start.AddHours(3), world.Executed[0].At);
        var holds = world.Context.Calls.OfType<CreateTimer>().Select(t => t.FireAt).Where(t => t > Start.AddHours(1) && t <= Start.AddHours(3)).ToList();
        Assert.Equal(8, holds.Count);
        Assert.Equal(Start.AddHours(1).AddMinutes(15), holds[0]);
        await AssertReplaysAsync(world, driver);
    }

    [Fact]
    public async Task RunAsync_JourneyResumedWhileTheTimerHolds_FiresAtTheResumeAndRecordsWhy()
    {
        // Paused until 2h10; the resume queues journey.resumed, which reaches the run before its next 15-minute check.
        var resumedAt = Start.AddHours(2).AddMinutes(10);
        var world = new World(events: (resumedAt, SystemEvents.JourneyResumed, """{"journeyId":"abandoned-cart"}""")) { Paused = at => at < resumedAt };

        var driver = new JourneyOrchestrationDriver(pauseRecheck: TimeSpan.FromMinutes(15));
        var (_, state) = await world.RunWith(driver);

        Assert.Equal(CompletionReason.Finished, state!.Completion);
        Assert.Equal(resumedAt, world.Executed[0].At);
        var held = Assert.Single(world.Records.SelectMany(r => r.Results).SelectMany(r => r.Decisions), d => d.Message.StartsWith("held while paused", StringComparison.Ordinal));
        Assert.Equal(DecisionKind.Deferred, held.Kind);
        Assert.Equal("grace", held.StepId);
        await AssertReplaysAsync(world, driver);
    }

    [Fact]
    public async Task RunAsync_JourneyPaused_EventsStillReachTheRun()
    {
        var world = new World(events: (Start.AddHours(2), "order.placed", """{"orderId":"o-1"}""")) { Paused = _ => true };

        var (completed, state) = await world.RunWith(new JourneyOrchestrationDriver());

        Assert.True(completed);
        Assert.Equal(RunStatus.Completed, state!.Status);
        Assert.Empty(world.Emails);
        Assert.Equal(Start.AddHours(2), state.EndedAt!.Value.UtcDateTime);
    }

    [Fact]
    public async Task RunAsync_Start_RecordsTheRunBeforeAnyActivity()
    {
        var world = new World();

        await world.RunWith(new JourneyOrchestrationDriver());

        var activities = world.Context.Calls.OfType<CallActivity>().Select(c => c.Name).ToList();
        Assert.Equal([JourneyOrchestration.LoadJourneyActivity, JourneyOrchestration.RecordResultActivity], activities.Take(2));
        Assert.Null(world.Records[0].Before);
        Assert.Equal("abandoned-cart:ana:k=c-1", world.Records[0].After.RunId);
        // Every later record continues from the state the previous one wrote.
        for (var i = 1; i < world.Records.Count; i++)
        {
            Assert.Equal(world.Records[i - 1].After.Sequence, world.Records[i].Before!.Sequence);
        }
    }

    [Fact]
    public async Task RunAsync_Waiting_PublishesStepAndWaitingUntil()
    {
        // No order arrives: the run waits at wait-order for the event or its one-day timeout, then finishes.
        var world = new World();
        var driver = new JourneyOrchestrationDriver();

        var statuses = new List<RunProgress>();
        var (completed, _) = await world.Context.Run(async context =>
        {
            var spy = new StatusSpy(context, statuses);
            return await driver.RunAsync(spy, world.Input);
        });

        Assert.True(completed);
        var waitingForOrder = statuses.First(s => s.StepId == "wait-order");
        Assert.Equal(RunStatus.Waiting, waitingForOrder.Status);
        Assert.Equal(["order.placed"], waitingForOrder.WaitingFor);
        Assert.Equal(Start.AddHours(1).AddDays(1), waitingForOrder.WaitingUntil!.Value.UtcDateTime);
        Assert.Equal(RunStatus.Completed, statuses[^1].Status);
    }

    [Fact]
    public async Task RunAsync_ManyInputs_ContinuesAsNewAtRestAndTheNextExecutionFinishesTheRun()
    {
        var world = new World(events: [(Start.AddMinutes(1), "page.viewed", "{}"), (Start.AddMinutes(2), "page.viewed", "{}"), (Start.AddMinutes(3), "page.viewed", "{}")]);
        var driver = new JourneyOrchestrationDriver(inputsPerExecution: 2);

        var (completed, result) = await world.RunWith(driver);

        Assert.True(completed);
        Assert.Null(result);
        var carried = JsonSerializer.Deserialize<JourneyRunInput>(world.Context.ContinuedAsNewWith!, OrchestrationJson.Options)!;
        Assert.Null(carried.Start);
        Assert.Equal(RunStatus.Waiting, carried.State!.Status);
        Assert.Equal("grace", carried.State.StepId);
        Assert.Equal(world.Context.Calls[^1], new ContinueAsNew(world.Context.ContinuedAsNewWith!));

        // The next execution starts from the carried state with fresh history and completes the run.
        var next = new World(input: carried, start: world.Context.CurrentUtcDateTime);
        var (nextCompleted, state) = await next.RunWith(new JourneyOrchestrationDriver());
        Assert.True(nextCompleted);
        Assert.Equal(CompletionReason.Finished, state!.Completion);
        Assert.Equal(["cart-reminder-1", "cart-reminder-2"], next.Emails.Select(e => e.Template));
        Assert.Equal(Start.AddHours(1), next.Executed[0].At);
    }

    [Fact]
    public async Task RunAsync_WaitWithoutEnd_CreatesNoTimerAndWakesOnTheEvent()
    {
        var recorded = new World();
        await recorded.RunWith(new JourneyOrchestrationDriver(inputsPerExecution: 1));
        var carried = JsonSerializer.Deserialize<JourneyRunInput>(recorded.Context.ContinuedAsNewWith!, OrchestrationJson.Options)!;
        // An event-only wait (no Until): only external events can end it.
        var eventOnly = carried with { State = carried.State! with { Wait = carried.State.Wait! with { Until = null } } };
        var world = new World(input: eventOnly, events: (Start.AddDays(30), "order.placed", """{"orderId":"o-9"}"""));

        var (_, state) = await world.RunWith(new JourneyOrchestrationDriver());

        Assert.Empty(world.Context.Calls.OfType<CreateTimer>());
        Assert.Equal(RunStatus.Completed, state!.Status);
        Assert.Equal(Start.AddDays(30), state.EndedAt!.Value.UtcDateTime);
    }

    [Fact]
    public async Task RunAsync_Replay_LogsNothingAlreadyLogged()
    {
        var world = new World();
        await world.RunWith(new JourneyOrchestrationDriver());
        var replay = ReplayingOrchestrationContext.Replay(world.Context);

        await replay.Run(c => new JourneyOrchestrationDriver().RunAsync(c, world.Input));

        Assert.Contains(world.Context.Logs, l => l.Contains("started", StringComparison.Ordinal));
        Assert.DoesNotContain(replay.Logs, l => l.Contains("started", StringComparison.Ordinal));
    }

    [Property(MaxTest = 40)]
    public bool Replay_AnyEventScript_MakesTheSameCallsAndReachesTheSameState(PositiveInt[] minutes, byte[] kinds)
    {
        // Any few contact events (or a cancel) at any times in the first three days: the recorded execution replays
        // call for call, and recording the same script again gives the same history (the driver is deterministic).
        string[] names = ["page.viewed", "order.placed", "cart.emptied", "cart.updated", JourneyOrchestration.CancelEventName];
        var count = Math.Min(Math.Min(minutes.Length, kinds.Length), 6);
        var script = Enumerable.Range(0, count)
            .Select(i => (Start.AddMinutes(minutes[i].Get % (3 * 24 * 60)), names[kinds[i] % names.Length], i % 2 == 0 ? "{}" : """{"cartId":"c-1"}"""))
            .ToArray();

        var first = new World(events: script);
        var (completed, state) = first.RunWith(new JourneyOrchestrationDriver()).GetAwaiter().GetResult();
        var again = new World(events: script);
        again.RunWith(new JourneyOrchestrationDriver()).GetAwaiter().GetResult();
        var replay = ReplayingOrchestrationContext.Replay(first.Context);
        var (replayCompleted, replayed) = replay.Run(c => new JourneyOrchestrationDriver().RunAsync(c, first.Input)).GetAwaiter().GetResult();

        return completed && replayCompleted
            && replay.ReplayedEverything
            && first.Context.Calls.SequenceEqual(replay.Calls)
            && first.Context.Calls.SequenceEqual(again.Context.Calls)
            && first.Context.History.SequenceEqual(again.Context.History)
            && JourneyJson.SerializeState(state!) == JourneyJson.SerializeState(replayed!)
            && first.Emails.Select(e => e.OperationId).Distinct().Count() == first.Emails.Count();
    }

    [Fact]
    public async Task Replay_OrchestratorCallsInAnotherOrder_FailsAsNonDeterministic()
    {
        // Proves the fake catches what the durable runtime would reject.
        var replaying = false;
        async Task<int> Flaky(IOrchestrationContextPort context)
        {
            var first = replaying ? JourneyOrchestration.LoadContactActivity : JourneyOrchestration.LoadJourneyActivity;
            var second = replaying ? JourneyOrchestration.LoadJourneyActivity : JourneyOrchestration.LoadContactActivity;
            await context.CallActivityAsync<string>(first, "x");
            await context.CallActivityAsync<string>(second, "x");
            return 0;
        }

        var recording = ReplayingOrchestrationContext.Record("i", Start, (name, _) => name);
        await recording.Run(Flaky);
        replaying = true;
        var replay = ReplayingOrchestrationContext.Replay(recording);

        var error = await Assert.ThrowsAsync<NonDeterminismException>(() => replay.Run(Flaky));
        Assert.Contains("call 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_OrchestratorWaitsWhereHistoryHasAnActivity_FailsAsNonDeterministic()
    {
        var recording = ReplayingOrchestrationContext.Record("i", Start, (name, _) => name);
        await recording.Run(async context => await context.CallActivityAsync<string>("A", "x"));
        var replay = ReplayingOrchestrationContext.Replay(recording);

        await Assert.ThrowsAsync<NonDeterminismException>(() => replay.Run(async context =>
        {
            await context.CreateTimer(Start.AddHours(1), CancellationToken.None);
            return await context.CallActivityAsync<string>("A", "x");
        }));
    }

    /// <summary>Replays the recorded calls with <paramref name="driver"/> (the one that recorded them; default settings when null).</summary>
    private static async Task AssertReplaysAsync(World world, JourneyOrchestrationDriver? driver = null)
    {
        var recorded = world.Context;
        var replay = ReplayingOrchestrationContext.Replay(recorded);
        var (completed, _) = await replay.Run(c => (driver ?? new JourneyOrchestrationDriver()).RunAsync(c, world.Input));
        Assert.True(completed);
        Assert.True(replay.ReplayedEverything);
        Assert.Equal(recorded.Calls, replay.Calls);
    }

    private static string Kind(ActivityRequest request) => request switch
    {
        SendEmailRequest => "email",
        ChangeTagsRequest => "tags",
        SetFieldRequest => "field",
        CallWebhookRequest => "webhook",
        _ => "unknown",
    };

    private static Contact Ana() => new()
    {
        Id = "ana",
        Email = "ana@example.com",
        TimeZone = "Europe/Madrid",
        Consent = new Consent { Marketing = true, Source = "checkout" },
    };

    /// <summary>The activities' side of the world for one recorded execution: journey store, contact, effects.</summary>
    private sealed class World
    {
        public World(JourneyRunInput? input = null, DateTime? start = null, params (DateTime At, string Name, string Json)[] events)
        {
            var trigger = new ContactEvent
            {
                Id = "evt-1",
                ContactId = "ana",
                Name = "cart.updated",
                Data = JsonDocument.Parse(Cart).RootElement.Clone(),
                OccurredAt = Start,
            };
            var entry = JourneyMachine.DecideEntry(AbandonedCart, Ana(), trigger, null, Start);
            Input = input ?? new JourneyRunInput { JourneyId = AbandonedCart.Id, Version = 3, Start = new RunStart(entry, Ana(), trigger, Start) };
            // Contact events travel as the contact-event external event; a cancel carries its reason.
            var script = events.Select(e => e.Name == JourneyOrchestration.CancelEventName
                ? (e.At, JourneyOrchestration.CancelEventName, (object)e.Json)
                : (e.At, JourneyOrchestration.ContactEventName, (object)Event(e.Name, e.Json, e.At))).ToArray();
            Context = ReplayingOrchestrationContext.Record(Input.State?.RunId ?? entry.RunId!, start ?? Start, Handle, script);
        }

        public JourneyRunInput Input { get; }

        public ReplayingOrchestrationContext Context { get; }

        public Contact CurrentContact { get; set; } = Ana();

        public Func<ActivityRequest, string?> Fail { get; set; } = _ => null;

        /// <summary>Whether the journey is paused at a given instant; default never.</summary>
        public Func<DateTime, bool> Paused { get; set; } = _ => false;

        public List<(DateTime At, ActivityRequest Request)> Executed { get; } = [];

        public List<RunRecord> Records { get; } = [];

        public IEnumerable<SendEmailRequest> Emails => Executed.Select(e => e.Request).OfType<SendEmailRequest>();

        public Task<(bool Completed, RunState? Result)> RunWith(JourneyOrchestrationDriver driver) => Context.Run(c => driver.RunAsync(c, Input));

        private static ContactEvent Event(string name, string json, DateTime at) => new()
        {
            Id = $"evt-{name}-{at:HHmm}",
            ContactId = "ana",
            Name = name,
            Data = JsonDocument.Parse(json).RootElement.Clone(),
            OccurredAt = at,
        };

        private object? Handle(string name, object input) => name switch
        {
            JourneyOrchestration.LoadJourneyActivity => ((JourneyVersionRef)input) is { JourneyId: "abandoned-cart", Version: 3 }
                ? AbandonedCart
                : throw new InvalidOperationException($"Unexpected journey {input}."),
            JourneyOrchestration.LoadContactActivity => (string)input == "ana" ? CurrentContact : null,
            JourneyOrchestration.ExecuteActivityName => Execute(((ExecuteActivityInput)input).Request),
            JourneyOrchestration.RecordResultActivity => Record((RunRecord)input),
            JourneyOrchestration.IsJourneyPausedActivity => (string)input == "abandoned-cart" && Paused(Context.CurrentUtcDateTime),
            _ => throw new InvalidOperationException($"Unknown activity {name}."),
        };

        private ActivityOutcome Execute(ActivityRequest request)
        {
            Executed.Add((Context.CurrentUtcDateTime, request));
            return Fail(request) is { } reason ? throw new ActivityFailedException(reason) : ActivityOutcome.Succeeded();
        }

        private bool Record(RunRecord record)
        {
            Records.Add(record);
            return true;
        }
    }

    /// <summary>Passes every call through and keeps the custom statuses the driver publishes.</summary>
    private sealed class StatusSpy(IOrchestrationContextPort inner, List<RunProgress> statuses) : IOrchestrationContextPort
    {
        public string InstanceId => inner.InstanceId;

        public DateTime CurrentUtcDateTime => inner.CurrentUtcDateTime;

        public bool IsReplaying => inner.IsReplaying;

        public Task<TResult> CallActivityAsync<TResult>(string name, object input) => inner.CallActivityAsync<TResult>(name, input);

        public Task CreateTimer(DateTime fireAtUtc, CancellationToken cancellationToken) => inner.CreateTimer(fireAtUtc, cancellationToken);

        public Task<T> WaitForExternalEvent<T>(string name, CancellationToken cancellationToken) => inner.WaitForExternalEvent<T>(name, cancellationToken);

        public void ContinueAsNew(object input) => inner.ContinueAsNew(input);

        public void SetCustomStatus(object? status)
        {
            statuses.Add((RunProgress)status!);
            inner.SetCustomStatus(status);
        }

        public Microsoft.Extensions.Logging.ILogger CreateReplaySafeLogger(string categoryName) => inner.CreateReplaySafeLogger(categoryName);
    }
}
