using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// Keeps only the tag events (<see cref="SystemEvents.TagAdded"/>, <see cref="SystemEvents.TagRemoved"/>) that can
/// matter to someone, so a tag change nobody listens to is not queued and routed (an enqueue, then a read, a write and
/// a delete of the queue message, for nothing). A tag event can matter in two ways only:
/// <list type="bullet">
/// <item>it starts a journey: a latest published version is triggered by that tag (<see cref="Trigger.TagAdded"/>) or
/// names the event as its trigger event;</item>
/// <item>it reaches a run of this contact that is active when the change is made: the run's pinned version names the
/// event in an exit rule, its goal or a waitForEvent step.</item>
/// </list>
/// Runs started later see only later events, so nothing else can ever consume it. Call it after the input has started
/// its runs (the router does), so a run that starts together with the tag change counts as active.
/// </summary>
public sealed class TagEventFilter(IJourneyCatalog catalog, IRunStore runs)
{
    /// <param name="contactId">The contact whose tags changed.</param>
    /// <param name="tagEvents">The tag events the change would raise.</param>
    /// <param name="alsoActive">Journey versions of runs that are active but may not be stored yet (a run started, or
    /// driven for the first time, by the same input).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<IReadOnlyList<ContactEvent>> ListenedToAsync(
        string contactId,
        IEnumerable<ContactEvent> tagEvents,
        IEnumerable<JourneyDefinition>? alsoActive = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tagEvents);
        var candidates = tagEvents.ToList();
        if (candidates.Count == 0)
        {
            return candidates;
        }

        var latest = await catalog.GetLatestAsync(cancellationToken);
        HashSet<string>? heardByRuns = null;
        var kept = new List<ContactEvent>(candidates.Count);
        foreach (var tagEvent in candidates)
        {
            if (latest.Any(entry => Starts(entry.Journey.Trigger, tagEvent)))
            {
                kept.Add(tagEvent);
                continue;
            }

            if (heardByRuns is null)
            {
                heardByRuns = await EventsHeardByActiveRunsAsync(contactId, cancellationToken);
                foreach (var journey in alsoActive ?? [])
                {
                    heardByRuns.UnionWith(EventsHeardByRuns(journey));
                }
            }

            if (heardByRuns.Contains(tagEvent.Name))
            {
                kept.Add(tagEvent);
            }
        }

        return kept;
    }

    /// <summary>The event names a journey version listens to while a run of it is active.</summary>
    public static IEnumerable<string> EventsHeardByRuns(JourneyDefinition journey)
    {
        ArgumentNullException.ThrowIfNull(journey);
        foreach (var rule in journey.ExitWhen)
        {
            yield return rule.Event;
        }

        if (journey.Goal is { } goal)
        {
            yield return goal.Event;
        }

        foreach (var step in journey.Steps)
        {
            if (step is WaitForEventStep wait)
            {
                yield return wait.Event;
            }
        }
    }

    private static bool Starts(Trigger trigger, ContactEvent tagEvent) =>
        string.Equals(trigger.Event, tagEvent.Name, StringComparison.Ordinal)
        || (trigger.TagAdded is { } tag
            && string.Equals(tagEvent.Name, SystemEvents.TagAdded, StringComparison.Ordinal)
            && tagEvent.Data is { } data
            && data.TryGetProperty("tag", out var added)
            && string.Equals(added.GetString(), tag, StringComparison.OrdinalIgnoreCase));

    private async Task<HashSet<string>> EventsHeardByActiveRunsAsync(string contactId, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in await runs.ListActiveForContactAsync(contactId, cancellationToken))
        {
            if (await catalog.GetVersionAsync(run.State.JourneyId, run.State.Version, cancellationToken) is { } journey)
            {
                names.UnionWith(EventsHeardByRuns(journey));
            }
        }

        return names;
    }
}
