using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Core.Orchestration;

/// <summary>
/// The part of a durable orchestration context the journey driver uses. The Functions app adapts
/// <c>TaskOrchestrationContext</c> to it (adding the activity retry policy); tests use a fake that records a first
/// execution and replays it. Everything the driver knows about time comes from <see cref="CurrentUtcDateTime"/>, so
/// a replay sees the same instants as the first execution.
/// </summary>
/// <remarks>
/// Durable replay rules apply to every caller: call these members in the same order with the same arguments on every
/// replay; never read the system clock, random numbers, GUIDs or do I/O between calls.
/// </remarks>
public interface IOrchestrationContextPort
{
    /// <summary>The orchestration instance id (the run id).</summary>
    string InstanceId { get; }

    /// <summary>The replay-safe current time (UTC): the time the current episode of the orchestration started.</summary>
    DateTime CurrentUtcDateTime { get; }

    /// <summary>True while the orchestrator is replaying history already recorded.</summary>
    bool IsReplaying { get; }

    /// <summary>
    /// Calls an activity and returns its result. The implementation applies the retry policy; when the last attempt
    /// fails it throws <see cref="ActivityFailedException"/>.
    /// </summary>
    Task<TResult> CallActivityAsync<TResult>(string name, object input);

    /// <summary>A durable timer firing at <paramref name="fireAtUtc"/>; cancel it through the token when it loses a race.</summary>
    Task CreateTimer(DateTime fireAtUtc, CancellationToken cancellationToken);

    /// <summary>The next external event with this name (buffered when it arrived before the wait).</summary>
    Task<T> WaitForExternalEvent<T>(string name, CancellationToken cancellationToken);

    /// <summary>Restarts the orchestration with fresh history and this input; events not yet handled are kept.</summary>
    void ContinueAsNew(object input);

    /// <summary>Publishes a small status object operators can read (current step, waiting until).</summary>
    void SetCustomStatus(object? status);

    /// <summary>A logger that writes only when the orchestrator is not replaying.</summary>
    ILogger CreateReplaySafeLogger(string categoryName);
}

/// <summary>An activity failed after every retry the policy allowed.</summary>
public sealed class ActivityFailedException : Exception
{
    public ActivityFailedException()
    {
    }

    public ActivityFailedException(string message)
        : base(message)
    {
    }

    public ActivityFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
