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
    /// <para>The steps executed are counted here and folded into the state by the update that issues an activity, a
    /// wait or the completion (<see cref="TakeStepsExecuted"/>), so the common transition copies the state once.</para>
    /// <para>An event that wakes a waitForEvent step is held here too (<see cref="Wake"/>) and folded into that same
    /// update, so waking a wait and starting the next one copies the state once; any other read of
    /// <see cref="State"/> folds it first, so the rest of the machine sees the state as if it had been copied.</para>
    /// <para>A draft is scratch memory of one call on one thread: it is taken from a per-thread slot at the start
    /// of a call (<see cref="Begin"/>) and put back when the call has copied its result out (<see cref="Result"/>,
    /// <see cref="Release"/>). A call that throws does not put it back, and the next call makes a new one. The
    /// machine never calls itself, so one draft per thread is enough; nothing a call returns refers to the draft.</para>
    /// </remarks>
    private sealed class RunDraft
    {
        [ThreadStatic]
        private static RunDraft? _threadSpare;

        private readonly List<MachineCommand> _commands = new(4);

        private readonly List<Decision> _decisions = new(4);

        /// <summary>The conditions' view of the run (branches, relative waits), rebound to the run on each use.</summary>
        private readonly ConditionScope _scope = ConditionScope.CreateReusable();

        /// <summary>The view of the event being handled (goal and exit filters, the waited event's filter).</summary>
        private readonly ConditionScope _eventScope = ConditionScope.CreateReusable();

        private bool _eventScopeBound;

        private int _stepsNotCounted;

        private RunState _state = null!;

        /// <summary>What a held wake brings (see <see cref="Wake"/>); null when none is held.</summary>
        private RunState.EventData? _wake;

        private RunDraft()
        {
        }

        public CompiledJourney Journey { get; private set; } = null!;

        public Contact Contact { get; private set; } = null!;

        public DateTimeOffset Now { get; private set; }

        public TimeZoneInfo Zone { get; private set; } = null!;

        /// <summary>The run as it stands; its identity fields (run id, journey, version, contact, key) never change.</summary>
        public RunState State
        {
            get
            {
                if (_wake is { } wake)
                {
                    _state = _state with { Received = wake };
                    _wake = null;
                }

                return _state;
            }

            set
            {
                _wake = null;
                _state = value;
            }
        }

        /// <summary>
        /// The state before a held wake is folded in: for the update that ends an advance, which copies it once with
        /// <see cref="Received"/> (and reads nothing else that a wake changes).
        /// </summary>
        public RunState Base => _state;

        /// <summary>What events brought the run, a held wake included.</summary>
        public RunState.EventData Received => _wake ?? _state.Received;

        /// <summary>The run's received events, a held wake included.</summary>
        public IReadOnlyDictionary<string, JsonElement> Events => _wake?.Events ?? _state.Events;

        /// <summary>The last waited event's data, a held wake included.</summary>
        public JsonElement? LastEvent => _wake is { } wake ? wake.LastEvent : _state.LastEvent;

        /// <summary>The last handled event's id, a held wake included.</summary>
        public string? LastEventId => _wake is { } wake ? wake.LastEventId : _state.LastEventId;

        public List<MachineCommand> Commands => _commands;

        public static RunDraft Begin(CompiledJourney journey, Contact contact, DateTimeOffset now, RunState state)
        {
            var draft = _threadSpare ?? new RunDraft();
            _threadSpare = null;
            draft.Journey = journey;
            draft.Contact = contact;
            draft.Now = now;
            draft.Zone = ZoneOf(journey.Definition, contact);
            draft._state = state;
            draft._wake = null;
            draft._stepsNotCounted = 0;
            draft._eventScopeBound = false;
            draft._commands.Clear();
            draft._decisions.Clear();
            return draft;
        }

        /// <summary>
        /// The waitForEvent step received its event: the event's data goes into the run (by step id, as
        /// <c>event.*</c>) and its id is the last handled one, folded into the next state update.
        /// </summary>
        public void Wake(string stepId, JsonElement received, string eventId)
        {
            _wake = new RunState.EventData { Events = With(Events, stepId, received), LastEvent = received, LastEventId = eventId };
        }

        /// <summary>One more step executed in this call.</summary>
        public void CountStep() => _stepsNotCounted++;

        /// <summary>The state's step count including the steps executed since the last update; for a <c>with</c> that
        /// ends an advance.</summary>
        public int TakeStepsExecuted()
        {
            var total = _state.StepsExecuted + _stepsNotCounted;
            _stepsNotCounted = 0;
            return total;
        }

        public void Decide(string? stepId, DecisionKind kind, string message) => _decisions.Add(new Decision(Now, stepId, kind, message));

        /// <summary>What an activity may use of the run: the trigger, the last waited event, the received events.</summary>
        public RunData RunData() => new() { Trigger = _state.Trigger, Event = LastEvent, Events = Events };

        /// <summary>What conditions see now, the last waited event as event.*.</summary>
        public ConditionScope Scope()
        {
            _scope.Bind(Contact, _state.Trigger, LastEvent, Events, _state.Key, _state.Opened, _state.Clicked, Zone);
            return _scope;
        }

        /// <summary>
        /// What the conditions of the event being handled see (the goal and exit filters, the waited event's filter):
        /// made on first use and kept for the call, the event's data as event.*.
        /// </summary>
        public ConditionScope EventScope(ContactEvent ev)
        {
            if (!_eventScopeBound)
            {
                _eventScope.Bind(Contact, _state.Trigger, ev.Data ?? EmptyObject, Events, _state.Key, _state.Opened, _state.Clicked, Zone);
                _eventScopeBound = true;
            }

            return _eventScope;
        }

        /// <summary>The call's answer; the draft goes back to the thread's slot.</summary>
        public MachineResult Result()
        {
            var state = State;
            if (_stepsNotCounted != 0)
            {
                state = state with { StepsExecuted = TakeStepsExecuted() };
            }

            var result = new MachineResult(
                state,
                _commands.Count == 0 ? NoCommands : _commands.ToArray(),
                _decisions.Count == 0 ? NoDecisions : _decisions.ToArray());
            Release();
            return result;
        }

        /// <summary>Puts the draft back in the thread's slot, holding on to nothing of the call.</summary>
        public void Release()
        {
            Journey = null!;
            Contact = null!;
            Zone = null!;
            _state = null!;
            _wake = null;
            _commands.Clear();
            _decisions.Clear();
            _scope.Unbind();
            _eventScope.Unbind();
            _threadSpare = this;
        }
    }
}
