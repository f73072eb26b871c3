using JourneyFunctions.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>One counter change: the journey-level counter when <see cref="StepId"/> is null.</summary>
public readonly record struct StatDelta(string? StepId, string Counter, long Delta);

/// <summary>
/// An <see cref="IStatsStore"/> that can apply several counter changes of one journey in one write, all or none.
/// <see cref="BufferedStatsStore"/> flushes through it when its inner store offers it.
/// </summary>
public interface IStatsBatchStore : IStatsStore
{
    /// <summary>
    /// Adds every delta (at most <see cref="BufferedStatsStore.MaxCountersPerWrite"/> distinct counters) to the
    /// journey's counters atomically: when it throws, none was applied.
    /// </summary>
    Task IncrementManyAsync(string journeyId, IReadOnlyList<StatDelta> deltas, CancellationToken cancellationToken = default);
}

/// <summary>Settings of <see cref="BufferedStatsStore"/> (configuration section <c>Storage:StatsBuffer</c>).</summary>
public sealed class StatsBufferOptions
{
    public const string SectionName = "Storage:StatsBuffer";

    /// <summary>Buffer counters on the Azure backend. Default true; false writes every increment through.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often pending counters are written. Default 1 s: also the most a killed process (kill -9, a crash) can lose.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Distinct pending counters that start a flush before the interval ends. Default 1 000.</summary>
    public int MaxPendingCounters { get; set; } = 1_000;
}

/// <summary>
/// Takes stats off the hot path. Every input bumps 2 to 3 counters, and each <see cref="TableStatsStore"/> increment is
/// a read and an ETag-guarded replace, 4 to 6 storage requests per input, the largest share of the per-event bill.
/// This decorator adds increments to an in-memory sum per (journey, step, counter) and writes the merged deltas every
/// <see cref="StatsBufferOptions.FlushInterval"/>, as soon as <see cref="StatsBufferOptions.MaxPendingCounters"/>
/// distinct counters are pending, and on dispose (host shutdown): one partition read and one entity-group transaction
/// per journey and flush (<see cref="IStatsBatchStore"/>), however many increments were merged into it.
/// </summary>
/// <remarks>
/// <para>The trade-off: a process that dies without shutting down (kill -9, OOM, a lost VM) loses the increments of at
/// most the last flush interval. Counters are figures for dashboards; the exact records stay exact: the send ledger
/// is the source for emails sent, the runs table for who is where.</para>
/// <para>Nothing is dropped on a failed write: the deltas of a failed flush are merged back into the pending sums and
/// written by the next flush (the inner write is all-or-none, so a retry cannot count twice). Reads stay current in
/// this process: <see cref="GetAsync"/> returns stored plus pending, and waits for a flush in progress so a delta
/// is never counted in both or in neither.</para>
/// <para>After dispose, increments are written through to the inner store, so late work during shutdown is kept.</para>
/// </remarks>
public sealed class BufferedStatsStore : IStatsStore, IAsyncDisposable, IDisposable
{
    /// <summary>Most distinct counters in one inner write: the entity-group transaction limit of Table Storage.</summary>
    public const int MaxCountersPerWrite = 100;

    private const int ShutdownAttempts = 3;

    private readonly IStatsStore _inner;
    private readonly StatsBufferOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private readonly ITimer _timer;
    private Dictionary<string, Dictionary<(string Step, string Counter), long>> _pending = new(StringComparer.Ordinal);
    private int _pendingCounters;
    private int _flushQueued;
    private int _disposed;

