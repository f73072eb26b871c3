using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>
/// In-memory <see cref="ILeaseStore"/>: a lease is held until it expires (by <see cref="TimeProvider"/>) or is released;
/// an expired lease can be taken over, and its former holder's renew then fails.
/// </summary>
public sealed class MemoryLeaseStore(TimeProvider timeProvider) : ILeaseStore
{
    private readonly TimeProvider time = timeProvider;
    private readonly Lock gate = new();
    private readonly Dictionary<string, Row> rows = new(StringComparer.Ordinal);

    public Task<ILease?> TryAcquireAsync(string key, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (rows.TryGetValue(key, out var row) && row.ExpiresAt > now && row.Owner != owner)
            {
                return Task.FromResult<ILease?>(null);
            }

            var etag = MemoryETags.Next();
            rows[key] = new Row(owner, now + duration, etag);
            return Task.FromResult<ILease?>(new Lease(this, key, owner, duration, etag));
        }
    }

    private sealed record Row(string Owner, DateTimeOffset ExpiresAt, string ETag);

    private sealed class Lease(MemoryLeaseStore store, string key, string owner, TimeSpan duration, string etag) : ILease
    {
        private string etag = etag;

        public string Key => key;

        public Task<bool> RenewAsync(CancellationToken cancellationToken = default)
        {
            lock (store.gate)
            {
                if (!store.rows.TryGetValue(key, out var row) || row.ETag != etag)
                {
                    return Task.FromResult(false);
                }

                etag = MemoryETags.Next();
                store.rows[key] = new Row(owner, store.time.GetUtcNow() + duration, etag);
                return Task.FromResult(true);
            }
        }

        public ValueTask DisposeAsync()
        {
            lock (store.gate)
            {
                if (store.rows.TryGetValue(key, out var row) && row.ETag == etag)
                {
                    store.rows.Remove(key);
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
