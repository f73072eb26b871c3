using JourneyFunctions.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>Settings of <see cref="FilteredSuppressionStore"/> (configuration section <c>Storage:SuppressionFilter</c>).</summary>
public sealed class SuppressionFilterOptions
{
    public const string SectionName = "Storage:SuppressionFilter";

    /// <summary><c>false</c> reads the table on every lookup (one request per email), as before the filter.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often the filter reads the suppressions added since its last refresh (one small query). Default 5 s. It
    /// bounds how late this process sees a suppression added by another process.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How old the last successful refresh may be before the filter is no longer trusted to say "not suppressed" and
    /// every lookup reads the table again, until a refresh succeeds. Default 60 s.
    /// </summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How far before its last refresh a refresh reads the time index again: covers clock skew between instances (the
    /// index is keyed by the writer's clock) and index writes that were slow to land. Default 2 minutes.
    /// </summary>
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// What <see cref="FilteredSuppressionStore"/> needs of the table beyond point reads: every suppressed hash (the first
/// load) and the hashes added since a time (each refresh). <see cref="TableSuppressionStore"/> implements it.
/// </summary>
public interface ISuppressionIndex : ISuppressionStore
{
    /// <summary>Every suppressed address hash, read page by page (keys only).</summary>
    IAsyncEnumerable<string> ListAllAsync(CancellationToken cancellationToken = default);

    /// <summary>The hashes added at or after <paramref name="since"/> (by the writer's clock, to the minute); may include more.</summary>
    Task<IReadOnlyList<string>> ListAddedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default);
}

/// <summary>
/// Suppression lookups of the Azure backend answered from memory: every email send and every contact save with an
/// address looks its suppression up, almost always finding none, and that point read was one of the ~3 storage
/// requests left per journey step. The filter holds a 64-bit hash of every suppressed address hash (a
/// <see cref="HashSet{T}"/> of <see cref="ulong"/>, about 20 bytes each), so "not in the filter" answers null with no
/// request, and "in the filter" is confirmed by the real read (a collision or a removed suppression costs one read,
/// never a wrong answer).
/// </summary>
/// <remarks>
/// <para>Loading: at first use the table is read once, keys only, in the background; until that has finished every
/// lookup reads the table (a lookup never waits for the load). Refreshing: every
/// <see cref="SuppressionFilterOptions.RefreshInterval"/> one query of the time index that
/// <see cref="TableSuppressionStore.AddAsync"/> writes (<c>SuppressionsByTime</c>, one partition per UTC minute) from the
/// last refresh minus <see cref="SuppressionFilterOptions.Overlap"/>, so a refresh costs one small request, not a scan.</para>
/// <para>Correctness: an add through this process is in the filter before the table is written, so this process
/// never skips the read for an address it suppressed itself. A suppression added by another process is seen after at
/// most one refresh interval (plus the query's time). Removals need nothing: the filter keeps the entry and the read
/// finds the row gone. If no refresh has succeeded for <see cref="SuppressionFilterOptions.MaxStaleness"/>, the filter
/// no longer answers "not suppressed": every lookup reads the table (correctness over requests) until a refresh
/// succeeds; this is logged.</para>
/// <para>The memory store needs none of this (a dictionary read is already cheaper than the filter).</para>
/// </remarks>
public sealed class FilteredSuppressionStore : ISuppressionStore, IAsyncDisposable, IDisposable
{
    private readonly ISuppressionIndex _inner;
    private readonly SuppressionFilterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly HashSet<ulong> _hashes = [];
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private ITimer? _timer;
    private bool _loaded;
    private DateTimeOffset _freshAsOf;
    private bool _failing;
    private bool _staleReported;
    private int _started;
    private int _disposed;

