using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Leases in Table Storage: PK = key, RK = <c>lease</c>, with owner and expiry. Acquire inserts the row, or takes over
/// an expired one (or one its owner holds already) with an ETag-guarded replace, so of two racers exactly one wins.
/// Renew and release are guarded by the ETag of the holder's last write: after a takeover they fail or do nothing.
/// Expiry is judged by the callers' <see cref="TimeProvider"/>: keep runner clocks in sync and leases well above the
/// skew.
/// </summary>
public sealed class TableLeaseStore(StorageTables tables, TimeProvider timeProvider) : ILeaseStore
{
    private const string TableName = "Leases";
    private const string LeaseRow = "lease";

    private readonly TimeProvider _time = timeProvider;

    public async Task<ILease?> TryAcquireAsync(string key, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var table = await tables.GetAsync(TableName, cancellationToken);
        var pk = TableKeys.Escape(key);
        var now = _time.GetUtcNow();
        var entity = new TableEntity(pk, LeaseRow) { ["Key"] = key, ["Owner"] = owner, ["ExpiresAt"] = now + duration };
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(pk, LeaseRow, cancellationToken: cancellationToken);
        try
        {
            Response response;
            if (!existing.HasValue)
            {
                response = await table.AddEntityAsync(entity, cancellationToken);
            }
            else if (existing.Value!.GetDateTimeOffset("ExpiresAt") <= now || existing.Value.GetString("Owner") == owner)
            {
                response = await table.UpdateEntityAsync(entity, existing.Value.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            else
            {
                return null;
            }

            return new Lease(this, table, key, owner, duration, response.Headers.ETag ?? throw new InvalidOperationException("Table Storage returned no ETag."));
        }
        catch (RequestFailedException ex) when (StorageTables.IsConflict(ex))
        {
            return null;
        }
    }

    private sealed class Lease(TableLeaseStore store, TableClient table, string key, string owner, TimeSpan duration, ETag etag) : ILease
    {
        private ETag _etag = etag;

        public string Key => key;

        public async Task<bool> RenewAsync(CancellationToken cancellationToken = default)
        {
            var entity = new TableEntity(TableKeys.Escape(key), LeaseRow)
            {
                ["Key"] = key,
                ["Owner"] = owner,
                ["ExpiresAt"] = store._time.GetUtcNow() + duration,
            };
            try
            {
                var response = await table.UpdateEntityAsync(entity, _etag, TableUpdateMode.Replace, cancellationToken);
                _etag = response.Headers.ETag ?? _etag;
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await table.DeleteEntityAsync(TableKeys.Escape(key), LeaseRow, _etag, CancellationToken.None);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Taken over after it expired: the new holder's row stays.
            }
        }
    }
}
