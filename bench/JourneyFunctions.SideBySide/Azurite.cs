using System.Globalization;
using System.Text.RegularExpressions;
using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.SideBySide;

/// <summary>
/// The one Azurite of a benchmark run, started from the repository's node_modules (npm ci first when it is missing),
/// in memory, on free loopback ports, with the same arguments as the test fixtures.
/// </summary>
public sealed partial class Azurite : IDisposable
{
    private const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known development account key (public, documented by Microsoft).</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly ServiceProcess _process;

    private Azurite(ServiceProcess process, string connectionString)
    {
        _process = process;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public int ProcessId => _process.ProcessId;

    public static async Task<Azurite> StartAsync()
    {
        var bin = await NpmTools.EnsureInstalledAsync("azurite");
        string[] args =
        [
            "--silent", "--inMemoryPersistence", "--extentMemoryLimit", "512", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", "0", "--queuePort", "0", "--tablePort", "0",
            "--skipApiVersionCheck", "--loose",
        ];
        var process = await ServiceProcess.StartAsync(bin, args, [Listening("Blob"), Listening("Queue"), Listening("Table")], TimeSpan.FromSeconds(60));
        var ports = process.Ready.Select(m => int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture)).ToArray();
        return new Azurite(process,
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{ports[0]}/{AccountName};" +
            $"QueueEndpoint=http://127.0.0.1:{ports[1]}/{AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{ports[2]}/{AccountName};");
    }

    public void Dispose() => _process.Dispose();

    private static Regex Listening(string service) => service switch
    {
        "Blob" => BlobListening(),
        "Queue" => QueueListening(),
        _ => TableListening(),
    };

    [GeneratedRegex(@"Azurite Blob service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex BlobListening();

    [GeneratedRegex(@"Azurite Queue service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex QueueListening();

    [GeneratedRegex(@"Azurite Table service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex TableListening();
}