    public FilteredSuppressionStore(ISuppressionIndex inner, SuppressionFilterOptions options, TimeProvider time, ILogger<FilteredSuppressionStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.RefreshInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"{SuppressionFilterOptions.SectionName}:RefreshInterval must be positive.");
        }

        if (options.MaxStaleness < options.RefreshInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"{SuppressionFilterOptions.SectionName}:MaxStaleness must be at least RefreshInterval.");
        }

        if (options.Overlap < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"{SuppressionFilterOptions.SectionName}:Overlap must not be negative.");
        }

        _inner = inner;
        _options = options;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Whether the first load has finished.</summary>
    public bool IsLoaded
    {
        get
        {
            lock (_gate)
            {
                return _loaded;
            }
        }
    }

    /// <summary>Entries held (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _hashes.Count;
            }
        }
    }

    public async Task<Suppression?> GetAsync(string addressHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addressHash);
        Start(loadNow: true);
        var key = Key(addressHash);
        var now = _time.GetUtcNow();
        bool absent;
        var reportStale = false;
        lock (_gate)
        {
            var fresh = _loaded && now - _freshAsOf <= _options.MaxStaleness;
            absent = fresh && !_hashes.Contains(key);
            if (_loaded && !fresh && !_staleReported)
            {
                _staleReported = reportStale = true;
            }
        }

        if (reportStale)
        {
            _logger.LogError(
                "The suppression filter has not been refreshed for over {MaxStaleness}; every suppression lookup reads the table until a refresh succeeds",
                _options.MaxStaleness);
        }

        return absent ? null : await _inner.GetAsync(addressHash, cancellationToken);
    }

    public async Task AddAsync(Suppression suppression, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suppression);
        Start(loadNow: true);

        // Before the write: a lookup from now on reads the table. Kept even if the write fails (it may have landed).
        lock (_gate)
        {
            _hashes.Add(Key(suppression.AddressHash));
        }

        await _inner.AddAsync(suppression, cancellationToken);
    }

    /// <summary>The filter keeps the entry: the next lookup reads the table and finds the row gone.</summary>
    public Task<bool> RemoveAsync(string addressHash, CancellationToken cancellationToken = default) =>
        _inner.RemoveAsync(addressHash, cancellationToken);

    /// <summary>
    /// Loads the filter if it is not loaded, else adds what the time index holds since the last refresh (minus the
    /// overlap). The timer calls it every <see cref="SuppressionFilterOptions.RefreshInterval"/>; tests and a host
    /// warming up may call it too. Throws what the table throws; the filter then stays as it was.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        Start(loadNow: false);
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            await RefreshCoreAsync(cancellationToken);
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (Interlocked.Exchange(ref _timer, null) is { } timer)
        {
            await timer.DisposeAsync();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// 64-bit FNV-1a of the address hash. Address hashes are SHA-256 hex, so two suppressed addresses share a key with
    /// odds of about n²/2⁶⁵; a shared key only costs a read, as any positive does.
    /// </summary>
    internal static ulong Key(string addressHash)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in addressHash)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private async Task RefreshCoreAsync(CancellationToken cancellationToken)
    {
        var start = _time.GetUtcNow();
        bool loaded;
        DateTimeOffset lastRefresh;
        lock (_gate)
        {
            loaded = _loaded;
            lastRefresh = _freshAsOf;
        }

        var found = new List<ulong>();
        if (loaded)
        {
            foreach (var hash in await _inner.ListAddedSinceAsync(lastRefresh - _options.Overlap, cancellationToken))
            {
                found.Add(Key(hash));
            }
        }
        else
        {
            // Anything added after start is in the time index from start minus the overlap: the next refresh reads it.
            await foreach (var hash in _inner.ListAllAsync(cancellationToken))
            {
                found.Add(Key(hash));
            }
        }

        bool recovered;
        lock (_gate)
        {
            _hashes.UnionWith(found);
            _loaded = true;
            _freshAsOf = start;
            recovered = _failing || _staleReported;
            _failing = _staleReported = false;
        }

        if (!loaded)
        {
            _logger.LogInformation("Suppression filter loaded: {Count} suppressed addresses", found.Count);
        }
        else if (recovered)
        {
            _logger.LogInformation("Suppression filter refreshed again; lookups of unsuppressed addresses are answered from memory");
        }
    }

    /// <summary>Starts the refresh timer once; on a lookup, also the first load in the background.</summary>
    private void Start(bool loadNow)
    {
        if (Volatile.Read(ref _started) != 0 || Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        _timer = _time.CreateTimer(_ => RequestRefresh(), null, _options.RefreshInterval, _options.RefreshInterval);
        if (loadNow)
        {
            RequestRefresh();
        }
    }

    /// <summary>A background refresh, unless one is running (the next tick comes soon enough).</summary>
    private void RequestRefresh()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            if (!await _refreshLock.WaitAsync(0))
            {
                return;
            }

            try
            {
                await RefreshCoreAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                bool first;
                lock (_gate)
                {
                    first = !_failing;
                    _failing = true;
                }

                if (first)
                {
                    _logger.LogWarning(ex, "Refreshing the suppression filter failed; retrying every {Interval}, reading the table on every lookup once it is {MaxStaleness} old", _options.RefreshInterval, _options.MaxStaleness);
                }
                else
                {
                    _logger.LogDebug(ex, "Refreshing the suppression filter failed again");
                }
            }
            finally
            {
                _refreshLock.Release();
            }
        });
    }
}
