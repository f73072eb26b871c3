using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>In-memory <see cref="ITimelineStore"/>: newest first; entries with the same time, last appended first.</summary>
public sealed class MemoryTimelineStore : ITimelineStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<(TimelineEntry Entry, long Seq)>> _timelines = new(StringComparer.Ordinal);
    private long _seq;

    public Task AppendAsync(string contactId, IReadOnlyList<TimelineEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (_gate)
        {
            if (!_timelines.TryGetValue(contactId, out var list))
            {
                list = [];
                _timelines[contactId] = list;
            }

            foreach (var entry in entries)
            {
                list.Add((entry, ++_seq));
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TimelineEntry>> ListAsync(string contactId, int max = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        lock (_gate)
        {
            IReadOnlyList<TimelineEntry> result = _timelines.TryGetValue(contactId, out var list)
                ? [.. list.OrderByDescending(e => e.Entry.At.UtcTicks).ThenByDescending(e => e.Seq).Take(max).Select(e => e.Entry)]
                : [];
            return Task.FromResult(result);
        }
    }

    public Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_timelines.Remove(contactId, out var list) ? list.Count : 0);
        }
    }
}
