using JourneyFunctions.Core.Services;
using JourneyFunctions.Core.Validation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Host.Composition;

/// <summary>A journey file the host loaded at start: published (or unchanged), or refused with its problems.</summary>
public sealed record LoadedJourney(string File, string? Id, int? Version, bool Unchanged, IReadOnlyList<ValidationError> Problems);

/// <summary>What the host did at start, for the banner and for tests.</summary>
public sealed class StartupReport
{
    private readonly List<LoadedJourney> _journeys = [];

    public string? JourneysDirectory { get; internal set; }

    public IReadOnlyList<LoadedJourney> Journeys => _journeys;

    internal void Add(LoadedJourney journey) => _journeys.Add(journey);
}

/// <summary>
/// Publishes every <c>*.json</c> of the journeys folder before the runner starts. A file with problems is reported
/// with each problem's JSON path and skipped; the host still starts, so one broken journey does not stop the others.
/// </summary>
public sealed partial class JourneyLoader(
    JourneyPublisher publisher,
    StartupReport report,
    IOptions<JourneyHostOptions> options,
    ILogger<JourneyLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.PublishJourneysOnStart)
        {
            return;
        }

        var directory = HostPaths.Find(o.JourneysDirectory, "journeys");
        report.JourneysDirectory = directory;
        if (directory is null || !Directory.Exists(directory))
        {
            LogNoFolder(logger, directory ?? "journeys/");
            return;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var json = await File.ReadAllTextAsync(file, cancellationToken);
            var outcome = await publisher.PublishAsync(json, null, cancellationToken);
            if (!outcome.Succeeded)
            {
                foreach (var problem in outcome.Errors)
                {
                    LogProblem(logger, name, problem.ToString());
                }

                report.Add(new LoadedJourney(name, null, null, false, outcome.Errors));
                continue;
            }

            var journey = outcome.Published!;
            LogPublished(logger, journey.Id, journey.Version ?? 1, name, outcome.Unchanged);
            report.Add(new LoadedJourney(name, journey.Id, journey.Version, outcome.Unchanged, []));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "No journeys folder at {Directory}; nothing published at start")]
    private static partial void LogNoFolder(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{File}: {Problem} (journey skipped)")]
    private static partial void LogProblem(ILogger logger, string file, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Journey {JourneyId} v{Version} from {File} (unchanged: {Unchanged})")]
    private static partial void LogPublished(ILogger logger, string journeyId, int version, string file, bool unchanged);
}
