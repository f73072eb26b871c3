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
public sealed class TableStatsStore(StorageTables tables) : IStatsStore
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
}
