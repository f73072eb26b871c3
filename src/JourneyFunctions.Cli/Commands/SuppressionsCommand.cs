using System.CommandLine;
using Azure;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;

namespace JourneyFunctions.Cli.Commands;

/// <summary>
/// <c>journeys suppressions rekey</c>: re-keys, all at once, the suppressions an earlier version wrote under the plain
/// SHA-256 of the address (<see cref="TableSuppressionStore.RekeyLegacyAsync"/>), so that no bare hash of an address
/// stays in storage and <c>Suppressions:ReadLegacyHashes</c> can be turned off. The key is the hosts' own
/// (<c>Suppressions:Key</c> from the configuration, never an option, so it stays out of shell history and process
/// lists, and is never printed). Safe while the hosts run and safe to repeat. Exit codes: 0 done, 2 a usage error
/// (no key, no connection string) or storage refused.
/// </summary>
internal static class SuppressionsCommand
{
    public const int Done = 0;

    public const int Failed = 2;

    public static Command Create()
    {
        var connectionString = new Option<string?>("--connection-string")
        {
            Description = "The storage account's connection string (default: Storage:ConnectionString of the configuration, e.g. Storage__ConnectionString).",
        };
        var tablePrefix = new Option<string?>("--table-prefix")
        {
            Description = "Prefix of the table names, as the hosts' Storage:TablePrefix (default: that setting, else jf).",
        };
        var rekey = new Command("rekey", "Re-key suppressions written under the plain SHA-256 of the address with the keyed hash (Suppressions:Key), and print how many.")
        {
            connectionString,
            tablePrefix,
        };
        rekey.SetAction((parse, cancellationToken) => RunRekeyAsync(
            CliConfiguration.Load(),
            parse.GetValue(connectionString),
            parse.GetValue(tablePrefix),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));

        return new Command("suppressions", "Maintenance of the suppression list in Table Storage.") { rekey };
    }

    public static async Task<int> RunRekeyAsync(IConfiguration configuration, string? connectionString, string? tablePrefix, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var key = configuration[$"{AddressHashOptions.SectionName}:{nameof(AddressHashOptions.Key)}"];
        if (string.IsNullOrEmpty(key))
        {
            await error.WriteLineAsync("journeys suppressions rekey: no Suppressions:Key in the configuration: set the key the hosts use (e.g. the environment variable Suppressions__Key).");
            return Failed;
        }

        AddressHasher hasher;
        try
        {
            hasher = new AddressHasher(key);
        }
        catch (ArgumentException ex)
        {
            // The message says what is wrong with the key (too short), never the key itself.
            await error.WriteLineAsync($"journeys suppressions rekey: Suppressions:Key is not usable: {ex.Message}");
            return Failed;
        }

        var options = new StorageOptions
        {
            ConnectionString = connectionString ?? configuration["Storage:ConnectionString"],
            TablePrefix = tablePrefix ?? configuration["Storage:TablePrefix"] ?? new StorageOptions().TablePrefix,
        };
        if (string.IsNullOrEmpty(options.ConnectionString))
        {
            await error.WriteLineAsync("journeys suppressions rekey: give the storage account with --connection-string (or Storage:ConnectionString in the configuration).");
            return Failed;
        }

        try
        {
            var store = new TableSuppressionStore(new StorageTables(StorageClients.CreateTableService(options), options.TablePrefix), TimeProvider.System);
            var rekeyed = await store.RekeyLegacyAsync(hasher, cancellationToken);
            await output.WriteLineAsync($"Re-keyed {rekeyed} suppression{(rekeyed == 1 ? string.Empty : "s")} written under the plain address hash (tables {options.TablePrefix}Suppressions, {options.TablePrefix}{TableSuppressionStore.ByTimeTableName}); none remain.");
            return Done;
        }
        catch (Exception ex) when (ex is RequestFailedException or ArgumentException or FormatException or InvalidOperationException)
        {
            // Storage's own message (no connection string or key is in it).
            await error.WriteLineAsync($"journeys suppressions rekey: {ex.GetType().Name}: {ex.Message}");
            return Failed;
        }
    }
}
