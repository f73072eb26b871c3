using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>In-memory <see cref="IContactTombstones"/>.</summary>
public sealed class MemoryContactTombstones : IContactTombstones
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _erased = new(StringComparer.Ordinal);

    public Task MarkAsync(string contactId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _erased[contactId] = at;
        }

        return Task.CompletedTask;
    }

    public Task<bool> ContainsAsync(string contactId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_erased.ContainsKey(contactId));
        }
    }

    public Task<bool> RemoveAsync(string contactId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_erased.Remove(contactId));
        }
    }
}
