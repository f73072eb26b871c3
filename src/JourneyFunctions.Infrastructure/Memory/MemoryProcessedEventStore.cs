using System.Collections.Concurrent;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>In-memory <see cref="IProcessedEventStore"/>.</summary>
public sealed class MemoryProcessedEventStore : IProcessedEventStore
{
    private readonly ConcurrentDictionary<(string ContactId, string EventId), DateTimeOffset> marks = new();

    public Task<bool> ContainsAsync(string contactId, string eventId, CancellationToken cancellationToken = default) =>
        Task.FromResult(marks.ContainsKey((contactId, eventId)));

    public Task MarkAsync(string contactId, string eventId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        marks[(contactId, eventId)] = at;
        return Task.CompletedTask;
    }
}
