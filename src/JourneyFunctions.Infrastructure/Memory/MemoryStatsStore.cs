using System.Collections.Concurrent;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>In-memory <see cref="IStatsStore"/>: one atomic counter per (journey, step, counter).</summary>
public sealed class MemoryStatsStore : IStatsStore
{
    private readonly ConcurrentDictionary<(string JourneyId, string StepId, string Counter), StrongBox> _counters = new();

    public Task IncrementAsync(string journeyId, string? stepId, string counter, long delta = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journeyId);
        ArgumentNullException.ThrowIfNull(counter);
        var box = _counters.GetOrAdd((journeyId, stepId ?? string.Empty, counter), _ => new StrongBox());
        Interlocked.Add(ref box.Value, delta);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetAsync(string journeyId, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> result = _counters
            .Where(c => c.Key.JourneyId == journeyId)
            .GroupBy(c => c.Key.StepId, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyDictionary<string, long>)g.ToDictionary(c => c.Key.Counter, c => Interlocked.Read(ref c.Value.Value), StringComparer.Ordinal),
                StringComparer.Ordinal);
        return Task.FromResult(result);
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}
