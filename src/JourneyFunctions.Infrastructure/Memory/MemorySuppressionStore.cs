using System.Collections.Concurrent;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>In-memory <see cref="ISuppressionStore"/>; adding a suppression again replaces it (latest reason wins).</summary>
public sealed class MemorySuppressionStore : ISuppressionStore
{
    private readonly ConcurrentDictionary<string, Suppression> _rows = new(StringComparer.Ordinal);

    public Task<Suppression?> GetAsync(string addressHash, CancellationToken cancellationToken = default) =>
        Task.FromResult(_rows.GetValueOrDefault(addressHash));

    public Task AddAsync(Suppression suppression, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suppression);
        _rows[suppression.AddressHash] = suppression;
        return Task.CompletedTask;
    }

    public Task<bool> RemoveAsync(string addressHash, CancellationToken cancellationToken = default) =>
        Task.FromResult(_rows.TryRemove(addressHash, out _));
}
