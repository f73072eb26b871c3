using System.CommandLine;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Validation;
using JourneyFunctions.Infrastructure.Templates;

namespace JourneyFunctions.Cli.Commands;

/// <summary>
/// <c>journeys validate &lt;files or folders&gt;...</c>: checks journey files and lists every problem as
/// <c>file:path: message [code]</c> (<c>file:line:column: ...</c> for malformed JSON). Exit code 0 when every file is
/// valid, 1 when any has a problem, 2 for a usage error (no path, a path that does not exist, a folder without
/// journey files, an unknown option).
/// Email templates are checked with the same Liquid catalog that renders them: they must exist, parse, and use only
/// variables the journey provides. A webhook header's <c>{{secret:NAME}}</c> with no <c>Webhooks:Secrets:NAME</c> in
/// the configuration the built-in host would read (<c>appsettings.json</c> of the current folder, environment
/// variables, also with the <c>JOURNEYS_</c> prefix) is a warning, which does not change the exit code.
/// </summary>
internal static class ValidateCommand
{
    public const int Valid = 0;

    public const int Invalid = 1;

    public const int UsageError = 2;

    /// <summary>Folders a recursive search skips: build output, packages and hidden folders hold no journeys.</summary>
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", "node_modules" };

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Journey files (.json) or folders; a folder means its *.json files, recursively (not *.schema.json or *.scenario.json).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var templates = new Option<DirectoryInfo?>("--templates")
        {
            Description = "Folder of email templates (templates/<name>/subject.liquid, body.html.liquid). Default: the nearest templates folder at or above each journey.",
        };
        var command = new Command("validate", "Check journey files and list every problem with its JSON path.")
        {
            paths,
            templates,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (parseResult.UnmatchedTokens.Count > 0)
            {
                error.WriteLine($"journeys validate: unknown option or argument: {string.Join(' ', parseResult.UnmatchedTokens)}. See journeys validate --help.");
                return Task.FromResult(UsageError);
            }

            return RunAsync(parseResult.GetValue(paths) ?? [], parseResult.GetValue(templates), output, error, ConfiguredSecrets.FromConfiguration(), cancellationToken);
        });
        return command;
    }

    /// <summary>Validates <paramref name="paths"/>; with <paramref name="secrets"/>, a webhook header's <c>{{secret:NAME}}</c> it does not hold is listed as a warning.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> paths, DirectoryInfo? templatesFolder, TextWriter output, TextWriter error, IWebhookSecretNames? secrets = null, CancellationToken cancellationToken = default)
    {
        if (paths.Count == 0)
        {
            error.WriteLine("journeys validate: give at least one journey file or folder, e.g. journeys validate journeys");
            return UsageError;
        }

        if (templatesFolder is { Exists: false })
        {
            error.WriteLine($"journeys validate: no such templates folder: {templatesFolder.FullName}");
            return UsageError;
        }

        var files = new List<string>();
        var missing = false;
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (Directory.Exists(path))
            {
                var found = JourneyFiles(path);
                if (found.Count == 0)
                {
                    // A folder with nothing to check is almost always a wrong path; passing it would hide that in CI.
                    error.WriteLine($"journeys validate: no journey files (*.json) in {path}");
                    missing = true;
                }

                files.AddRange(found);
            }
            else
            {
                error.WriteLine($"journeys validate: no such file or folder: {path}");
                missing = true;
            }
        }

        if (missing)
        {
            return UsageError;
        }

        // One catalog per templates folder, so each template is parsed once however many journeys use it.
        var catalogs = new Dictionary<string, LiquidTemplateRenderer>(StringComparer.Ordinal);
        var invalidFiles = 0;
        var problems = 0;
        foreach (var file in files)
        {
            string text;
            try
            {
                text = await File.ReadAllTextAsync(file, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"journeys validate: cannot read {file}: {ex.Message}");
                return UsageError;
            }

            var folder = templatesFolder?.FullName ?? TemplateFolders.FindFor(file);
            LiquidTemplateRenderer? catalog = null;
            if (folder is not null && !catalogs.TryGetValue(folder, out catalog))
            {
                catalog = new LiquidTemplateRenderer(folder);
                catalogs[folder] = catalog;
            }

            var result = JourneyValidator.Validate(text, catalog, secrets);
            if (result.IsValid)
            {
                output.WriteLine($"{file}: ok");
            }

            // Every skipped check is said, with or without problems, so a short list never looks like a full check.
            foreach (var note in result.Notes)
            {
                output.WriteLine($"{file}: note: {note}");
            }

            // Warnings do not fail the file (a secret may be set after the journey is published) but are always said.
            foreach (var warning in result.Warnings)
            {
                output.WriteLine($"{file}:{warning.Path}: warning: {warning.Message} [{warning.Code}]");
            }

            if (result.IsValid)
            {
                continue;
            }

            invalidFiles++;
            foreach (var problem in result.Errors)
            {
                problems++;
                output.WriteLine(problem.Line is { } line
                    ? $"{file}:{line}:{problem.Column ?? 1}: {problem.Message} [{problem.Code}]"
                    : $"{file}:{problem.Path}: {problem.Message} [{problem.Code}]");
            }
        }

        var noun = files.Count == 1 ? "journey" : "journeys";
        output.WriteLine(invalidFiles == 0
            ? $"{files.Count} {noun} checked: all valid."
            : $"{files.Count} {noun} checked: {invalidFiles} with problems ({problems} in all).");
        return invalidFiles == 0 ? Valid : Invalid;
    }

    /// <summary>
    /// The *.json files under a folder, in a stable order, skipping schema files, scenario files (journey tests, see
    /// <c>journeys test</c>), build output and hidden folders.
    /// </summary>
    private static List<string> JourneyFiles(string folder)
    {
        var found = new List<string>();
        var pending = new Stack<string>();
        pending.Push(folder);
        while (pending.TryPop(out var dir))
        {
            found.AddRange(Directory.EnumerateFiles(dir, "*.json")
                .Where(f => !f.EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase)
                    && !f.EndsWith(".scenario.json", StringComparison.OrdinalIgnoreCase)));
            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                var name = Path.GetFileName(sub);
                if (!name.StartsWith('.') && !SkippedFolders.Contains(name))
                {
                    pending.Push(sub);
                }
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }
}
