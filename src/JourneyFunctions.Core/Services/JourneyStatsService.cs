using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// Per-step figures: how many runs visited it, are at it now, emails it sent or skipped, runs that exited at it (in
/// total and by reason: <see cref="StatCounters.ExitReasons"/>), and goals reached while runs were at it.
/// </summary>
public sealed record StepStats(
    string StepId,
    string Kind,
    long Visited,
    long WaitingNow,
    long EmailsSent,
    long EmailsSkipped,
    long Delivered,
    long Bounced,
    long Opened,
    long Clicked,
    long Exited,
    long Goals = 0,
    IReadOnlyDictionary<string, long>? ExitsByReason = null);

/// <summary>
/// A journey's figures; <see cref="ConversionRate"/> is goals over entries (0 when none entered); <see cref="Active"/>
/// the runs at any step now; <see cref="Unsubscribed"/> the runs ended because their contact unsubscribed.
/// </summary>
public sealed record JourneyStats(
    string JourneyId,
    int Version,
    long Entered,
    long Active,
    long Finished,
    long Exited,
    long Goals,
    long Cancelled,
    long Failed,
    long EmailsSent,
    double ConversionRate,
    IReadOnlyList<StepStats> Steps,
    long Unsubscribed = 0,
    long Bounced = 0);

/// <summary>
/// Reads a journey's counters into the stats the API, the map and the dashboard show. It reads counters only, never the
/// runs: one partition query of the stats table however many runs the journey has (13.8). "Waiting now" and "active"
/// come from the <see cref="StatCounters.Waiting"/> gauge that <see cref="RunBookkeeping"/> moves with every
/// transition and the reconcile sets from the runs.
/// </summary>
public sealed class JourneyStatsService(IStatsStore stats, IJourneyCatalog catalog)
{
    public async Task<JourneyStats?> GetAsync(string journeyId, CancellationToken cancellationToken = default)
    {
        var latest = (await catalog.GetLatestAsync(cancellationToken)).FirstOrDefault(e => e.Journey.Id == journeyId)?.Journey;
        if (latest is null)
        {
            return null;
        }

        var counters = await stats.GetAsync(journeyId, cancellationToken);

        long Get(string step, string counter) =>
            counters.TryGetValue(step, out var c) && c.TryGetValue(counter, out var v) ? v : 0;

        // A gauge below zero is a decrement whose increment a crash lost, until the next reconcile: show none.
        long Gauge(string step) => Math.Max(0, Get(step, StatCounters.Waiting));

        var steps = latest.Steps.Select(s => new StepStats(
            s.Id,
            s.Kind,
            Get(s.Id, StatCounters.Visited),
            Gauge(s.Id),
            Get(s.Id, StatCounters.EmailsSent),
            Get(s.Id, StatCounters.EmailsSkipped),
            Get(s.Id, StatCounters.Delivered),
            Get(s.Id, StatCounters.Bounced),
            Get(s.Id, StatCounters.Opened),
            Get(s.Id, StatCounters.Clicked),
            Get(s.Id, StatCounters.Exited),
            Get(s.Id, StatCounters.Goal),
            StatCounters.ExitReasons.ToDictionary(r => r, r => Get(s.Id, r), StringComparer.Ordinal))).ToList();
        var entered = Get(string.Empty, StatCounters.Entered);
        var goals = Get(string.Empty, StatCounters.Goal);

        // Runs of older versions can be at steps the latest version no longer has: they are active all the same.
        var active = counters.Where(c => c.Key.Length > 0).Sum(c => Gauge(c.Key));
        return new JourneyStats(
            journeyId,
            latest.Version ?? 1,
            entered,
            active,
            Get(string.Empty, StatCounters.Finished),
            Get(string.Empty, StatCounters.Exited),
            goals,
            Get(string.Empty, StatCounters.Cancelled),
            Get(string.Empty, StatCounters.Failed),
            steps.Sum(s => s.EmailsSent),
            entered == 0 ? 0 : Math.Round((double)goals / entered, 4),
            steps,
            Get(string.Empty, StatCounters.Unsubscribed),
            counters.Where(c => c.Key.Length > 0).Sum(c => c.Value.GetValueOrDefault(StatCounters.Bounced)));
    }
}
