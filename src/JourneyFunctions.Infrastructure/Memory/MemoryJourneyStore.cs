using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>In-memory <see cref="IJourneyStore"/>: every published version is kept, numbered from 1.</summary>
public sealed class MemoryJourneyStore(TimeProvider timeProvider) : IJourneyStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _journeys = new(StringComparer.Ordinal);

    public Task<JourneyDefinition> PublishAsync(JourneyDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (_gate)
        {
            if (!_journeys.TryGetValue(definition.Id, out var entry))
            {
                entry = new Entry();
                _journeys[definition.Id] = entry;
            }

            var published = definition with { Version = entry.Versions.Count + 1 };
            entry.Versions.Add(published);
            entry.PublishedAt = timeProvider.GetUtcNow();
            return Task.FromResult(published);
        }
    }

    public Task<JourneyDefinition?> GetAsync(string journeyId, int? version = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_journeys.TryGetValue(journeyId, out var entry))
            {
                return Task.FromResult<JourneyDefinition?>(null);
            }

            var index = (version ?? entry.Versions.Count) - 1;
            return Task.FromResult(index >= 0 && index < entry.Versions.Count ? entry.Versions[index] : null);
        }
    }

    public Task<IReadOnlyList<JourneySummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<JourneySummary> list =
            [
                .. _journeys.OrderBy(j => j.Key, StringComparer.Ordinal).Select(j =>
                {
                    var latest = j.Value.Versions[^1];
                    return new JourneySummary(latest.Id, latest.Name, latest.Version!.Value, j.Value.Paused, j.Value.PublishedAt, latest.Stage, latest.Trigger.Event);
                }),
            ];
            return Task.FromResult(list);
        }
    }

    public Task<bool> SetPausedAsync(string journeyId, bool paused, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_journeys.TryGetValue(journeyId, out var entry))
            {
                return Task.FromResult(false);
            }

            entry.Paused = paused;
            return Task.FromResult(true);
        }
    }

    private sealed class Entry
    {
        public List<JourneyDefinition> Versions { get; } = [];

        public bool Paused { get; set; }

        public DateTimeOffset PublishedAt { get; set; }
    }
}
