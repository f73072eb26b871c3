using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Engine;

/// <summary>What the machine asks a host to do.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ExecuteActivity), "execute")]
[JsonDerivedType(typeof(StartWait), "wait")]
[JsonDerivedType(typeof(RecordGoal), "goal")]
[JsonDerivedType(typeof(CompleteRun), "complete")]
public abstract record MachineCommand;

/// <summary>Run an activity and feed back <see cref="ActivityCompleted"/> with the same sequence.</summary>
public sealed record ExecuteActivity(ActivityRequest Request) : MachineCommand;

/// <summary>Sleep until <see cref="RunWait.Until"/> (if set) or until an event (the run receives every contact event).</summary>
public sealed record StartWait(RunWait Wait) : MachineCommand;

/// <summary>The goal was reached (counted once per run).</summary>
public sealed record RecordGoal(string EventId, DateTimeOffset At) : MachineCommand;

/// <summary>The run is over.</summary>
public sealed record CompleteRun(CompletionReason Reason, string? Detail) : MachineCommand;
