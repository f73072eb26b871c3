using System.Globalization;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Sharded counters in Table Storage: PK = journey id, RK = <c>{step}|{counter}|{shard}</c>. An increment picks a
/// random shard and does an ETag-guarded read-modify-write, retrying on a lost race; spreading one hot counter over
/// <see cref="Shards"/> rows keeps concurrent runners from retrying each other. Reading sums the shards with one
/// partition query.
/// </summary>
/// <remarks>
/// <see cref="IncrementManyAsync"/> is the write <see cref="BufferedStatsStore"/> uses: the merged deltas of one journey
/// in one partition read and one entity-group transaction (all on one shard, ETag-guarded, retried on a lost race),
/// instead of a read and a replace per increment.
/// </remarks>
public sealed class TableStatsStore(StorageTables tables) : IStatsBatchStore
{
    public const int Shards = 8;

    private const string TableName = "Stats";
    private const int MaxAttempts = 100;

    public async Task IncrementAsync(string journeyId, string? stepId, string counter, long delta = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journeyId);
        ArgumentNullException.ThrowIfNull(counter);
        var table = await tables.GetAsync(TableName, cancellationToken);
        var pk = TableKeys.Escape(journeyId);
        var step = stepId ?? string.Empty;
        for (var attempt = 1; ; attempt++)
        {
            var shard = Random.Shared.Next(Shards);
            var rk = TableKeys.Escape(step) + "|" + TableKeys.Escape(counter) + "|" + shard.ToString(CultureInfo.InvariantCulture);
            var row = await table.GetEntityIfExistsAsync<TableEntity>(pk, rk, select: ["Value"], cancellationToken: cancellationToken);
            var entity = new TableEntity(pk, rk)
            {
                ["Step"] = step,
                ["Counter"] = counter,
                ["Value"] = (row.HasValue ? row.Value!.GetInt64("Value") ?? 0 : 0) + delta,
            };
            try
            {
                if (row.HasValue)
                {
                    await table.UpdateEntityAsync(entity, row.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await table.AddEntityAsync(entity, cancellationToken);
                }

                return;
            }
            catch (RequestFailedException ex) when (StorageTables.IsConflict(ex) && attempt < MaxAttempts)
            {
                // Lost the race on this shard: try again, most likely on another shard.
            }
        }
    }

    public async Task IncrementManyAsync(string journeyId, IReadOnlyList<StatDelta> deltas, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journeyId);
        ArgumentNullException.ThrowIfNull(deltas);
        var merged = deltas
            .GroupBy(d => (Step: d.StepId ?? string.Empty, d.Counter))
            .Select(g => (g.Key.Step, g.Key.Counter, Delta: g.Sum(d => d.Delta)))
            .Where(d => d.Delta != 0)
            .ToList();
        if (merged.Count == 0)
        {
            return;
        }

        if (merged.Count > BufferedStatsStore.MaxCountersPerWrite)
        {
            throw new ArgumentException($"At most {BufferedStatsStore.MaxCountersPerWrite} counters fit in one transaction; got {merged.Count}.", nameof(deltas));
        }