    public BufferedStatsStore(IStatsStore inner, StatsBufferOptions options, TimeProvider time, ILogger<BufferedStatsStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.FlushInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"{StatsBufferOptions.SectionName}:FlushInterval must be positive.");
        }

        _inner = inner;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timer = time.CreateTimer(_ => RequestFlush(), null, options.FlushInterval, options.FlushInterval);
    }

    /// <summary>Distinct counters waiting for the next flush.</summary>
    public int PendingCounters => Volatile.Read(ref _pendingCounters);

    public Task IncrementAsync(string journeyId, string? stepId, string counter, long delta = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journeyId);
        ArgumentNullException.ThrowIfNull(counter);
        if (Volatile.Read(ref _disposed) != 0)
        {
            return _inner.IncrementAsync(journeyId, stepId, counter, delta, cancellationToken);
        }

        bool full;
        lock (_gate)
        {
            Add(journeyId, stepId ?? string.Empty, counter, delta);
            full = _pendingCounters >= _options.MaxPendingCounters;
        }

        if (full)
        {
            RequestFlush();
        }

        return Task.CompletedTask;
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetAsync(string journeyId, CancellationToken cancellationToken = default)
    {
        // Under the flush lock no delta is on its way to storage: each one is either stored or pending, never both.
        await _flushLock.WaitAsync(cancellationToken);
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> stored;
        List<KeyValuePair<(string Step, string Counter), long>> pending;
        try
        {
            stored = await _inner.GetAsync(journeyId, cancellationToken);
            lock (_gate)
            {
                pending = _pending.TryGetValue(journeyId, out var counters) ? [.. counters] : [];
            }
        }
        finally
        {
            _flushLock.Release();
        }

        if (pending.Count == 0)
        {
            return stored;
        }

        var sums = stored.ToDictionary(s => s.Key, s => new Dictionary<string, long>(s.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var ((step, counter), delta) in pending)
        {
            if (!sums.TryGetValue(step, out var counters))
            {
                counters = new Dictionary<string, long>(StringComparer.Ordinal);
                sums[step] = counters;
            }

            counters[counter] = counters.GetValueOrDefault(counter) + delta;
        }

        return sums.ToDictionary(s => s.Key, s => (IReadOnlyDictionary<string, long>)s.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Writes every pending counter now. Counters whose write fails go back to pending (to be written by the next
    /// flush) and the failure is thrown; counters of other journeys are still written.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushLock.WaitAsync(cancellationToken);
        try
        {
            Dictionary<string, Dictionary<(string Step, string Counter), long>> batch;
            lock (_gate)
            {
                if (_pendingCounters == 0)
                {
                    return;
                }

                batch = _pending;
                _pending = new Dictionary<string, Dictionary<(string, string), long>>(StringComparer.Ordinal);
                _pendingCounters = 0;
            }

            List<Exception>? failures = null;
            foreach (var (journeyId, counters) in batch)
            {
                foreach (var chunk in counters.Where(c => c.Value != 0).Chunk(MaxCountersPerWrite))
                {
                    var unwritten = await WriteAsync(journeyId, chunk, cancellationToken);
                    if (unwritten.Failure is { } failure)
                    {
                        Restore(journeyId, unwritten.Left);
                        (failures ??= []).Add(failure);
                    }
                }
            }

            if (failures is not null)
            {
                throw failures.Count == 1 ? failures[0] : new AggregateException("Some stats counters could not be written; they stay pending.", failures);
            }
        }
        finally
        {
            _flushLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _timer.DisposeAsync();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await FlushAsync();
                return;
            }
            catch (Exception ex) when (attempt < ShutdownAttempts)
            {
                _logger.LogWarning(ex, "Flushing stats counters at shutdown failed (attempt {Attempt}); retrying", attempt);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Flushing stats counters at shutdown failed; {Count} pending counters are lost (the send ledger still has every email)", PendingCounters);
                return;
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Starts a background flush unless one is already queued.</summary>
    private void RequestFlush()
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.CompareExchange(ref _flushQueued, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            Volatile.Write(ref _flushQueued, 0);
            try
            {
                await FlushAsync();
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Writing stats counters failed; {Count} counters stay pending for the next flush", PendingCounters);
            }
        });
    }

    /// <summary>Writes one chunk; returns the deltas not written and why (null when all were written).</summary>
    private async Task<(IReadOnlyList<KeyValuePair<(string Step, string Counter), long>> Left, Exception? Failure)> WriteAsync(
        string journeyId,
        KeyValuePair<(string Step, string Counter), long>[] chunk,
        CancellationToken cancellationToken)
    {
        if (_inner is IStatsBatchStore batch)
        {
            try
            {
                await batch.IncrementManyAsync(journeyId, chunk.Select(c => new StatDelta(c.Key.Step, c.Key.Counter, c.Value)).ToList(), cancellationToken);
                return ([], null);
            }
            catch (Exception ex)
            {
                return (chunk, ex);
            }
        }

        // One counter at a time: each written one is done, so only the rest go back on a failure.
        for (var i = 0; i < chunk.Length; i++)
        {
            try
            {
                await _inner.IncrementAsync(journeyId, chunk[i].Key.Step, chunk[i].Key.Counter, chunk[i].Value, cancellationToken);
            }
            catch (Exception ex)
            {
                return (chunk[i..], ex);
            }
        }

        return ([], null);
    }

    private void Restore(string journeyId, IReadOnlyList<KeyValuePair<(string Step, string Counter), long>> deltas)
    {
        lock (_gate)
        {
            foreach (var ((step, counter), delta) in deltas)
            {
                Add(journeyId, step, counter, delta);
            }
        }
    }

    /// <summary>Adds a delta to the pending sums; call under <see cref="_gate"/>.</summary>
    private void Add(string journeyId, string step, string counter, long delta)
    {
        if (!_pending.TryGetValue(journeyId, out var counters))
        {
            counters = [];
            _pending[journeyId] = counters;
        }

        if (counters.TryGetValue((step, counter), out var sum))
        {
            counters[(step, counter)] = sum + delta;
        }
        else
        {
            counters[(step, counter)] = delta;
            _pendingCounters++;
        }
    }
}
