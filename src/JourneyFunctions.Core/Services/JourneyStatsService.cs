using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services;

/// <summary>Per-step figures: how many runs visited it, wait there now, emails it sent or skipped, runs that exited at it.</summary>
public sealed record StepStats(string StepId, string Kind, long Visited, long WaitingNow, long EmailsSent, long EmailsSkipped, long Delivered, long Bounced, long Opened, long Clicked, long Exited);

/// <summary>A journey's figures; <see cref="ConversionRate"/> is goals over entries (0 when none entered).</summary>
public sealed record JourneyStats(string JourneyId, int Version, long Entered, long Active, long Finished, long Exited, long Goals, long Cancelled, long Failed, long EmailsSent, double ConversionRate, IReadOnlyList<StepStats> Steps);

/// <summary>Reads counters and the active runs of a journey into the stats the API and the map show.</summary>
public sealed class JourneyStatsService(IStatsStore stats, IRunStore runs, IJourneyCatalog catalog)
{
    public async Task<JourneyStats?> GetAsync(string journeyId, CancellationToken cancellationToken = default)
    {
        var latest = (await catalog.GetLatestAsync(cancellationToken)).FirstOrDefault(e => e.Journey.Id == journeyId)?.Journey;
        if (latest is null)
        {
            return null;
        }

        var counters = await stats.GetAsync(journeyId, cancellationToken);
        var waiting = new Dictionary<string, long>(StringComparer.Ordinal);
        long active = 0;
        await foreach (var run in runs.ListActiveForJourneyAsync(journeyId, cancellationToken))
        {
            active++;
            if (run.StepId is { } stepId)
            {
                waiting[stepId] = waiting.GetValueOrDefault(stepId) + 1;
            }
        }

        long Get(string step, string counter) =>
            counters.TryGetValue(step, out var c) && c.TryGetValue(counter, out var v) ? v : 0;

        var steps = latest.Steps.Select(s => new StepStats(
            s.Id,
            s.Kind,
            Get(s.Id, StatCounters.Visited),
            waiting.GetValueOrDefault(s.Id),
            Get(s.Id, StatCounters.EmailsSent),
            Get(s.Id, StatCounters.EmailsSkipped),
            Get(s.Id, StatCounters.Delivered),
            Get(s.Id, StatCounters.Bounced),
            Get(s.Id, StatCounters.Opened),
            Get(s.Id, StatCounters.Clicked),
            Get(s.Id, StatCounters.Exited))).ToList();
        var entered = Get(string.Empty, StatCounters.Entered);
        var goals = Get(string.Empty, StatCounters.Goal);
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
            steps);
    }
}
