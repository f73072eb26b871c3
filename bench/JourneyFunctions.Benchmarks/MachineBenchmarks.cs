using System.Text.Json;
using BenchmarkDotNet.Attributes;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Benchmarks;

/// <summary>
/// Transitions of the pure journey machine. Each benchmark feeds <see cref="Transitions"/> inputs to one run, each
/// input being one transition (wake up, execute the steps up to the next activity or wait, issue it), so the reported
/// time per operation is the time per transition: transitions/s = 1e9 / (ns per op).
/// </summary>
[MemoryDiagnoser]
[TransitionsPerSecondColumnAttribute]
public class MachineBenchmarks
{
    internal const int Transitions = 1000;
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(1));

    private JourneyDefinition _waitsAndBranches = null!;
    private JourneyDefinition _activities = null!;
    private JourneyDefinition _events = null!;
    private JourneyDefinition _cart = null!;
    private Contact _contact = null!;
    private RunState _waitsStart = null!;
    private RunState _activitiesStart = null!;
    private RunState _eventsStart = null!;
    private ContactEvent _trigger = null!;
    private ContactEvent[] _orders = null!;

    [GlobalSetup]
    public void Setup()
    {
        _contact = new Contact
        {
            Id = "ana",
            Email = "ana@example.com",
            TimeZone = "Europe/Madrid",
            Tags = new HashSet<string>(["newsletter", "vip"], StringComparer.OrdinalIgnoreCase),
            Fields = new Dictionary<string, JsonElement> { ["country"] = JsonDocument.Parse("\"ES\"").RootElement.Clone() },
        };
        _trigger = new ContactEvent
        {
            Id = "e-1",
            ContactId = "ana",
            Name = "cart.updated",
            Data = JsonDocument.Parse("""{"cartId":"c-1","total":89.9,"items":[{"sku":"TEE","quantity":2}]}""").RootElement.Clone(),
            OccurredAt = T0,
        };

        // wait -> branch -> wait -> branch ... -> back to the first wait: every timer wakes the run, evaluates a
        // branch and starts the next wait.
        var steps = new List<Step>();
        for (var i = 0; i < 10; i++)
        {
            steps.Add(new WaitStep { Id = $"wait-{i}", Duration = "PT1H" });
            steps.Add(new BranchStep
            {
                Id = $"check-{i}",
                If = new Condition { Any = [new Condition { Tag = "vip" }, new Condition { Field = "trigger.total", GreaterThan = JsonDocument.Parse("50").RootElement.Clone() }] },
                Then = i == 9 ? "wait-0" : $"wait-{i + 1}",
                Else = i == 9 ? "wait-0" : $"wait-{i + 1}",
            });
        }

        _waitsAndBranches = Journey("waits", steps);

        // tags -> split -> webhook -> wait, looping: activities completing and timers.
        _activities = Journey("activities",
        [
            new TagsStep { Id = "tag", Add = ["engaged"] },
            new SplitStep { Id = "ab", Paths = [new SplitPath { Percent = 50, Label = "A" }, new SplitPath { Percent = 50, Label = "B" }] },
            new WebhookStep { Id = "crm", Url = "https://crm.example/hook" },
            new WaitStep { Id = "pause", Duration = "P1D", Next = "tag" },
        ]);

        // waitForEvent looping: each order wakes the run, which waits again.
        _events = Journey("events",
        [
            new WaitForEventStep { Id = "wait-order", Event = "order.placed", Timeout = "P7D", Next = "wait-order", OnEvent = "wait-order" },
        ]);
        _orders = Enumerable.Range(0, Transitions).Select(i => new ContactEvent
        {
            Id = $"o-{i}",
            ContactId = "ana",
            Name = "order.placed",
            Data = JsonDocument.Parse($$"""{"orderId":"o-{{i}}","total":{{i}}}""").RootElement.Clone(),
            OccurredAt = T0,
        }).ToArray();

        _cart = new JourneyDefinition
        {
            Id = "abandoned-cart",
            Name = "Abandoned cart",
            Version = 1,
            Trigger = new Trigger { Event = "cart.updated", Key = "cartId" },
            ExitWhen = [new ExitRule { Event = "order.placed" }],
            Goal = new Goal { Event = "order.placed", Within = "P7D" },
            SendWindow = new SendWindow { From = "09:00", To = "20:00" },
            Steps =
            [
                new WaitStep { Id = "grace", Duration = "PT1H" },
                new EmailStep { Id = "reminder-1", Template = "cart-reminder-1" },
            ],
        };

        _waitsStart = StartRun(_waitsAndBranches);
        _activitiesStart = StartRun(_activities);
        _eventsStart = StartRun(_events);
    }

    /// <summary>A timer fires, a branch is evaluated, the next wait starts.</summary>
    [Benchmark(OperationsPerInvoke = Transitions)]
    public RunState Machine_TimerThroughBranch()
    {
        var state = _waitsStart;
        var now = T0;
        for (var i = 0; i < Transitions; i++)
        {
            now = state.Wait!.Until!.Value;
            state = JourneyMachine.Handle(_waitsAndBranches, state, new TimerFired(state.Sequence), _contact, now).State;
        }

        return state;
    }

    /// <summary>Activity results and timers: tags, split, webhook, wait, in a loop.</summary>
    [Benchmark(OperationsPerInvoke = Transitions)]
    public RunState Machine_ActivitiesAndTimers()
    {
        var state = _activitiesStart;
        var now = T0;
        var succeeded = ActivityOutcome.Succeeded();
        for (var i = 0; i < Transitions; i++)
        {
            MachineInput input;
            if (state.Status == RunStatus.Waiting)
            {
                now = state.Wait!.Until!.Value;
                input = new TimerFired(state.Sequence);
            }
            else
            {
                input = new ActivityCompleted(state.Sequence, succeeded);
            }

            state = JourneyMachine.Handle(_activities, state, input, _contact, now).State;
        }

        return state;
    }

    /// <summary>An event wakes a waitForEvent step, whose data is stored, and the run waits again.</summary>
    [Benchmark(OperationsPerInvoke = Transitions)]
    public RunState Machine_EventWakesWait()
    {
        var state = _eventsStart;
        for (var i = 0; i < Transitions; i++)
        {
            state = JourneyMachine.Handle(_events, state, new EventReceived(_orders[i]), _contact, T0.AddMinutes(i)).State;
        }

        return state;
    }

    /// <summary>Entry decision plus start of an abandoned-cart run (trigger, key, run id, first wait).</summary>
    [Benchmark]
    public MachineResult Machine_DecideEntryAndStart()
    {
        var entry = JourneyMachine.DecideEntry(_cart, _contact, _trigger, null, T0);
        return JourneyMachine.Start(_cart, entry, _contact, _trigger, T0);
    }

    private static JourneyDefinition Journey(string id, IReadOnlyList<Step> steps) => new()
    {
        Id = id,
        Name = id,
        Version = 1,
        Trigger = new Trigger { Event = "cart.updated" },
        Steps = steps,
    };

    private RunState StartRun(JourneyDefinition journey)
    {
        var entry = JourneyMachine.DecideEntry(journey, _contact, _trigger, null, T0);
        return JourneyMachine.Start(journey, entry, _contact, _trigger, T0).State;
    }
}
