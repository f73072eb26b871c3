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
    private readonly TableServiceClient service;
    private readonly string prefix;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> tables = new(StringComparer.Ordinal);

    public StorageTables(TableServiceClient service, string prefix)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0 || !char.IsAsciiLetter(prefix[0]) || !prefix.All(char.IsAsciiLetterOrDigit) || prefix.Length > 40)
        {
            throw new ArgumentException($"Table prefix '{prefix}' must be 1-40 letters and digits, starting with a letter (table names are alphanumeric).", nameof(prefix));
        }

        this.service = service;
        this.prefix = prefix;
    }

    public async Task<TableClient> GetAsync(string name, CancellationToken cancellationToken)
    {
        var lazy = tables.GetOrAdd(name, n => new Lazy<Task<TableClient>>(() => CreateAsync(prefix + n)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            tables.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(name, lazy));
            throw;
        }
    }

    private async Task<TableClient> CreateAsync(string tableName)
    {
        var client = service.GetTableClient(tableName);
        await client.CreateIfNotExistsAsync(CancellationToken.None);
        return client;
    }

    /// <summary>Maps a lost ETag race or an insert of an existing row to <see cref="ConcurrencyException"/>.</summary>
    internal static bool IsConflict(RequestFailedException ex) => ex.Status is 409 or 412;

    internal static ConcurrencyException Conflict(string what, RequestFailedException ex) =>
        new($"{what} was changed, created or deleted by someone else ({ex.Status} {ex.ErrorCode}).", ex);
}
