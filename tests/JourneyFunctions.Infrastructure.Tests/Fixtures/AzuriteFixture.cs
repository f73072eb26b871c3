using System.Globalization;
using System.Text.RegularExpressions;

namespace JourneyFunctions.Infrastructure.Tests.Fixtures;

/// <summary>
/// One real Azurite (the Azure Storage emulator, pinned in package.json) for the whole test run, in memory, on free
/// loopback ports. Storage tests run against it, never against mocks; each test uses its own table prefix and queue
/// names, so they do not see each other's data.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>The emulator's well-known development account key (public, documented by Microsoft).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public const string AccountName = "devstoreaccount1";

    private ServiceProcess? _azurite;

    public string ConnectionString { get; private set; } = "";

    public int BlobPort { get; private set; }

    public int QueuePort { get; private set; }

    public int TablePort { get; private set; }

    public async Task InitializeAsync()
    {
        var bin = await NpmTools.EnsureInstalledAsync("azurite");
        string[] args =
        [
            "--silent", "--inMemoryPersistence", "--extentMemoryLimit", "256", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", "0", "--queuePort", "0", "--tablePort", "0",
            "--skipApiVersionCheck", "--loose",
        ];
        _azurite = await ServiceProcess.StartAsync(bin, args, [Listening("Blob"), Listening("Queue"), Listening("Table")], TimeSpan.FromSeconds(60));
        BlobPort = Port(_azurite.Ready[0]);
        QueuePort = Port(_azurite.Ready[1]);
        TablePort = Port(_azurite.Ready[2]);
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};" +
            $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";
    }

    public Task DisposeAsync()
    {
        _azurite?.Dispose();
        return Task.CompletedTask;
    }

    private static Regex Listening(string service) =>
        new($"Azurite {service} service is successfully listening at http://127\\.0\\.0\\.1:(?<port>\\d+)", RegexOptions.CultureInvariant);

    private static int Port(Match match) => int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture);
}

/// <summary>Test classes in this collection share the one Azurite of the run.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
