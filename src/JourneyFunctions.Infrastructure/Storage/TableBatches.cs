using Azure;
using Azure.Data.Tables;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>Entity-group transactions: at most 100 operations, one partition each, so rows are grouped and chunked.</summary>
internal static class TableBatches
{
    public const int MaxOperations = 100;

    public static async Task DeleteAsync(TableClient table, IEnumerable<ITableEntity> rows, CancellationToken cancellationToken)
    {
        foreach (var partition in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in partition.Chunk(MaxOperations))
            {
                try
                {
                    await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 404)
                {
                    // Someone deleted one of them meanwhile: delete the rest one by one.
                    foreach (var row in chunk)
                    {
                        await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                    }
                }
            }
        }
    }
}
