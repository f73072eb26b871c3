using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Engine;

/// <summary>Why the machine did what it did, for the contact timeline and the simulator.</summary>
public sealed record Decision(DateTimeOffset At, string? StepId, DecisionKind Kind, string Message);

[JsonConverter(typeof(JsonStringEnumConverter<DecisionKind>))]
public enum DecisionKind
{
    [JsonStringEnumMemberName("entered")] Entered,
    [JsonStringEnumMemberName("notEntered")] NotEntered,
    [JsonStringEnumMemberName("step")] Step,
    [JsonStringEnumMemberName("branch")] Branch,
    [JsonStringEnumMemberName("split")] Split,
    [JsonStringEnumMemberName("wait")] Wait,
    [JsonStringEnumMemberName("deferred")] Deferred,
    [JsonStringEnumMemberName("eventMatched")] EventMatched,
    [JsonStringEnumMemberName("timeout")] Timeout,
    [JsonStringEnumMemberName("activity")] Activity,
    [JsonStringEnumMemberName("skipped")] Skipped,
    [JsonStringEnumMemberName("goal")] Goal,
    [JsonStringEnumMemberName("exited")] Exited,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("updated")] Updated,
}
