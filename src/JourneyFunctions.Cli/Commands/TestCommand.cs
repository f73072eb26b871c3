using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Simulation;

namespace JourneyFunctions.Cli.Commands;

/// <summary>
/// <c>journeys test [folder]</c>: runs every <c>*.scenario.json</c> under the folder and checks its expectations, so a
/// business keeps journey tests next to its journeys and runs them in CI. Exit codes: 0 all passed, 1 a scenario
/// failed (or could not be read), 2 no scenario was found.
/// </summary>
public static class TestCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("path")
        {
            Description = "A folder of *.scenario.json files (searched recursively) or one scenario file. Default: journeys/tests.",
            DefaultValueFactory = _ => Path.Combine("journeys", "tests"),
        };
        var templates = new Option<DirectoryInfo?>("--templates")
        {
            Description = "The email templates folder. Default: a templates folder next to or above each journey.",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON result per scenario instead of text." };
        var command = new Command("test", "Run journey scenarios and check their expectations; exits non-zero on any failure.")
        {
            folder, templates, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var root = parse.GetValue(folder)!;
            var files = ScenarioSuite.Find(root);
            if (files.Count == 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"No *{ScenarioFile.Suffix} files found at {Path.GetFullPath(root)}.");
                return 2;
            }

            var outcomes = new List<ScenarioOutcome>(files.Count);
            foreach (var file in files)
            {
                var outcome = await ScenarioSuite.RunAsync(file, templatesDirectory: parse.GetValue(templates)?.FullName, cancellationToken: cancellationToken);
                outcomes.Add(outcome);
                if (!parse.GetValue(json))
                {
                    await output.WriteAsync(Describe(outcome, root));
                }
            }

            var failed = outcomes.Count(o => !o.Passed);
            if (parse.GetValue(json))
            {
                var results = outcomes.Select(o => new
                {
                    path = Relative(o.Path, root),
                    passed = o.Passed,
                    problems = o.Problems,
                    warnings = o.Warnings,
                    error = o.Report?.Error,
                    expectations = o.Report?.Expectations,
                });
                await output.WriteLineAsync(JsonSerializer.Serialize(results, ScenarioFile.JsonOptions));
            }
            else
            {
                await output.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{outcomes.Count} scenario(s): {outcomes.Count - failed} passed, {failed} failed"));
            }

            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>PASS/FAIL for one scenario, and on failure every expectation that did not hold, with what happened instead.</summary>
    public static string Describe(ScenarioOutcome outcome, string root)
    {
        var sb = new System.Text.StringBuilder();
        var name = Relative(outcome.Path, root);
        var count = outcome.Report?.Expectations.Count ?? 0;
        sb.Append(outcome.Passed ? "PASS  " : "FAIL  ").Append(name);
        if (outcome.Report is { } r)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  ({r.JourneyId}, {count} expectation(s), {r.Emails.Count} email(s))");
        }

        sb.Append('\n');
        foreach (var problem in outcome.Problems)
        {
            sb.Append("      invalid: ").Append(problem).Append('\n');
        }

        foreach (var warning in outcome.Warnings)
        {
            sb.Append("      warning: ").Append(warning).Append('\n');
        }

        if (outcome.Report is { } report)
        {
            if (report.Error is not null)
            {
                sb.Append("      stopped: ").Append(report.Error).Append('\n');
            }

            if (count == 0)
            {
                sb.Append("      (no expectations: the scenario only checks that the journey runs)\n");
            }

            foreach (var failed in report.Expectations.Where(e => !e.Passed))
            {
                sb.Append("      expected ").Append(failed.Expectation);
                if (failed.Detail is not null)
                {
                    sb.Append("\n        but ").Append(failed.Detail);
                }

                sb.Append('\n');
            }
        }

        return sb.ToString();
    }

    private static string Relative(string path, string root)
    {
        var baseDir = Directory.Exists(root) ? Path.GetFullPath(root) : Path.GetDirectoryName(Path.GetFullPath(root))!;
        return Path.GetRelativePath(baseDir, path);
    }
}
