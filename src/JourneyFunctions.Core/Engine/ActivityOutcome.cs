using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Engine;

/// <summary>The result of an activity, as the machine needs it.</summary>
public sealed record ActivityOutcome
{
    public required ActivityStatus Status { get; init; }

    /// <summary>Why it was skipped, deferred or failed, for the timeline.</summary>
    public string? Reason { get; init; }

    /// <summary>For <see cref="ActivityStatus.Deferred"/>: when to try again.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>Optional output (a webhook's JSON response), available to later steps as events.&lt;stepId&gt;.</summary>
    public JsonElement? Output { get; init; }

    public static ActivityOutcome Succeeded(JsonElement? output = null) => new() { Status = ActivityStatus.Succeeded, Output = output };

    public static ActivityOutcome Skipped(string reason) => new() { Status = ActivityStatus.Skipped, Reason = reason };

    public static ActivityOutcome Deferred(DateTimeOffset retryAt, string reason) => new() { Status = ActivityStatus.Deferred, RetryAt = retryAt, Reason = reason };

    public static ActivityOutcome Failed(string reason) => new() { Status = ActivityStatus.Failed, Reason = reason };
}

[JsonConverter(typeof(JsonStringEnumConverter<ActivityStatus>))]
public enum ActivityStatus
{
    [JsonStringEnumMemberName("succeeded")] Succeeded,

    /// <summary>Not done and not to be retried (suppressed address, no consent): the run moves on.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,

    /// <summary>Not done yet (frequency cap, rate quota): the machine waits until RetryAt, then asks again.</summary>
    [JsonStringEnumMemberName("deferred")] Deferred,

    /// <summary>Failed for good after the host's retries: the run ends as failed.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}
