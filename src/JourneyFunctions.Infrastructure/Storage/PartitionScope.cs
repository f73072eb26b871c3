using System.Globalization;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// The Table Storage unit of work of one contact (see <see cref="IContactWork"/>). The first read of a row below
/// <see cref="ContactRows.WorkingSetEnd"/> loads the whole working set of the partition in one range query; later
/// reads are served from that snapshot and see the scope's own buffered writes. Writes are checked against the
/// snapshot at once (an insert of a row that exists, or a replace with an ETag that does not match, throws
/// <see cref="ConcurrencyException"/> right away) and sent at <see cref="CommitAsync"/> as entity-group transactions:
/// inserts as inserts, replaces and deletes with the ETag the snapshot read (if-match), so a row someone else changed
/// meanwhile fails the whole transaction with <see cref="ConcurrencyException"/> and nothing is written.
/// </summary>
/// <remarks>
/// Callers see ETags of the scope's own making for rows written in it, stable across a mid-scope
/// <see cref="FlushAsync"/>; the server ETags stay inside. A transaction holds at most 100 operations and 4 MiB, so a
/// bigger commit is split (timeline rows first, the processed-event mark last, so that a crash between two parts
/// leaves the input to be applied again). Global index rows (timers, tags) are written by the stores before the
/// commit (a timer row's write is started by the store and awaited by the commit, <see cref="BeforeCommit"/>); deletions of index rows the commit makes stale wait until after it (<see cref="AfterCommit(string, Func{CancellationToken, Task})"/>).
/// <para>Erase: every transaction of a loaded scope also carries row <c>d</c> (<see cref="ContactRows.Erased"/>) as
/// the snapshot saw it: an insert of the guard row when there was none, else a merge if-match. An erase writes its
/// tombstone over that row, so a commit whose snapshot was read before the erase fails with
/// <see cref="ConcurrencyException"/> (409 or 412), nothing of it is written, and the input applied again sees the
/// tombstone. The guard costs an operation in the transaction, not a request.</para>
/// </remarks>
internal sealed class PartitionScope : IContactWorkScope
{
    /// <summary>Room left under the 4 MiB limit of a transaction for the request framing.</summary>
    private const int MaxBatchBytes = 3 * 1024 * 1024;

    private readonly StorageTables _tables;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<CancellationToken, Task>> _afterCommit = new(StringComparer.Ordinal);
    private readonly List<Func<CancellationToken, Task>> _afterCommitInOrder = [];
    private readonly List<Task> _beforeSend = [];
    private bool _loaded;
    private long _versions;

    public PartitionScope(StorageTables tables, string contactId, PartitionScope? outer)
    {
        this._tables = tables;
        ContactId = contactId;
        Partition = ContactRows.Partition(contactId);
        Outer = outer;
    }

    public string ContactId { get; }

    public string Partition { get; }

    public PartitionScope? Outer { get; }

    public bool Closed { get; private set; }

    public bool Owner => true;

    /// <summary>Range queries sent (for tests: a scope loads its working set once).</summary>
    public int Loads { get; private set; }

