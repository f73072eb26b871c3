using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Engine;

/// <summary>The machine's answer: the new state, what to do, and why.</summary>
public sealed record MachineResult(RunState State, IReadOnlyList<MachineCommand> Commands, IReadOnlyList<Decision> Decisions);