        var table = await tables.GetAsync(TableName, cancellationToken);
        var pk = TableKeys.Escape(journeyId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pk}");
        for (var attempt = 1; ; attempt++)
        {
            // One read of the partition (every shard of every counter: a few hundred small rows at most), then every
            // counter on one shard in one transaction: either all deltas land or none, so the caller can retry safely.
            var existing = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Value"], cancellationToken: cancellationToken))
            {
                existing[row.RowKey] = row;
            }

            var shard = Random.Shared.Next(Shards).ToString(CultureInfo.InvariantCulture);
            var actions = new List<TableTransactionAction>(merged.Count);
            foreach (var (step, counter, delta) in merged)
            {
                var rk = TableKeys.Escape(step) + "|" + TableKeys.Escape(counter) + "|" + shard;
                var found = existing.TryGetValue(rk, out var row);
                var entity = new TableEntity(pk, rk)
                {
                    ["Step"] = step,
                    ["Counter"] = counter,
                    ["Value"] = (found ? row!.GetInt64("Value") ?? 0 : 0) + delta,
                };
                actions.Add(found
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, row!.ETag)
                    : new TableTransactionAction(TableTransactionActionType.Add, entity));
            }

            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
                return;
            }
            catch (TableTransactionFailedException ex) when (StorageTables.IsConflict(ex) && attempt < MaxAttempts)
            {
                // Another writer changed (or created) one of these rows since the read: read again, likely another shard.
            }
        }
    }

    /// <summary>
    /// Raises each counter to at least its floor, never lowering one: one partition read, then the missing amounts on
    /// shard 0 in one transaction, guarded by the ETag of each shard-0 row (or its absence), so two reconcilers racing
    /// each other raise once (the loser reads again and finds nothing missing). Returns the total added.
    /// </summary>
    public async Task<long> RaiseToAsync(string journeyId, IReadOnlyList<StatDelta> floors, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journeyId);
        ArgumentNullException.ThrowIfNull(floors);
        if (floors.Count > BufferedStatsStore.MaxCountersPerWrite)
        {
            throw new ArgumentException($"At most {BufferedStatsStore.MaxCountersPerWrite} counters fit in one transaction; got {floors.Count}.", nameof(floors));
        }

        var table = await tables.GetAsync(TableName, cancellationToken);
        var pk = TableKeys.Escape(journeyId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pk}");
        for (var attempt = 1; ; attempt++)
        {
            var sums = new Dictionary<(string Step, string Counter), long>();
            var shardZero = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Step", "Counter", "Value"], cancellationToken: cancellationToken))
            {
                var key = (row.GetString("Step") ?? string.Empty, row.GetString("Counter") ?? string.Empty);
                sums[key] = sums.GetValueOrDefault(key) + (row.GetInt64("Value") ?? 0);
                if (row.RowKey.EndsWith("|0", StringComparison.Ordinal))
                {
                    shardZero[row.RowKey] = row;
                }
            }

            var actions = new List<TableTransactionAction>();
            long added = 0;
            foreach (var floor in floors)
            {
                var step = floor.StepId ?? string.Empty;
                var missing = floor.Delta - sums.GetValueOrDefault((step, floor.Counter));
                if (missing <= 0)
                {
                    continue;
                }

                var rk = TableKeys.Escape(step) + "|" + TableKeys.Escape(floor.Counter) + "|0";
                var found = shardZero.TryGetValue(rk, out var row);
                var entity = new TableEntity(pk, rk)
                {
                    ["Step"] = step,
                    ["Counter"] = floor.Counter,
                    ["Value"] = (found ? row!.GetInt64("Value") ?? 0 : 0) + missing,
                };
                actions.Add(found
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, row!.ETag)
                    : new TableTransactionAction(TableTransactionActionType.Add, entity));
                added += missing;
            }

            if (actions.Count == 0)
            {
                return 0;
            }

            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
                return added;
            }
            catch (TableTransactionFailedException ex) when (StorageTables.IsConflict(ex) && attempt < MaxAttempts)
            {
                // A shard-0 row changed since the read (an increment or another reconciler): read again.
            }
        }
    }

    /// <summary>
    /// The sums of one counter across every journey: journey id to step to value. One query over the whole table
    /// (filtered on the counter name), for the reconcile of a gauge, whose journeys may have no run left.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> ListCounterAsync(string counter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counter);
        var table = await tables.GetAsync(TableName, cancellationToken);
        var sums = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"Counter eq {counter}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "Step", "Value"], cancellationToken: cancellationToken))
        {
            var journeyId = JourneyIdOf(row.PartitionKey);
            if (!sums.TryGetValue(journeyId, out var steps))
            {
                steps = new Dictionary<string, long>(StringComparer.Ordinal);
                sums[journeyId] = steps;
            }

            var step = row.GetString("Step") ?? string.Empty;
            steps[step] = steps.GetValueOrDefault(step) + (row.GetInt64("Value") ?? 0);
        }

        return sums.ToDictionary(s => s.Key, s => (IReadOnlyDictionary<string, long>)s.Value, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetAsync(string journeyId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var sums = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(journeyId)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Step", "Counter", "Value"], cancellationToken: cancellationToken))
        {
            var step = row.GetString("Step") ?? string.Empty;
            if (!sums.TryGetValue(step, out var counters))
            {
                counters = new Dictionary<string, long>(StringComparer.Ordinal);
                sums[step] = counters;
            }

            var counter = row.GetString("Counter");
            counters[counter] = counters.GetValueOrDefault(counter) + (row.GetInt64("Value") ?? 0);
        }

        return sums.ToDictionary(s => s.Key, s => (IReadOnlyDictionary<string, long>)s.Value, StringComparer.Ordinal);
    }

    /// <summary>The journey id a partition key was escaped from (<see cref="TableKeys.Escape"/> turns each byte into <c>~XX</c>).</summary>
    private static string JourneyIdOf(string partitionKey) => Uri.UnescapeDataString(partitionKey.Replace('~', '%'));
}
