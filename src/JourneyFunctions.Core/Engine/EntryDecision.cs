using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Engine;

/// <summary>Whether an event starts a run, the deterministic run id if so, and why.</summary>
public sealed record EntryDecision(bool Enter, string? RunId, string? Key, int Generation, string Reason);
