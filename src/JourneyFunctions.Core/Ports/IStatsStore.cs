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
}
