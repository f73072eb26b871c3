using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>Per-journey and per-step counters (entered, sent, exited, goal ...).</summary>
public interface IStatsStore
{
    Task IncrementAsync(string journeyId, string? stepId, string counter, long delta = 1, CancellationToken cancellationToken = default);

    /// <summary>Counters of a journey: key "" is the journey total, else the step id; inner key the counter name.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetAsync(string journeyId, CancellationToken cancellationToken = default);
}

/// <summary>Counter names in <see cref="IStatsStore"/>; stored strings, a contract.</summary>
public static class StatCounters
{
    public const string Entered = "entered";
    public const string Finished = "finished";
    public const string Exited = "exited";
    public const string Goal = "goal";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
    public const string EmailsSent = "sent";
    public const string EmailsSkipped = "skipped";
    public const string Delivered = "delivered";
    public const string Bounced = "bounced";
    public const string Opened = "opened";
    public const string Clicked = "clicked";
    public const string Visited = "visited";

    /// <summary>
    /// A gauge, not a count: runs at the step now (waiting there, or executing its activity). Raised when a run
    /// arrives, lowered when it leaves; the reconcile sets it from the runs, so it can go down.
    /// </summary>
    public const string Waiting = "waiting";

    /// <summary>Runs cancelled because their contact unsubscribed (journey total and per step).</summary>
    public const string Unsubscribed = "unsubscribed";

    /// <summary>Per step: runs that ended there because an exit rule matched.</summary>
    public const string ExitByRule = "exit.rule";

    /// <summary>Per step: runs that ended there because the goal was reached and ends the run.</summary>
    public const string ExitByGoal = "exit.goal";

    /// <summary>Per step: runs that ended there because the contact unsubscribed.</summary>
    public const string ExitByUnsubscribe = "exit.unsubscribe";

    /// <summary>Per step: runs cancelled there for another reason (erase, archive).</summary>
    public const string ExitByCancel = "exit.cancelled";

    /// <summary>Per step: runs that failed there.</summary>
    public const string ExitByFailure = "exit.failed";

    /// <summary>The per-step exit reasons, in the order the API lists them.</summary>
    public static IReadOnlyList<string> ExitReasons { get; } = [ExitByRule, ExitByGoal, ExitByUnsubscribe, ExitByCancel, ExitByFailure];
}
