using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>In-memory <see cref="ITimelineStore"/>: newest first; entries with the same time, last appended first.</summary>
public sealed class MemoryTimelineStore : ITimelineStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<(TimelineEntry Entry, long Seq)>> timelines = new(StringComparer.Ordinal);
    private long seq;

    public Task AppendAsync(string contactId, IReadOnlyList<TimelineEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (gate)
        {
            if (!timelines.TryGetValue(contactId, out var list))
            {
                list = [];
                timelines[contactId] = list;
            }

            foreach (var entry in entries)
            {
                list.Add((entry, ++seq));
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TimelineEntry>> ListAsync(string contactId, int max = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        lock (gate)
        {
            IReadOnlyList<TimelineEntry> result = timelines.TryGetValue(contactId, out var list)
                ? [.. list.OrderByDescending(e => e.Entry.At.UtcTicks).ThenByDescending(e => e.Seq).Take(max).Select(e => e.Entry)]
                : [];
            return Task.FromResult(result);
        }
    }

    public Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(timelines.Remove(contactId, out var list) ? list.Count : 0);
        }
    }
}
