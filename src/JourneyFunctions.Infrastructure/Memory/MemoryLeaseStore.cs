using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>
/// In-memory <see cref="ILeaseStore"/>: a lease is held until it expires (by <see cref="TimeProvider"/>) or is released;
/// an expired lease can be taken over, and its former holder's renew then fails.
/// </summary>
public sealed class MemoryLeaseStore(TimeProvider timeProvider) : ILeaseStore
{
    private readonly TimeProvider _time = timeProvider;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Row> _rows = new(StringComparer.Ordinal);

    public Task<ILease?> TryAcquireAsync(string key, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_rows.TryGetValue(key, out var row) && row.ExpiresAt > now && row.Owner != owner)
            {
                return Task.FromResult<ILease?>(null);
            }

            var etag = MemoryETags.Next();
            _rows[key] = new Row(owner, now + duration, etag);
            return Task.FromResult<ILease?>(new Lease(this, key, owner, duration, etag));
        }
    }

    private sealed record Row(string Owner, DateTimeOffset ExpiresAt, string ETag);

    private sealed class Lease(MemoryLeaseStore store, string key, string owner, TimeSpan duration, string etag) : ILease
    {
        private string _etag = etag;

        public string Key => key;

        public Task<bool> RenewAsync(CancellationToken cancellationToken = default)
        {
            lock (store._gate)
            {
                if (!store._rows.TryGetValue(key, out var row) || row.ETag != _etag)
                {
                    return Task.FromResult(false);
                }

                _etag = MemoryETags.Next();
                store._rows[key] = new Row(owner, store._time.GetUtcNow() + duration, _etag);
                return Task.FromResult(true);
            }
        }

        public ValueTask DisposeAsync()
        {
            lock (store._gate)
            {
                if (store._rows.TryGetValue(key, out var row) && row.ETag == _etag)
                {
                    store._rows.Remove(key);
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
