using Azure.Data.Tables;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Memory;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>
/// Suppressions keyed by the HMAC of the address on a real Azurite, and rows written before under the plain SHA-256:
/// found by a lookup and re-keyed there, or re-keyed all at once by <see cref="TableSuppressionStore.RekeyLegacyAsync"/>.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteAddressSuppressionsTests(AzuriteFixture azurite)
{
    private readonly AzuriteBackend _backend = new(azurite);
    private readonly AddressHasher _hasher = new("azurite-address-suppressions-key-0123456789");

    [Fact]
    public async Task AddAsync_StoresOnlyTheKeyedHash_NeverThePlainOne()
    {
        var list = new AddressSuppressions(_backend.TableSuppressions(), _hasher, new AddressHashOptions());

        Assert.True(await list.AddAsync("Ann@Example.com", SuppressionReason.Unsubscribed, TestData.T0, "link"));

        var rows = await RowsAsync("Suppressions");
        var row = Assert.Single(rows);
        Assert.Equal(_hasher.Compute("ann@example.com"), row.GetString("AddressHash"));
        Assert.True(row.GetBoolean(TableSuppressionStore.KeyedColumn));
        Assert.DoesNotContain(await RowsAsync(TableSuppressionStore.ByTimeTableName), r => r.GetString("AddressHash") == AddressHasher.Legacy("ann@example.com"));
        Assert.False(await list.AddAsync("ann@example.com", SuppressionReason.Bounced, TestData.T0, "again"));
    }

    [Fact]
    public async Task GetAsync_RowWrittenBeforeTheKeyedHash_IsFoundAndRekeyed()
    {
        await WriteLegacyAsync("old@example.com", SuppressionReason.Bounced);
        var list = new AddressSuppressions(_backend.TableSuppressions(), _hasher, new AddressHashOptions());

        var found = await list.GetAsync(" OLD@example.com");

        Assert.Equal(SuppressionReason.Bounced, found?.Reason);
        var row = Assert.Single(await RowsAsync("Suppressions"));
        Assert.Equal(_hasher.Compute("old@example.com"), row.GetString("AddressHash"));
        Assert.Equal("hard bounce", row.GetString("Detail"));
        Assert.Equal(SuppressionReason.Bounced, (await list.GetAsync("old@example.com"))?.Reason);
    }

    [Fact]
    public async Task GetAsync_LegacyReadsOff_DoesNotSeeThePlainRow()
    {
        await WriteLegacyAsync("old@example.com", SuppressionReason.Bounced);
        var list = new AddressSuppressions(_backend.TableSuppressions(), _hasher, new AddressHashOptions { ReadLegacyHashes = false });

        Assert.Null(await list.GetAsync("old@example.com"));
    }

    [Fact]
    public async Task RekeyLegacyAsync_RekeysEveryPlainRow_LeavesNoPlainHashAndIsRepeatable()
    {
        await WriteLegacyAsync("erased@example.com", SuppressionReason.Unsubscribed);
        await WriteLegacyAsync("bounced@example.com", SuppressionReason.Bounced);
        var store = _backend.TableSuppressions();
        var list = new AddressSuppressions(store, _hasher, new AddressHashOptions { ReadLegacyHashes = false });
        await list.AddAsync("new@example.com", SuppressionReason.Complained, TestData.T0, "complaint");

        Assert.Equal(2, await store.RekeyLegacyAsync(_hasher));
        Assert.Equal(0, await store.RekeyLegacyAsync(_hasher));

        var rows = await RowsAsync("Suppressions");
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.True(r.GetBoolean(TableSuppressionStore.KeyedColumn)));
        var plain = new[] { AddressHasher.Legacy("erased@example.com"), AddressHasher.Legacy("bounced@example.com") };
        Assert.DoesNotContain(rows, r => plain.Contains(r.GetString("AddressHash")));
        Assert.DoesNotContain(await RowsAsync(TableSuppressionStore.ByTimeTableName), r => plain.Contains(r.GetString("AddressHash")));
        Assert.Equal(SuppressionReason.Unsubscribed, (await list.GetAsync("erased@example.com"))?.Reason);
        Assert.Equal(SuppressionReason.Bounced, (await list.GetAsync("bounced@example.com"))?.Reason);
        Assert.Equal(SuppressionReason.Complained, (await list.GetAsync("new@example.com"))?.Reason);
    }

    [Fact]
    public async Task Memory_GetAsync_PlainRow_IsFoundAndRekeyed()
    {
        var store = new MemorySuppressionStore();
        await store.AddAsync(new Suppression(AddressHasher.Legacy("old@example.com"), SuppressionReason.Manual, TestData.T0, null));
        var list = new AddressSuppressions(store, _hasher, new AddressHashOptions());

        Assert.Equal(SuppressionReason.Manual, (await list.GetAsync("old@example.com"))?.Reason);

        Assert.Null(await store.GetAsync(AddressHasher.Legacy("old@example.com")));
        Assert.NotNull(await store.GetAsync(_hasher.Compute("old@example.com")));
    }

    /// <summary>A suppression and its time index row as the version before the keyed hash wrote them.</summary>
    private async Task WriteLegacyAsync(string address, SuppressionReason reason)
    {
        var hash = AddressHasher.Legacy(address);
        var index = await _backend.Tables.GetAsync(TableSuppressionStore.ByTimeTableName, default);
        await index.UpsertEntityAsync(new TableEntity(TableSuppressionStore.MinuteKey(TestData.T0), hash) { ["AddressHash"] = hash });
        var table = await _backend.Tables.GetAsync("Suppressions", default);
        await table.UpsertEntityAsync(new TableEntity(hash[..2], hash)
        {
            ["AddressHash"] = hash,
            ["Reason"] = reason.ToString(),
            ["At"] = TestData.T0,
            ["Detail"] = reason == SuppressionReason.Bounced ? "hard bounce" : "link",
        });
    }

    private async Task<List<TableEntity>> RowsAsync(string name)
    {
        var table = await _backend.Tables.GetAsync(name, default);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }
}
