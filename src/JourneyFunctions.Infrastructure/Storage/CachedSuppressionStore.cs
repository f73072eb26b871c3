using System.Collections.Concurrent;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>Settings of <see cref="CachedSuppressionStore"/> (configuration section <c>Storage:SuppressionCache</c>).</summary>
public sealed class SuppressionCacheOptions
{
    public const string SectionName = "Storage:SuppressionCache";

    /// <summary>
    /// How long a looked-up suppression (or its absence) is reused. Default 5 s; zero turns the cache off. It bounds how
    /// late this process sees a suppression added or removed by another process.
    /// </summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Entries kept at most; past it, expired entries are dropped (all, if none has expired). Default 100 000.</summary>
    public int MaxEntries { get; set; } = 100_000;
}

/// <summary>
/// A short-lived cache in front of <see cref="ISuppressionStore.GetAsync"/> for the Azure backend: every email send and
/// every contact upsert with an address looks its suppression up, a point read each, almost always answering "none".
/// </summary>
/// <remarks>
/// <para>Correctness: an add or remove through this process updates the cache as soon as the store has it, so this
/// process never sends to an address it suppressed itself. A lookup that raced with such a change is not cached
/// (a generation counter, checked and stored under one lock, tells). A suppression added by another process (an
/// unsubscribe served by another instance) is seen at most <see cref="SuppressionCacheOptions.Ttl"/> late; found
/// suppressions are reused for the same time, so a removal elsewhere is seen as late, erring towards not sending.</para>
/// <para>The memory store needs none of this (a dictionary read is already cheaper than the cache).</para>
/// </remarks>
public sealed class CachedSuppressionStore(ISuppressionStore inner, SuppressionCacheOptions options, TimeProvider time) : ISuppressionStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _generation;

    /// <summary>Entries held, expired or not (for tests and diagnostics).</summary>
    public int Count => _entries.Count;

    public async Task<Suppression?> GetAsync(string addressHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addressHash);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(addressHash, out var cached) && cached.Expires > now)
        {
            return cached.Value;
        }

        var generation = Interlocked.Read(ref _generation);
        var value = await inner.GetAsync(addressHash, cancellationToken);
        lock (_gate)
        {
            if (_generation == generation)
            {
                Store(addressHash, value, time.GetUtcNow());
            }
        }

        return value;
    }

    public async Task AddAsync(Suppression suppression, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suppression);
        try
        {
            await inner.AddAsync(suppression, cancellationToken);
        }
        finally
        {
            // Also after a failure: the write may have landed, so the cached answer is no longer known to be true.
            lock (_gate)
            {
                _generation++;
                _entries.TryRemove(suppression.AddressHash, out _);
            }
        }

        lock (_gate)
        {
            Store(suppression.AddressHash, suppression, time.GetUtcNow());
        }
    }

    public async Task<bool> RemoveAsync(string addressHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addressHash);
        bool removed;
        try
        {
            removed = await inner.RemoveAsync(addressHash, cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                _generation++;
                _entries.TryRemove(addressHash, out _);
            }
        }

        lock (_gate)
        {
            Store(addressHash, null, time.GetUtcNow());
        }

        return removed;
    }

    /// <summary>Caches an answer; call under <see cref="_gate"/>.</summary>
    private void Store(string addressHash, Suppression? value, DateTimeOffset now)
    {
        if (_entries.Count >= options.MaxEntries)
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.Expires <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            if (_entries.Count >= options.MaxEntries)
            {
                _entries.Clear();
            }
        }

        _entries[addressHash] = new Entry(value, now + options.Ttl);
    }

    private sealed record Entry(Suppression? Value, DateTimeOffset Expires);
}
