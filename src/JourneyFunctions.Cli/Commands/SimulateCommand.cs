using System.CommandLine;
using System.Text.Json;
using JourneyFunctions.Simulation;

namespace JourneyFunctions.Cli.Commands;

/// <summary>
/// <c>journeys simulate [journey.json] --scenario file</c>: plays a scenario through the real machine, services and
/// templates on a virtual clock and prints the contact's timeline. Exit codes: 0 ran (and every expectation held),
/// 1 an expectation failed or the simulation stopped early, 2 the input could not be read.
/// </summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var journey = new Argument<FileInfo?>("journey")
        {
            Description = "The journey JSON. Optional when the scenario names its journey.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var scenario = new Option<FileInfo>("--scenario", "-s")
        {
            Description = "The scenario file: contact, events, runFor and expectations (see docs/simulator.md).",
        };
        var templates = new Option<DirectoryInfo?>("--templates")
        {
            Description = "The email templates folder. Default: a templates folder next to or above the journey.",
        };
        var json = new Option<bool>("--json") { Description = "Print the full report as JSON (timeline, rendered emails, runs, expectations)." };
        var printSchema = new Option<bool>("--print-schema") { Description = "Print the JSON Schema of scenario files (schema/scenario.schema.json) and exit." };
        var command = new Command("simulate", "Play a scenario through a journey on a virtual clock and print the timeline.")
        {
            journey, scenario, templates, json, printSchema,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(printSchema))
            {
                await output.WriteAsync(ScenarioSchema.Generate());
                return 0;
            }

            if (parse.GetValue(scenario) is not { } scenarioFile)
            {
                await error.WriteLineAsync("Give the scenario with --scenario <file> (see docs/simulator.md).");
                return 2;
            }

            var outcome = await ScenarioSuite.RunAsync(
                scenarioFile.FullName,
                parse.GetValue(journey)?.FullName,
                parse.GetValue(templates)?.FullName,
                cancellationToken);
            if (outcome.Report is not { } report)
            {
                await error.WriteLineAsync($"{scenarioFile.FullName}: cannot simulate");
                foreach (var problem in outcome.Problems)
                {
                    await error.WriteLineAsync("  " + problem);
                }

                return 2;
            }

            await output.WriteAsync(parse.GetValue(json)
                ? JsonSerializer.Serialize(report, ScenarioFile.JsonOptions) + Environment.NewLine
                : SimulationReportText.Format(report));
            return report.Passed ? 0 : 1;
        });
        return command;
    }
}
