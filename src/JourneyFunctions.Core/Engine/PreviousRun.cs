using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Engine;

/// <summary>What a host knows about the contact's latest run of a journey (for the re-entry policy).</summary>
public sealed record PreviousRun(string RunId, int Generation, DateTimeOffset StartedAt, DateTimeOffset? EndedAt);
