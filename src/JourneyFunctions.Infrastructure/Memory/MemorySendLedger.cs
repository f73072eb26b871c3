using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>
/// In-memory <see cref="ISendLedger"/> keyed by (run, operation), with indexes by contact (frequency cap, erase) and
/// by provider message id (delivery reports), so every lookup stays proportional to one contact's rows.
/// </summary>
public sealed class MemorySendLedger : ISendLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string RunId, string OperationId), LedgerEntry> _rows = [];
    private readonly Dictionary<string, HashSet<(string RunId, string OperationId)>> _byContact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string RunId, string OperationId)> _byMessage = new(StringComparer.Ordinal);

    public Task<LedgerEntry?> GetAsync(string contactId, string runId, string operationId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            // Rows are kept per contact in Table Storage, so a row of another contact is not found there either.
            return Task.FromResult(_rows.GetValueOrDefault((runId, operationId)) is { } row && row.ContactId == contactId ? row : null);
        }
    }

    public Task<bool> TryReserveAsync(LedgerEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var key = (entry.RunId, entry.OperationId);
            if (_rows.ContainsKey(key))
            {
                return Task.FromResult(false);
            }

            Put(key, entry with { Status = LedgerStatus.Reserved, ETag = MemoryETags.Next() });
            return Task.FromResult(true);
        }
    }

    /// <remarks>
    /// With an <see cref="LedgerEntry.ETag"/> the row must still match it; without one the row is written as given
    /// (created if it was never reserved).
    /// </remarks>
    public Task CompleteAsync(LedgerEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var key = (entry.RunId, entry.OperationId);
            if (entry.ETag is not null && (!_rows.TryGetValue(key, out var existing) || existing.ETag != entry.ETag))
            {
                throw new ConcurrencyException($"Ledger row ({entry.RunId}, {entry.OperationId}) was changed by someone else (ETag mismatch).");
            }

            Put(key, entry with { ETag = MemoryETags.Next() });
            return Task.CompletedTask;
        }
    }

    public Task<LedgerEntry?> FindByMessageIdAsync(string messageId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(
                _byMessage.TryGetValue(messageId, out var key) && _rows.TryGetValue(key, out var entry) && entry.MessageId == messageId
                    ? entry
                    : null);
        }
    }

    public Task<int> CountSentToContactAsync(string contactId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_byContact.TryGetValue(contactId, out var keys)
                ? keys.Select(k => _rows[k]).Count(r => LedgerRules.IsSentEmail(r) && r.At >= since)
                : 0);
        }
    }

    public Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_byContact.Remove(contactId, out var keys))
            {
                return Task.FromResult(0);
            }

            foreach (var key in keys)
            {
                if (_rows.Remove(key, out var entry) && entry.MessageId is { } messageId)
                {
                    _byMessage.Remove(messageId);
                }
            }

            return Task.FromResult(keys.Count);
        }
    }

    /// <summary>Writes a row and its index entries; call under the lock.</summary>
    private void Put((string RunId, string OperationId) key, LedgerEntry entry)
    {
        if (_rows.TryGetValue(key, out var previous) && previous.ContactId != entry.ContactId && _byContact.TryGetValue(previous.ContactId, out var old))
        {
            old.Remove(key);
        }

        _rows[key] = entry;
        if (!_byContact.TryGetValue(entry.ContactId, out var keys))
        {
            keys = [];
            _byContact[entry.ContactId] = keys;
        }

        keys.Add(key);
        if (entry.MessageId is { } messageId)
        {
            _byMessage[messageId] = key;
        }
    }
}
