using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Engine;

/// <summary>What a host feeds the machine.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ActivityCompleted), "activityCompleted")]
[JsonDerivedType(typeof(TimerFired), "timerFired")]
[JsonDerivedType(typeof(EventReceived), "eventReceived")]
[JsonDerivedType(typeof(CancelRequested), "cancel")]
[JsonDerivedType(typeof(FailRequested), "fail")]
public abstract record MachineInput;

/// <summary>The activity of the pending step finished. <see cref="Sequence"/> must match the pending activity.</summary>
public sealed record ActivityCompleted(int Sequence, ActivityOutcome Outcome) : MachineInput;

/// <summary>A timer the machine asked for fired. <see cref="Sequence"/> must match the wait; stale timers are ignored.</summary>
public sealed record TimerFired(int Sequence) : MachineInput;

/// <summary>An event for the run's contact arrived (any event: it may exit, reach the goal, or wake a wait).</summary>
public sealed record EventReceived(ContactEvent Event) : MachineInput;

/// <summary>Ends the run from outside (unsubscribe, erase).</summary>
public sealed record CancelRequested(string Reason) : MachineInput;

/// <summary>Ends the run as failed from outside: the host gave up on it (its timer kept failing), with the reason.</summary>
public sealed record FailRequested(string Reason) : MachineInput;
