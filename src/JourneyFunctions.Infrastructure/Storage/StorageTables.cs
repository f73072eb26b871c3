using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// The tables of one installation: <c>{prefix}{name}</c> in one account. Each table is created on first use, once per
/// process (a failed creation is retried by the next call).
/// </summary>
public sealed class StorageTables
{
    private readonly TableServiceClient _service;
    private readonly string _prefix;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);

    /// <summary>How long a working set read by the due-timer scan may serve the scope that fires the timer.</summary>
    private const long PrefetchMilliseconds = 30_000;

    /// <summary>Bound on prefetched working sets held at once.</summary>
    private const int MaxPrefetched = 4_096;

    /// <summary>Working sets read by the due-timer scan, each for the one scope that fires the timer next.</summary>
    private readonly ConcurrentDictionary<string, (long At, IReadOnlyList<TableEntity> Rows)> _prefetched = new(StringComparer.Ordinal);

    /// <summary>The innermost open unit of work of the current async flow (see <see cref="TableContactWork"/>).</summary>
    private readonly AsyncLocal<PartitionScope?> _ambient = new();

    public StorageTables(TableServiceClient service, string prefix)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0 || !char.IsAsciiLetter(prefix[0]) || !prefix.All(char.IsAsciiLetterOrDigit) || prefix.Length > 40)
        {
            throw new ArgumentException($"Table prefix '{prefix}' must be 1-40 letters and digits, starting with a letter (table names are alphanumeric).", nameof(prefix));
        }

        this._service = service;
        this._prefix = prefix;
        Batches = TableBatchTransport.For(service);
    }

    /// <summary>The lean transaction transport built with the service client (null: the SDK's transactions are used).</summary>
    internal TableBatchTransport? Batches { get; }

    public async Task<TableClient> GetAsync(string name, CancellationToken cancellationToken)
    {
        var lazy = _tables.GetOrAdd(name, n => new Lazy<Task<TableClient>>(() => CreateAsync(_prefix + n)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            _tables.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(name, lazy));
            throw;
        }
    }

    /// <summary>Keeps a working set just read for the next scope of <paramref name="contactId"/> (used once, for at most 30 s).</summary>
    internal void Prefetch(string contactId, IReadOnlyList<TableEntity> rows)
    {
        if (_prefetched.Count >= MaxPrefetched)
        {
            var now = Environment.TickCount64;
            foreach (var (key, entry) in _prefetched)
            {
                if (now - entry.At > PrefetchMilliseconds)
                {
                    _prefetched.TryRemove(key, out _);
                }
            }

            if (_prefetched.Count >= MaxPrefetched)
            {
                return;
            }
        }

        _prefetched[contactId] = (Environment.TickCount64, rows);
    }

    /// <summary>The prefetched working set of <paramref name="contactId"/>, if one is young enough; it is handed out once.</summary>
    internal IReadOnlyList<TableEntity>? TakePrefetched(string contactId) =>
        _prefetched.TryRemove(contactId, out var entry) && Environment.TickCount64 - entry.At <= PrefetchMilliseconds ? entry.Rows : null;

    /// <summary>The open scope of <paramref name="contactId"/> in the current async flow, if any.</summary>
    internal PartitionScope? ScopeFor(string contactId)
    {
        var scope = Innermost();
        return scope is not null && string.Equals(scope.ContactId, contactId, StringComparison.Ordinal) ? scope : null;
    }

    /// <summary>The innermost scope of the current async flow that is still open.</summary>
    internal PartitionScope? Innermost()
    {
        var scope = _ambient.Value;
        while (scope is { Closed: true })
        {
            scope = scope.Outer;
        }

        return scope;
    }

    /// <summary>
    /// Opens a scope for <paramref name="contactId"/>, or joins the open one of that contact. Synchronous on purpose:
    /// the ambient value set here flows to the caller and everything it calls, and is undone when the caller returns.
    /// </summary>
    internal IContactWorkScope BeginScope(string contactId)
    {
        ArgumentNullException.ThrowIfNull(contactId);
        var outer = Innermost();
        if (outer is not null && string.Equals(outer.ContactId, contactId, StringComparison.Ordinal))
        {
            return new JoinedScope();
        }

        var scope = new PartitionScope(this, contactId, outer);
        _ambient.Value = scope;
        return scope;
    }

    internal void EndScope(PartitionScope scope)
    {
        if (ReferenceEquals(_ambient.Value, scope))
        {
            _ambient.Value = scope.Outer;
        }
    }

    private async Task<TableClient> CreateAsync(string tableName)
    {
        var client = _service.GetTableClient(tableName);
        await client.CreateIfNotExistsAsync(CancellationToken.None);
        return client;
    }

    /// <summary>Maps a lost ETag race or an insert of an existing row to <see cref="ConcurrencyException"/>.</summary>
    internal static bool IsConflict(RequestFailedException ex) => ex.Status is 409 or 412;

    /// <summary>A scope that joined the open one of the same contact: the outer scope commits.</summary>
    private sealed class JoinedScope : IContactWorkScope
    {
        public bool Owner => false;

        public Task CommitAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    internal static ConcurrencyException Conflict(string what, RequestFailedException ex) =>
        new($"{what} was changed, created or deleted by someone else ({ex.Status} {ex.ErrorCode}).", ex);
}