    public async Task<TableEntity?> GetAsync(string rowKey, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await EnsureLoadedAsync(cancellationToken);
            return _slots.TryGetValue(rowKey, out var slot) ? slot.View() : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<TableEntity>> RangeAsync(string prefix, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await EnsureLoadedAsync(cancellationToken);
            return [.. _slots.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && kv.Value.Entity is not null)
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => kv.Value.View()!)];
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<string> WriteAsync(TableEntity entity, RowWrite write, string? etag, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfClosed();
            if (!ContactRows.InWorkingSet(entity.RowKey))
            {
                // Outside the working set (timeline rows): nothing is known about them, so only unique inserts.
                if (write != RowWrite.Insert)
                {
                    throw new InvalidOperationException($"Row {entity.RowKey} is outside the working set of a contact; only inserts are buffered there.");
                }

                var fresh = new Slot { Mode = WriteMode.IfMatch };
                fresh.Set(entity, NextVersion());
                _slots[entity.RowKey] = fresh;
                return fresh.Token!;
            }

            await EnsureLoadedAsync(cancellationToken);
            if (!_slots.TryGetValue(entity.RowKey, out var slot))
            {
                slot = new Slot();
                _slots[entity.RowKey] = slot;
            }

            switch (write)
            {
                case RowWrite.Insert when slot.Entity is not null:
                    throw new ConcurrencyException($"Row {entity.RowKey} of contact '{ContactId}' exists already.");
                case RowWrite.Replace when slot.Entity is null || !string.Equals(slot.Token, etag, StringComparison.Ordinal):
                    throw new ConcurrencyException($"Row {entity.RowKey} of contact '{ContactId}' was changed or deleted (ETag mismatch).");
            }

            slot.Mode = write == RowWrite.Upsert && slot.Mode != WriteMode.IfMatch ? WriteMode.Blind : WriteMode.IfMatch;
            slot.Set(entity, NextVersion());
            return slot.Token!;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> DeleteAsync(string rowKey, string? etag, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfClosed();
            await EnsureLoadedAsync(cancellationToken);
            if (!_slots.TryGetValue(rowKey, out var slot) || slot.Entity is null)
            {
                return false;
            }

            if (etag is not null && !string.Equals(slot.Token, etag, StringComparison.Ordinal))
            {
                throw new ConcurrencyException($"Row {rowKey} of contact '{ContactId}' was changed (ETag mismatch).");
            }

            slot.Mode = etag is null && slot.Mode != WriteMode.IfMatch ? WriteMode.Blind : WriteMode.IfMatch;
            slot.Clear();
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One value of a row as this scope sees it (loading the working set if needed), without copying the row.</summary>
    public async Task<string?> GetStringAsync(string rowKey, string column, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await EnsureLoadedAsync(cancellationToken);
            return _slots.TryGetValue(rowKey, out var slot) && slot.Entity is { } entity ? entity.GetString(column) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A write outside the partition that must be stored before any of the scope's rows are (a run's timer row): the
    /// next flush or commit waits for it and fails if it failed, so nothing of the scope is written without it.
    /// </summary>
    public void BeforeCommit(Task stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        lock (_beforeSend)
        {
            _beforeSend.Add(stored);
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> after a successful commit, once per <paramref name="key"/> (a later call with
    /// the same key replaces it; <paramref name="action"/> null cancels it).
    /// </summary>
    public void AfterCommit(string key, Func<CancellationToken, Task>? action)
    {
        lock (_afterCommit)
        {
            if (action is null)
            {
                _afterCommit.Remove(key);
            }
            else
            {
                _afterCommit[key] = action;
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> after a successful commit, after the keyed actions, in the order given.</summary>
    public void AfterCommit(Func<CancellationToken, Task> action)
    {
        lock (_afterCommit)
        {
            _afterCommitInOrder.Add(action);
        }
    }

    /// <summary>Sends the buffered writes now; the scope stays open.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfClosed();
            await SendAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends the buffered writes and closes the scope, also when the transaction fails (its snapshot is stale then).</summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        finally
        {
            Closed = true;
        }

        List<Func<CancellationToken, Task>> actions;
        lock (_afterCommit)
        {
            actions = [.. _afterCommit.Values, .. _afterCommitInOrder];
            _afterCommit.Clear();
            _afterCommitInOrder.Clear();
        }

        foreach (var action in actions)
        {
            await action(cancellationToken);
        }
    }

    /// <summary>Closes the scope (dropping writes not committed) and makes the outer scope ambient again.</summary>
    public ValueTask DisposeAsync()
    {
        Closed = true;
        _tables.EndScope(this);
        return ValueTask.CompletedTask;
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(Closed, this);

    private string NextVersion() => $"W/\"scope-{Interlocked.Increment(ref _versions).ToString(CultureInfo.InvariantCulture)}-{Environment.TickCount64.ToString(CultureInfo.InvariantCulture)}\"";

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        // A working set read by the due-timer scan (at most 30 s ago, while a page of due runs is fired) serves the
        // scope that fires the timer. Every write is checked against it at commit, so a row that changed meanwhile
        // fails the commit and the input is applied again to a fresh read; what is only read (the contact's address
        // and consent) is as old as the page. Suppressions are not in it and are read fresh.
        var rows = _tables.TakePrefetched(ContactId) ?? await ContactRows.LoadWorkingSetAsync(_tables, ContactId, cancellationToken);
        Loads++;
        foreach (var row in rows)
        {
            // A row written in this scope before the load (only timeline rows can be) keeps its buffered state.
            if (!_slots.ContainsKey(row.RowKey))
            {
                _slots[row.RowKey] = Slot.Loaded(row);
            }
        }

        _loaded = true;
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        Task[] before;
        lock (_beforeSend)
        {
            before = [.. _beforeSend];
            _beforeSend.Clear();
        }

        if (before.Length > 0)
        {
            // A failed one fails the send: the input is applied again, and writes its rows again.
            await Task.WhenAll(before);
        }

        var dirty = _slots.Where(kv => kv.Value.Mode is not null)
            .OrderBy(kv => Rank(kv.Key))
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .ToList();
        if (dirty.Count == 0)
        {
            return;
        }

        var table = await _tables.GetAsync(ContactRows.Table, cancellationToken);
        var batch = new List<(string Key, Slot Slot, TableTransactionAction Action)>();
        var bytes = 0;
        foreach (var (key, slot) in dirty)
        {
            var action = slot.Action(Partition, key);
            if (action is null)
            {
                slot.Mode = null;
                continue;
            }

            var size = slot.Entity is null ? 256 : Size(slot.Entity);
            if (batch.Count == TableBatches.MaxOperations - 1 || (batch.Count > 0 && bytes + size > MaxBatchBytes))
            {
                await SubmitAsync(table, batch, cancellationToken);
                batch.Clear();
                bytes = 0;
            }

            batch.Add((key, slot, action));
            bytes += size;
        }

        if (batch.Count > 0)
        {
            await SubmitAsync(table, batch, cancellationToken);
        }

        foreach (var key in _slots.Keys.Where(k => !ContactRows.InWorkingSet(k)).ToList())
        {
            _slots.Remove(key);
        }
    }

    private async Task SubmitAsync(TableClient table, List<(string Key, Slot Slot, TableTransactionAction Action)> batch, CancellationToken cancellationToken)
    {
        if (ErasedGuard() is { } guard)
        {
            batch.Add(guard);
        }

        IReadOnlyList<string?> etags;
        try
        {
            etags = await SubmitAsync(table, batch, _tables.Batches, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            throw Lost(batch, ex.FailedTransactionActionIndex, ex);
        }
        catch (BatchFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            throw Lost(batch, ex.FailedIndex, ex);
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var slot = batch[i].Slot;
            slot.Mode = null;
            if (slot.Entity is null)
            {
                slot.Server = null;
                continue;
            }

            slot.Server = etags.Count > i && etags[i] is { } etag
                ? new ETag(etag)
                : throw new InvalidOperationException("Table Storage returned no ETag for a row of a transaction.");
        }
    }

    /// <summary>The transaction through the lean transport when there is one, else the SDK's; the ETag of each row.</summary>
    private static async Task<IReadOnlyList<string?>> SubmitAsync(TableClient table, List<(string Key, Slot Slot, TableTransactionAction Action)> batch, TableBatchTransport? transport, CancellationToken cancellationToken)
    {
        var actions = batch.ConvertAll(b => b.Action);
        if (transport is not null)
        {
            return await transport.SubmitAsync(table.Name, actions, cancellationToken);
        }

        var response = await table.SubmitTransactionAsync(actions, cancellationToken);
        return response.Value.Select(r => r.Headers.ETag?.ToString()).ToList();
    }

    private ConcurrencyException Lost(List<(string Key, Slot Slot, TableTransactionAction Action)> batch, int? index, RequestFailedException ex)
    {
        var failed = index is { } i && i < batch.Count ? batch[i].Key : "a row";
        return new ConcurrencyException($"Contact '{ContactId}': {failed} was changed, created or deleted by someone else ({ex.Status} {ex.ErrorCode}); nothing of this transaction was written.", ex);
    }

    /// <summary>
    /// The guard on row <c>d</c> this transaction carries (see the remarks of the type): null when the working set was
    /// not read (only timeline inserts) or when the scope writes row <c>d</c> itself. <see cref="SendAsync"/> leaves
    /// room for it in every transaction.
    /// </summary>
    private (string Key, Slot Slot, TableTransactionAction Action)? ErasedGuard()
    {
        if (!_loaded)
        {
            return null;
        }

        if (!_slots.TryGetValue(ContactRows.Erased, out var slot))
        {
            slot = new Slot();
            _slots[ContactRows.Erased] = slot;
        }

        if (slot.Mode is not null)
        {
            return null;
        }

        if (slot.Server is { } etag)
        {
            return (ContactRows.Erased, slot, new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(Partition, ContactRows.Erased), etag));
        }

        // No row d when the snapshot was read: insert the guard (not a tombstone), which fails if an erase wrote one.
        var row = new TableEntity(Partition, ContactRows.Erased) { [ContactRows.ErasedColumn] = false };
        slot.Set(row, NextVersion());
        return (ContactRows.Erased, slot, new TableTransactionAction(TableTransactionActionType.Add, row));
    }

    /// <summary>Order of the rows in a split commit: the processed-event mark and the contact last.</summary>
    private static int Rank(string rowKey) => rowKey switch
    {
        _ when rowKey.StartsWith(ContactRows.TimelinePrefix, StringComparison.Ordinal) => 0,
        _ when rowKey.StartsWith(ContactRows.LedgerPrefix, StringComparison.Ordinal) => 1,
        _ when rowKey.StartsWith(ContactRows.RunPrefix, StringComparison.Ordinal) => 2,
        ContactRows.Profile => 3,
        _ => 4,
    };

    private static int Size(TableEntity entity) => 1024 + entity.Keys.Sum(k => entity[k] switch
    {
        byte[] b => b.Length * 4 / 3,
        string s => s.Length * 2,
        _ => 16,
    });

    private enum WriteMode
    {
        /// <summary>Insert when absent on the server, else replace or delete if-match.</summary>
        IfMatch,

        /// <summary>Upsert or delete whatever is there.</summary>
        Blind,
    }

    private sealed class Slot
    {
        /// <summary>The copy of a row written in this scope that <see cref="View"/> hands out.</summary>
        private TableEntity? _view;

        /// <summary>The row as this scope sees it; null when absent.</summary>
        public TableEntity? Entity { get; set; }

        /// <summary>The ETag callers hold for <see cref="Entity"/>.</summary>
        public string? Token { get; set; }

        /// <summary>The row's ETag on the server; null when the server has no such row.</summary>
        public ETag? Server { get; set; }

        /// <summary>Null when the row is as on the server.</summary>
        public WriteMode? Mode { get; set; }

        public static Slot Loaded(TableEntity row) => new() { Entity = row, Token = row.ETag.ToString(), Server = row.ETag };

        public void Set(TableEntity entity, string token)
        {
            Entity = entity;
            Token = token;
            _view = null;
        }

        /// <summary>Drops the row (a delete in this scope).</summary>
        public void Clear()
        {
            Entity = null;
            Token = null;
            _view = null;
        }

        /// <summary>
        /// The row as callers see it, with the ETag they hold. A row as loaded carries that ETag already and is handed
        /// out as it is (readers never change a row they read; a write passes a new entity); a row written in this
        /// scope is copied once with the scope's ETag, and that copy is kept until the row is written again.
        /// </summary>
        public TableEntity? View()
        {
            if (Entity is null)
            {
                return null;
            }

            if (_view is not null)
            {
                return _view;
            }

            if (string.Equals(Entity.ETag.ToString(), Token, StringComparison.Ordinal))
            {
                return Entity;
            }

            _view = new TableEntity(Entity) { ETag = new ETag(Token!) };
            return _view;
        }

        public TableTransactionAction? Action(string partition, string rowKey)
        {
            if (Entity is null)
            {
                return Server is { } server
                    ? new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, rowKey), Mode == WriteMode.Blind ? ETag.All : server)
                    : null;
            }

            var row = new TableEntity(Entity) { PartitionKey = partition, RowKey = rowKey };
            if (Mode == WriteMode.Blind)
            {
                return new TableTransactionAction(TableTransactionActionType.UpsertReplace, row);
            }

            return Server is { } etag
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, etag)
                : new TableTransactionAction(TableTransactionActionType.Add, row);
        }
    }
}
