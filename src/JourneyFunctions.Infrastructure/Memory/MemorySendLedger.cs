using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>In-memory <see cref="ISendLedger"/> keyed by (run, operation), with the message-id lookup.</summary>
public sealed class MemorySendLedger : ISendLedger
{
    private readonly Lock gate = new();
    private readonly Dictionary<(string RunId, string OperationId), LedgerEntry> rows = [];

    public Task<LedgerEntry?> GetAsync(string runId, string operationId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(rows.GetValueOrDefault((runId, operationId)));
        }
    }

    public Task<bool> TryReserveAsync(LedgerEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (gate)
        {
            var key = (entry.RunId, entry.OperationId);
            if (rows.ContainsKey(key))
            {
                return Task.FromResult(false);
            }

            rows[key] = entry with { Status = LedgerStatus.Reserved, ETag = MemoryETags.Next() };
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
        lock (gate)
        {
            var key = (entry.RunId, entry.OperationId);
            if (entry.ETag is not null && (!rows.TryGetValue(key, out var existing) || existing.ETag != entry.ETag))
            {
                throw new ConcurrencyException($"Ledger row ({entry.RunId}, {entry.OperationId}) was changed by someone else (ETag mismatch).");
            }

            rows[key] = entry with { ETag = MemoryETags.Next() };
            return Task.CompletedTask;
        }
    }

    public Task<LedgerEntry?> FindByMessageIdAsync(string messageId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(rows.Values.FirstOrDefault(r => r.MessageId == messageId));
        }
    }

    public Task<int> CountSentToContactAsync(string contactId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(rows.Values.Count(r => r.ContactId == contactId && LedgerRules.IsSentEmail(r) && r.At >= since));
        }
    }

    public Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var keys = rows.Where(r => r.Value.ContactId == contactId).Select(r => r.Key).ToList();
            foreach (var key in keys)
            {
                rows.Remove(key);
            }

            return Task.FromResult(keys.Count);
        }
    }
}
