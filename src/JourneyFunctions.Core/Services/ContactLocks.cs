namespace JourneyFunctions.Core.Services;

/// <summary>
/// One contact at a time within this process, for what must not interleave on one contact: routing an event and
/// erasing the contact. With the memory stores, whose writes land at once and have no transaction to fail, this is
/// what keeps a routing that began before the erase from writing the contact, a run or a timeline entry after it.
/// Across processes (Table Storage) the commit itself is conditional on the tombstone row instead.
/// </summary>
/// <remarks>
/// Re-entrant within one async flow: a holder that reaches code taking the same contact's lock (an erase ending runs,
/// a route raising nothing inline) goes through instead of waiting for itself. Entries exist only while held.
/// </remarks>
public sealed class ContactLocks
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly AsyncLocal<HashSet<string>?> _held = new();

    /// <summary>Runs <paramref name="body"/> holding the lock of <paramref name="contactId"/>.</summary>
    public async Task<T> RunAsync<T>(string contactId, Func<Task<T>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contactId);
        ArgumentNullException.ThrowIfNull(body);
        if (_held.Value?.Contains(contactId) == true)
        {
            return await body();
        }

        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(contactId, out entry!))
            {
                entry = new Entry();
                _entries[contactId] = entry;
            }

            entry.Users++;
        }

        var acquired = false;
        try
        {
            await entry.Semaphore.WaitAsync(cancellationToken);
            acquired = true;

            // A copy: the set flows into what the body awaits, and never back into the caller's flow.
            _held.Value = new HashSet<string>(_held.Value ?? [], StringComparer.Ordinal) { contactId };
            return await body();
        }
        finally
        {
            if (acquired)
            {
                entry.Semaphore.Release();
            }

            lock (_gate)
            {
                if (--entry.Users == 0)
                {
                    _entries.Remove(contactId);
                    entry.Semaphore.Dispose();
                }
            }
        }
    }

    /// <summary>Contacts whose lock is held or awaited (for tests: entries do not pile up).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }
}
