using System.Text.Json;
using JourneyFunctions.Core.Conditions;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Engine;

public static partial class JourneyMachine
{
    /// <summary>
    /// One call's run in the making: the run's <see cref="RunState"/> as it stands so far (each change is a
    /// <c>with</c> on it, so a new field of <see cref="RunState"/> needs no edit here), what the call has produced, and
    /// what it runs against (the compiled journey, the contact, now, the contact's zone).
    /// </summary>
    /// <remarks>
    /// The steps executed are counted here and folded into the state by the update that issues an activity, a wait
    /// or the completion (<see cref="TakeStepsExecuted"/>), so the common transition copies the state once.
    /// </remarks>
    private sealed class RunDraft(CompiledJourney journey, Contact contact, DateTimeOffset now, RunState state)
    {
        private int _stepsNotCounted;

        private ConditionScope? _eventScope;

        public CompiledJourney Journey { get; } = journey;

        public Contact Contact { get; } = contact;

        public DateTimeOffset Now { get; } = now;

        public TimeZoneInfo Zone { get; } = ZoneOf(journey.Definition, contact);

        /// <summary>The run as it stands; its identity fields (run id, journey, version, contact, key) never change.</summary>
        public RunState State { get; set; } = state;

        public List<MachineCommand> Commands { get; } = new(2);

        public List<Decision> Decisions { get; } = new(3);

        /// <summary>One more step executed in this call.</summary>
        public void CountStep() => _stepsNotCounted++;

        /// <summary>The state's step count including the steps executed since the last update; for a <c>with</c> that
        /// ends an advance.</summary>
        public int TakeStepsExecuted()
        {
            var total = State.StepsExecuted + _stepsNotCounted;
            _stepsNotCounted = 0;
            return total;
        }

        public void Decide(string? stepId, DecisionKind kind, string message) => Decisions.Add(new Decision(Now, stepId, kind, message));

        /// <summary>What an activity may use of the run: the trigger, the last waited event, the received events.</summary>
        public RunData RunData() => new() { Trigger = State.Trigger, Event = State.LastEvent, Events = State.Events };

        /// <summary>What conditions see now; <paramref name="eventData"/> is event.* (else the last waited event).</summary>
        public ConditionScope Scope(JsonElement? eventData) => ConditionScope.ForRun(Contact, State, eventData, Zone);

        /// <summary>
        /// What the conditions of the event being handled see (the goal and exit filters, the waited event's filter):
        /// made on first use and kept for the call, the event's data as event.*.
        /// </summary>
        public ConditionScope EventScope(ContactEvent ev) => _eventScope ??= Scope(ev.Data ?? EmptyObject);

        public MachineResult Result()
        {
            var result = _stepsNotCounted == 0 ? State : State with { StepsExecuted = TakeStepsExecuted() };
            return new MachineResult(result, Commands, Decisions);
        }
    }
}
