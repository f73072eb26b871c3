using System.Text;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>
/// The lean transaction transport against Azurite: it must store exactly what the Table SDK's transactions store, fail
/// as they fail (all or nothing, with the failed operation's index), and be used only when it can sign on its own.
/// Also: rows as the previous build wrote them (state text encoded to UTF-8) are read by the stores that now write bytes.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableBatchTransportTests(AzuriteFixture azurite)
{
    private readonly string _prefix = "b" + Guid.NewGuid().ToString("N")[..12];

    public static TheoryData<string> Keys => new() { "plain", "o'brien", "50%", "a|b~c", "é 日本 🙂", "+@.-_" };

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task Add_EveryColumnType_StoresWhatTheSdkStores(string key)
    {
        var (service, transport) = Clients();
        var table = await TableAsync(service);

        var etags = await transport.SubmitAsync(table.Name, [new TableTransactionAction(TableTransactionActionType.Add, Row("lean", key))], CancellationToken.None);
        await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, Row("sdk", key))]);

        var lean = (await table.GetEntityAsync<TableEntity>("lean", key)).Value;
        var sdk = (await table.GetEntityAsync<TableEntity>("sdk", key)).Value;
        Assert.Equal(lean.ETag.ToString(), Assert.Single(etags));
        Assert.Equal(Columns(sdk), Columns(lean));
        Assert.False(lean.ContainsKey("Absent"));

        // The key in the operation's URL (quotes doubled, percent-encoded): replace if-match, then delete if-match.
        var replaced = await transport.SubmitAsync(
            table.Name, [new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("lean", key) { ["Text"] = "again" }, lean.ETag)], CancellationToken.None);
        var again = (await table.GetEntityAsync<TableEntity>("lean", key)).Value;
        Assert.Equal("again", again.GetString("Text"));
        Assert.Equal(again.ETag.ToString(), Assert.Single(replaced));
        await transport.SubmitAsync(table.Name, [new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity("lean", key), again.ETag)], CancellationToken.None);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("lean", key)).HasValue);
    }

    [Fact]
    public async Task Query_EveryColumnTypeOverSeveralPages_ReadsWhatTheSdkReads()
    {
        var (service, transport) = Clients();
        var table = await TableAsync(service);
        List<string> keys = ["plain", "o'brien", "50%", "a|b~c", "é 日本 🙂", "+@.-_"];
        foreach (var key in keys)
        {
            var row = Row("q", key);
            row["Data1"] = new byte[60_000];
            row["Negative"] = -7L;
            await table.AddEntityAsync(row);
        }

        await table.AddEntityAsync(new TableEntity("q", "~bare"));
        await table.AddEntityAsync(Row("other", "x"));
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"q"} and RowKey lt {"~z"}");

        var lean = await transport.QueryAsync(table.Name, filter, 2, CancellationToken.None);
        var sdk = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter))
        {
            sdk.Add(row);
        }

        Assert.InRange(lean.Count, 5, keys.Count + 1); // several pages of 2
        Assert.Equal(sdk.Count, lean.Count);
        Assert.Equal(sdk.Select(r => r.RowKey), lean.Select(r => r.RowKey));
        Assert.Equal(sdk.Select(r => r.ETag), lean.Select(r => r.ETag));
        Assert.Equal(sdk.Select(r => r.PartitionKey), lean.Select(r => r.PartitionKey));
        Assert.Equal(sdk.Select(r => r.Timestamp), lean.Select(r => r.Timestamp));
        Assert.Equal(sdk.Select(Columns), lean.Select(Columns));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 15, 5, 6, 789, TimeSpan.Zero).AddTicks(1234), lean[0].GetDateTimeOffset("At"));
        Assert.Equal(long.MaxValue, lean[0].GetInt64("Long"));
    }

    [Fact]
    public async Task ReplaceMergeUpsertDelete_InOneTransaction_AsTheSdk()
    {
        var (service, transport) = Clients();
        var table = await TableAsync(service);
        var replaced = (await table.AddEntityAsync(Row("p", "replaced"))).Headers.ETag!.Value;
        var merged = (await table.AddEntityAsync(Row("p", "merged"))).Headers.ETag!.Value;
        var deleted = (await table.AddEntityAsync(Row("p", "deleted"))).Headers.ETag!.Value;
        await table.AddEntityAsync(Row("p", "upserted"));

        var etags = await transport.SubmitAsync(
            table.Name,
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("p", "replaced") { ["Only"] = "this" }, replaced),
                new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity("p", "merged") { ["Added"] = 7 }, merged),
                new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity("p", "deleted"), deleted),
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("p", "upserted") { ["Fresh"] = true }),
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("p", "created") { ["New"] = 1L }),
            ],
            CancellationToken.None);

        var replacedRow = (await table.GetEntityAsync<TableEntity>("p", "replaced")).Value;
        Assert.Equal("this", replacedRow.GetString("Only"));
        Assert.Null(replacedRow.GetString("Text"));
        var mergedRow = (await table.GetEntityAsync<TableEntity>("p", "merged")).Value;
        Assert.Equal(7, mergedRow.GetInt32("Added"));
        Assert.Equal("O'Brien & ünïcode", mergedRow.GetString("Text"));
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "deleted")).HasValue);
        Assert.Equal(["Fresh"], Columns((await table.GetEntityAsync<TableEntity>("p", "upserted")).Value).Keys);
        Assert.Equal(1L, (await table.GetEntityAsync<TableEntity>("p", "created")).Value.GetInt64("New"));
        Assert.Equal(replacedRow.ETag.ToString(), etags[0]);
        Assert.Equal(mergedRow.ETag.ToString(), etags[1]);
        Assert.Null(etags[2]);
    }

    [Fact]
    public async Task Insert_OfAnExistingRow_FailsTheWholeTransactionNamingTheOperation()
    {
        var (service, transport) = Clients();
        var table = await TableAsync(service);
        await table.AddEntityAsync(Row("p", "exists"));

        var ex = await Assert.ThrowsAsync<BatchFailedException>(() => transport.SubmitAsync(
            table.Name,
            [new TableTransactionAction(TableTransactionActionType.Add, Row("p", "new")), new TableTransactionAction(TableTransactionActionType.Add, Row("p", "exists"))],
            CancellationToken.None));

        Assert.Equal(409, ex.Status);
        Assert.Equal(1, ex.FailedIndex);
        Assert.Equal("EntityAlreadyExists", ex.ErrorCode);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "new")).HasValue);
    }

    [Fact]
    public async Task Replace_WithAStaleETag_Fails412AndWritesNothing()
    {
        var (service, transport) = Clients();
        var table = await TableAsync(service);
        var first = (await table.AddEntityAsync(Row("p", "row"))).Headers.ETag!.Value;
        await table.UpdateEntityAsync(new TableEntity("p", "row") { ["Text"] = "changed" }, first, TableUpdateMode.Replace);

        var ex = await Assert.ThrowsAsync<BatchFailedException>(() => transport.SubmitAsync(
            table.Name,
            [
                new TableTransactionAction(TableTransactionActionType.Add, Row("p", "other")),
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("p", "row") { ["Text"] = "mine" }, first),
            ],
            CancellationToken.None));

        Assert.Equal(412, ex.Status);
        Assert.Equal(1, ex.FailedIndex);
        Assert.Equal("changed", (await table.GetEntityAsync<TableEntity>("p", "row")).Value.GetString("Text"));
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "other")).HasValue);
    }

    [Fact]
    public void Transport_IsBuiltForAnAccountKey_NotForASas()
    {
        var keyed = new StorageTables(StorageClients.CreateTableService(Options(azurite.ConnectionString)), _prefix);
        var sas = new StorageTables(
            StorageClients.CreateTableService(Options($"TableEndpoint=http://127.0.0.1:{azurite.TablePort}/{AzuriteFixture.AccountName};SharedAccessSignature=sv=2019-02-02&sig=x")),
            _prefix);
        var plain = new StorageTables(new TableServiceClient(azurite.ConnectionString), _prefix);
        var optedOut = Options(azurite.ConnectionString);
        optedOut.LeanTransport = false;
        var sdkOnly = new StorageTables(StorageClients.CreateTableService(optedOut), _prefix);

        Assert.NotNull(keyed.Batches);
        Assert.Null(sas.Batches);
        Assert.Null(plain.Batches);
        Assert.Null(sdkOnly.Batches);
        Assert.Equal(Convert.FromBase64String(AzuriteFixture.AccountKey), StorageClients.AccountKeyOf("UseDevelopmentStorage=true"));
    }

    [Fact]
    public async Task RunRow_AsThePreviousBuildWroteIt_IsReadInAndOutOfAUnitOfWork()
    {
        var tables = new StorageTables(StorageClients.CreateTableService(Options(azurite.ConnectionString)), _prefix);
        var runs = new TableRunStore(tables, TimeProvider.System);
        var active = TestData.Waiting(TestData.Run("old", "c-old"), TestData.T0.AddHours(2));
        var done = TestData.Completed(TestData.Run("old-done", "c-old"), TestData.T0.AddHours(1));
        var contacts = await TableAsync(new TableServiceClient(azurite.ConnectionString), "Contacts");
        await contacts.AddEntityAsync(OldRunRow(active));
        await contacts.AddEntityAsync(OldRunRow(done));

        var read = await runs.GetAsync(active.RunId);
        IReadOnlyList<StoredRun> inScope;
        await using (var scope = new TableContactWork(tables).Begin("c-old"))
        {
            inScope = await runs.ListActiveForContactAsync("c-old");
            await scope.CommitAsync();
        }

        Assert.Equal(JourneyJson.SerializeState(active), JourneyJson.SerializeState(read!.State));
        Assert.Equal(active.RunId, Assert.Single(inScope).State.RunId);
        Assert.Equal(2, (await runs.ListForContactAsync("c-old")).Count);
    }

    [Fact]
    public async Task ActiveRuns_CompletedRowsAreNotParsed()
    {
        var tables = new StorageTables(StorageClients.CreateTableService(Options(azurite.ConnectionString)), _prefix);
        var runs = new TableRunStore(tables, TimeProvider.System);
        var active = await runs.CreateAsync(TestData.Run("j", "c-many"));
        var contacts = await TableAsync(new TableServiceClient(azurite.ConnectionString), "Contacts");

        // A completed run's row whose state would not even parse: listing the active runs never reads it.
        var broken = OldRunRow(TestData.Completed(TestData.Run("j-old", "c-many"), TestData.T0));
        broken["Data"] = "not json"u8.ToArray();
        await contacts.AddEntityAsync(broken);

        Assert.Equal(active.State.RunId, Assert.Single(await runs.ListActiveForContactAsync("c-many")).State.RunId);
    }

    /// <summary>A run row exactly as the build before this one wrote it: the state as text, then UTF-8.</summary>
    private static TableEntity OldRunRow(RunState state) => new(TableKeys.Escape(state.ContactId), "r|" + TableKeys.Escape(state.RunId))
    {
        ["RunId"] = state.RunId,
        ["JourneyId"] = state.JourneyId,
        ["ContactId"] = state.ContactId,
        ["HasKey"] = state.Key is not null,
        ["Key"] = state.Key,
        ["Generation"] = 1,
        ["StartedAt"] = state.StartedAt,
        ["EndedAt"] = state.EndedAt,
        ["Status"] = JourneyJson.Serialize(state.Status).Trim('"'),
        ["Until"] = state.Wait?.Until,
        ["Data"] = Encoding.UTF8.GetBytes(JourneyJson.SerializeState(state)),
        ["DataChunks"] = 1,
    };

    private static StorageOptions Options(string connectionString) => new() { Provider = StorageProvider.AzureStorage, ConnectionString = connectionString };

    private static TableEntity Row(string partition, string key) => new(partition, key)
    {
        ["Text"] = "O'Brien & ünïcode",
        ["Data"] = new byte[] { 0, 1, 2, 250, 255 },
        ["Int"] = -42,
        ["Long"] = long.MaxValue,
        ["Flag"] = true,
        ["Double"] = 3.25,
        ["At"] = new DateTimeOffset(2026, 12, 3, 17, 5, 6, 789, TimeSpan.FromHours(2)).AddTicks(1234),
        ["Id"] = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"),
        ["Absent"] = null,
    };

    /// <summary>The stored columns and their values (system columns aside), for comparing two rows.</summary>
    private static SortedDictionary<string, string> Columns(TableEntity row) => new(
        row.Where(kv => kv.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            .ToDictionary(kv => kv.Key, kv => $"{kv.Value?.GetType().Name}:{(kv.Value is byte[] b ? Convert.ToHexString(b) : Convert.ToString(kv.Value, System.Globalization.CultureInfo.InvariantCulture))}"),
        StringComparer.Ordinal);

    private (TableServiceClient Service, TableBatchTransport Transport) Clients()
    {
        var service = StorageClients.CreateTableService(Options(azurite.ConnectionString));
        return (service, TableBatchTransport.For(service) ?? throw new InvalidOperationException("No transport was built."));
    }

    private async Task<TableClient> TableAsync(TableServiceClient service, string name = "Batch")
    {
        var table = service.GetTableClient(_prefix + name);
        await table.CreateIfNotExistsAsync();
        return table;
    }
}
