using Azure.Data.Tables;
using JourneyFunctions.Cli.Commands;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Microsoft.Extensions.Configuration;

namespace JourneyFunctions.Cli.Tests.Commands;

/// <summary><c>journeys suppressions rekey</c> on a real Azurite: rows an earlier version wrote under the plain hash.</summary>
public sealed class SuppressionsCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Key = "cli-suppressions-rekey-key-0123456789abcdef";

    private readonly string _prefix = "cli" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Rekey_LegacyRows_RekeysThemPrintsTheCountAndIsRepeatable()
    {
        await WriteLegacyAsync("gone@example.com");
        await WriteLegacyAsync("bounced@example.com");
        var configuration = Configuration(new() { ["Suppressions:Key"] = Key });

        var (first, firstOutput, firstError) = await RekeyAsync(configuration);
        var (second, secondOutput, _) = await RekeyAsync(configuration);

        Assert.True(first == SuppressionsCommand.Done, firstError);
        Assert.StartsWith("Re-keyed 2 suppressions written under the plain address hash", firstOutput, StringComparison.Ordinal);
        Assert.Equal(SuppressionsCommand.Done, second);
        Assert.StartsWith("Re-keyed 0 suppressions", secondOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, firstOutput + firstError, StringComparison.Ordinal);
        var hasher = new AddressHasher(Key);
        var hashes = (await RowsAsync("Suppressions")).Select(r => r.GetString("AddressHash")).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { hasher.Compute("gone@example.com"), hasher.Compute("bounced@example.com") }.Order(StringComparer.Ordinal), hashes);
    }

    [Fact]
    public async Task Rekey_NoKeyConfigured_Exit2AndTouchesNothing()
    {
        await WriteLegacyAsync("kept@example.com");

        var (code, output, error) = await RekeyAsync(Configuration([]));

        Assert.Equal(SuppressionsCommand.Failed, code);
        Assert.Empty(output);
        Assert.Contains("Suppressions:Key", error, StringComparison.Ordinal);
        Assert.Equal(AddressHasher.Legacy("kept@example.com"), Assert.Single(await RowsAsync("Suppressions")).GetString("AddressHash"));
    }

    [Fact]
    public async Task Rekey_KeyTooShort_Exit2WithoutPrintingIt()
    {
        var (code, _, error) = await RekeyAsync(Configuration(new() { ["Suppressions:Key"] = "short-key-abc" }));

        Assert.Equal(SuppressionsCommand.Failed, code);
        Assert.Contains("at least 32 bytes", error, StringComparison.Ordinal);
        Assert.DoesNotContain("short-key-abc", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_SuppressionsRekeyHelp_ListsItsOptions()
    {
        var (code, output, _) = await CliRunner.RunAsync("suppressions", "rekey", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--connection-string", output, StringComparison.Ordinal);
        Assert.Contains("--table-prefix", output, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    private async Task<(int Code, string Output, string Error)> RekeyAsync(IConfiguration configuration)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await SuppressionsCommand.RunRekeyAsync(configuration, azurite.ConnectionString, _prefix, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A suppression and its time index row as the version before the keyed hash wrote them.</summary>
    private async Task WriteLegacyAsync(string address)
    {
        var hash = AddressHasher.Legacy(address);
        var service = new TableServiceClient(azurite.ConnectionString);
        var index = service.GetTableClient(_prefix + TableSuppressionStore.ByTimeTableName);
        await index.CreateIfNotExistsAsync();
        await index.UpsertEntityAsync(new TableEntity(TableSuppressionStore.MinuteKey(DateTimeOffset.UnixEpoch), hash) { ["AddressHash"] = hash });
        var table = service.GetTableClient(_prefix + "Suppressions");
        await table.CreateIfNotExistsAsync();
        await table.UpsertEntityAsync(new TableEntity(hash[..2], hash)
        {
            ["AddressHash"] = hash,
            ["Reason"] = "Bounced",
            ["At"] = DateTimeOffset.UnixEpoch,
            ["Detail"] = "hard bounce",
        });
    }

    private async Task<List<TableEntity>> RowsAsync(string name)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in new TableServiceClient(azurite.ConnectionString).GetTableClient(_prefix + name).QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }
}
