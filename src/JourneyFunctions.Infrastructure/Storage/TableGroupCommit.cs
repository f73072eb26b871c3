using Azure.Data.Tables;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Upserts of one table's rows shared among concurrent callers (group commit): while a transaction for a partition is
/// in flight, rows for that partition queue up, and the next transaction takes all of them (up to
/// <see cref="TableBatches.MaxOperations"/>) in one request. Each caller's task completes once its row is stored, so
/// a caller may rely on the row being durable exactly as after its own upsert; a lone caller pays one request and no
/// waiting, so an idle system sees no added latency. Used for the due-timer index, whose rows for runs entering a wait
/// at about the same time share a due-minute partition: under load many runs' timer rows cost one request.
/// </summary>
/// <remarks>
/// A failed transaction fails every caller in it (each re-applies its input, as after its own failed upsert). Two
/// rows with the same keys in one queue are written once, the later one winning, as two upserts in that order would.
/// </remarks>
internal sealed class TableGroupCommit
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Queue<Pending>> _queues = new(StringComparer.Ordinal);

    /// <summary>Upserts <paramref name="row"/> with the rows queued with it (through <paramref name="transport"/> when given).</summary>
    public Task UpsertAsync(TableClient table, TableEntity row, CancellationToken cancellationToken, TableBatchTransport? transport = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        var pending = new Pending(row);
        bool lead;
        lock (_gate)
        {
            lead = !_queues.TryGetValue(row.PartitionKey, out var queue);
            if (lead)
            {
                queue = new Queue<Pending>();
                _queues[row.PartitionKey] = queue;
            }

            queue!.Enqueue(pending);
        }

        if (lead)
        {
            // The first caller of an idle partition writes for everyone queued behind it until the queue runs dry.
            _ = Task.Run(() => FlushAsync(table, transport, row.PartitionKey), CancellationToken.None);
        }

        return pending.Stored.Task.WaitAsync(cancellationToken);
    }

    private async Task FlushAsync(TableClient table, TableBatchTransport? transport, string partitionKey)
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                var queue = _queues[partitionKey];
                if (queue.Count == 0)
                {
                    _queues.Remove(partitionKey);
                    return;
                }

                batch = new List<Pending>(Math.Min(queue.Count, TableBatches.MaxOperations));
                var keys = new HashSet<string>(StringComparer.Ordinal);
                while (queue.Count > 0 && (keys.Count < TableBatches.MaxOperations || keys.Contains(queue.Peek().Row.RowKey)))
                {
                    var next = queue.Dequeue();
                    keys.Add(next.Row.RowKey);
                    batch.Add(next);
                }
            }

            // One action per row key, the last queued winning.
            var actions = batch
                .GroupBy(p => p.Row.RowKey, StringComparer.Ordinal)
                .Select(g => new TableTransactionAction(TableTransactionActionType.UpsertReplace, g.Last().Row))
                .ToList();
            try
            {
                if (actions.Count == 1)
                {
                    // A lone row is a plain upsert: the same write, without the multipart framing of a transaction
                    // (which the SDK builds and parses at a cost of tens of KB per request).
                    await table.UpsertEntityAsync(actions[0].Entity, TableUpdateMode.Replace, CancellationToken.None).ConfigureAwait(false);
                }
                else if (transport is not null)
                {
                    await transport.SubmitAsync(table.Name, actions, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    await table.SubmitTransactionAsync(actions, CancellationToken.None).ConfigureAwait(false);
                }

                batch.ForEach(p => p.Stored.TrySetResult());
            }
            catch (Exception ex)
            {
                batch.ForEach(p => p.Stored.TrySetException(ex));
            }
        }
    }

    private sealed record Pending(TableEntity Row)
    {
        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
