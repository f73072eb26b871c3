using System.Text.Json;
using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.Cli.Tests.Simulation;

public sealed class LoadAzuriteTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Load_Azurite_CountsTheStorageRequestsOfEveryPhase()
    {
        var (code, output, error) = await CliRunner.RunAsync(
            "load", "--contacts", "20", "--warmup", "5", "--journey", Repo.Path("journeys", "abandoned-cart.json"),
            "--storage", "azurite", "--connection-string", azurite.ConnectionString, "--json");

        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("azurite", root.GetProperty("storage").GetString());
        Assert.Equal(20, root.GetProperty("waitingRuns").GetInt32());
        Assert.False(root.TryGetProperty("bytesPerWaitingRun", out _));

        var ingest = root.GetProperty("ingest");
        Assert.Equal(20, ingest.GetProperty("operationsByKind").EnumerateObject().Where(k => k.Name.StartsWith("POST ", StringComparison.Ordinal) && k.Name.EndsWith("/messages", StringComparison.Ordinal)).Sum(k => k.Value.GetInt64()));

        var route = root.GetProperty("route");
        Assert.Equal(20, route.GetProperty("stepsVisited").GetInt64());
        // One event is one unit of work: one read of the contact's partition, one transaction (run, contact, timeline,
        // mark); the runs' timer rows are written too, as a transaction shared by runs due in the same minute or as a
        // plain upsert when a row is alone in its group commit (at most one write each), and the buffered counters'
        // flush (one partition read and one transaction per journey) may fall in the phase.
        var kinds = route.GetProperty("operationsByKind");
        Assert.Equal(20, kinds.GetProperty("GET Contacts(query)").GetInt64());
        var batches = kinds.GetProperty("POST $batch").GetInt64();
        var timerUpserts = kinds.TryGetProperty("PUT RunTimers(entity)", out var upserts) ? upserts.GetInt64() : 0;
        Assert.InRange(batches, 20, 42);
        Assert.True(batches + timerUpserts is >= 21 and <= 42, kinds.ToString());
        // A new contact's address goes into the email index (one upsert each).
        Assert.Equal(20, kinds.GetProperty("PUT ContactEmails(entity)").GetInt64());
        Assert.True(route.GetProperty("operationsPerStep").GetDouble() >= 1);
        Assert.Equal(route.GetProperty("storageOperations").GetInt64(), route.GetProperty("operationsByKind").EnumerateObject().Sum(k => k.Value.GetInt64()));

        var timers = root.GetProperty("timers");
        Assert.Equal(20, timers.GetProperty("emailsSent").GetInt32());
        Assert.True(timers.GetProperty("operationsByKind").GetProperty("GET Contacts(query)").GetInt64() >= 20);
    }
}
