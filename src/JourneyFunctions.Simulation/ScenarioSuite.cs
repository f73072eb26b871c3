using JourneyFunctions.Core.Validation;
using JourneyFunctions.Infrastructure.Templates;

namespace JourneyFunctions.Simulation;

/// <summary>The outcome of one scenario file: its report, or the problems that kept it from running.</summary>
public sealed record ScenarioOutcome(string Path, SimulationReport? Report, IReadOnlyList<string> Problems)
{
    /// <summary>What looks wrong but does not fail the scenario (a scripted event nothing in the journey listens to).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public bool Passed => Problems.Count == 0 && Report is { Passed: true };
}

/// <summary>
/// Journey tests: every <c>*.scenario.json</c> under a folder, each played by <see cref="JourneySimulator"/> against
/// the journey it names, with the templates found next to that journey. A scenario that cannot be read or run counts
/// as failed with its problems, never as skipped; so does one whose journey does not validate.
/// </summary>
public static class ScenarioSuite
{
    /// <summary>Scenario files under a folder (recursively), or the file itself, in a stable order.</summary>
    public static IReadOnlyList<string> Find(string path)
    {
        if (File.Exists(path))
        {
            return [Path.GetFullPath(path)];
        }

        return Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*" + ScenarioFile.Suffix, SearchOption.AllDirectories)
                .Select(Path.GetFullPath)
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
    }

    /// <summary>Runs one scenario file.</summary>
    /// <param name="path">The scenario file.</param>
    /// <param name="journeyPath">The journey to play it against; null: the one the scenario names.</param>
    /// <param name="templatesDirectory">The templates folder; null: the one found next to the journey.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static async Task<ScenarioOutcome> RunAsync(string path, string? journeyPath = null, string? templatesDirectory = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var loaded = await ScenarioFile.LoadAsync(path, cancellationToken);
            var journeyFile = journeyPath is null ? loaded.JourneyPath : Path.GetFullPath(journeyPath);
            if (journeyFile is null)
            {
                return new ScenarioOutcome(path, null, ["$.journey: name the journey file (relative to the scenario), or give it on the command line"]);
            }

            var templates = templatesDirectory ?? JourneySimulator.FindTemplates(journeyFile);
            if (templates is null)
            {
                return new ScenarioOutcome(path, null, [$"no templates folder found next to or above {journeyFile}; give one with --templates"]);
            }

            // The journey is validated as publishing would (templates included), so a test never plays a journey the
            // host would refuse.
            string text;
            try
            {
                text = await File.ReadAllTextAsync(journeyFile, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return new ScenarioOutcome(path, null, [$"cannot read the journey {journeyFile}: {ex.Message}"]);
            }

            var validation = JourneyValidator.Validate(text, new LiquidTemplateRenderer(templates));
            if (validation.Errors.Count > 0 || validation.Journey is not { } journey)
            {
                return new ScenarioOutcome(path, null, validation.Errors.Select(e => $"journey {System.IO.Path.GetFileName(journeyFile)} {e.Path}: {e.Message}").ToList());
            }

            // Every name an expectation uses must exist in the journey, or the check could never fail.
            var checks = ScenarioChecks.Check(loaded.Scenario, journey);
            if (checks.Errors.Count > 0)
            {
                return new ScenarioOutcome(path, null, checks.Errors) { Warnings = checks.Warnings };
            }

            var name = loaded.Scenario.Name ?? System.IO.Path.GetFileName(path);
            var report = await JourneySimulator.RunAsync(journey, loaded.Scenario, new SimulationOptions { TemplatesDirectory = templates }, name, cancellationToken);
            return new ScenarioOutcome(path, report with { Warnings = checks.Warnings }, []) { Warnings = checks.Warnings };
        }
        catch (ScenarioException ex)
        {
            return new ScenarioOutcome(path, null, ex.Problems);
        }
    }
}
