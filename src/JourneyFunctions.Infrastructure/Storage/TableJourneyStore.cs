using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Journey definitions in Table Storage. <c>Journeys</c>: PK = journey id; one row per version (RK = version
/// zero-padded, immutable once written) and a <c>latest</c> row with the newest definition, its summary and the
/// paused flag. Publishing writes the version row and moves the latest row in one entity-group transaction guarded by
/// the latest row's ETag, so two publishers never get the same version number.
/// </summary>
public sealed class TableJourneyStore(StorageTables tables, TimeProvider timeProvider) : IJourneyStore
{
    private const string TableName = "Journeys";
    private const string LatestRow = "latest";
    private const int MaxAttempts = 50;

    public async Task<JourneyDefinition> PublishAsync(JourneyDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var table = await tables.GetAsync(TableName, cancellationToken);
        var pk = TableKeys.Escape(definition.Id);
        for (var attempt = 1; ; attempt++)
        {
            var latest = await table.GetEntityIfExistsAsync<TableEntity>(pk, LatestRow, cancellationToken: cancellationToken);
            var version = latest.HasValue ? latest.Value!.GetInt32("LatestVersion")!.Value + 1 : 1;
            var published = definition with { Version = version };
            var json = JsonUtf8(published);

            var versionRow = new TableEntity(pk, VersionRow(version));
            TablePayload.Write(versionRow, json, $"Journey '{definition.Id}' version {version}");
            var latestRow = new TableEntity(pk, LatestRow)
            {
                ["JourneyId"] = definition.Id,
                ["Name"] = definition.Name,
                ["LatestVersion"] = version,
                ["Paused"] = latest.HasValue && (latest.Value!.GetBoolean("Paused") ?? false),
                ["PublishedAt"] = timeProvider.GetUtcNow(),
                ["Stage"] = definition.Stage is { } stage ? JourneyJson.Serialize(stage).Trim('"') : null,
                ["TriggerEvent"] = definition.Trigger.Event,
            };
            TablePayload.Write(latestRow, json, $"Journey '{definition.Id}' version {version}");

            TableTransactionAction[] batch =
            [
                new(TableTransactionActionType.Add, versionRow),
                latest.HasValue
                    ? new(TableTransactionActionType.UpdateReplace, latestRow, latest.Value!.ETag)
                    : new(TableTransactionActionType.Add, latestRow),
            ];
            try
            {
                await table.SubmitTransactionAsync(batch, cancellationToken);
                return published;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another publisher took this version number: read the new latest row and try the next one.
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), cancellationToken);
            }
        }
    }

    public async Task<JourneyDefinition?> GetAsync(string journeyId, int? version = null, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(journeyId), version is { } v ? VersionRow(v) : LatestRow, cancellationToken: cancellationToken);
        return row.HasValue ? JourneyJson.DeserializeJourney(Encoding.UTF8.GetString(TablePayload.Read(row.Value!))) : null;
    }

    /// <remarks>Reads the latest rows of every journey: a filtered scan of the Journeys table, which stays small.</remarks>
    public async Task<IReadOnlyList<JourneySummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var list = new List<JourneySummary>();
        var filter = TableClient.CreateQueryFilter($"RowKey eq {LatestRow}");
        string[] columns = ["JourneyId", "Name", "LatestVersion", "Paused", "PublishedAt", "Stage", "TriggerEvent"];
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: columns, cancellationToken: cancellationToken))
        {
            var stage = row.GetString("Stage") is { } s ? System.Text.Json.JsonSerializer.Deserialize<JourneyStage>($"\"{s}\"", JourneyJson.Options) : (JourneyStage?)null;
            list.Add(new JourneySummary(
                row.GetString("JourneyId"),
                row.GetString("Name"),
                row.GetInt32("LatestVersion") ?? 0,
                row.GetBoolean("Paused") ?? false,
                row.GetDateTimeOffset("PublishedAt") ?? default,
                stage,
                row.GetString("TriggerEvent")));
        }

        return list;
    }

    public async Task<bool> SetPausedAsync(string journeyId, bool paused, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var pk = TableKeys.Escape(journeyId);
        for (var attempt = 1; ; attempt++)
        {
            var latest = await table.GetEntityIfExistsAsync<TableEntity>(pk, LatestRow, select: ["Paused"], cancellationToken: cancellationToken);
            if (!latest.HasValue)
            {
                return false;
            }

            try
            {
                await table.UpdateEntityAsync(new TableEntity(pk, LatestRow) { ["Paused"] = paused }, latest.Value!.ETag, TableUpdateMode.Merge, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < MaxAttempts)
            {
                // A publish moved the latest row meanwhile; read it again.
            }
        }
    }

    private static string VersionRow(int version) => version.ToString("D10", CultureInfo.InvariantCulture);

    private static byte[] JsonUtf8(JourneyDefinition definition) => Encoding.UTF8.GetBytes(JourneyJson.Serialize(definition));
}
