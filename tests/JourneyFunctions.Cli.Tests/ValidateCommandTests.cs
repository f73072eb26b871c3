using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Validation;

namespace JourneyFunctions.Cli.Tests;

public sealed class ValidateCommandTests : IDisposable
{
    private const string Welcome = """
        {
          "$schema": "../schema/journey.schema.json",
          "id": "welcome",
          "name": "Welcome series",
          "trigger": { "event": "contact.subscribed" },
          "steps": [
            { "id": "welcome", "type": "email", "template": "welcome" },
            { "id": "pause", "type": "wait", "duration": "P2D" },
            { "id": "tips", "type": "email", "template": "tips" },
            { "id": "onboarded", "type": "tags", "add": ["onboarded"] }
          ]
        }
        """;

    private readonly TempRepository _repo = new();

    public ValidateCommandTests()
    {
        _repo.AddTemplate("welcome");
        _repo.AddTemplate("tips");
    }

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Validate_ValidFile_ExitsZero()
    {
        var file = _repo.Write("journeys/welcome.json", Welcome);

        var (exitCode, output, error) = await CliRunner.RunAsync("validate", file);

        Assert.Equal(0, exitCode);
        Assert.Contains($"{file}: ok", output, StringComparison.Ordinal);
        Assert.Contains("1 journey checked: all valid.", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Fact]
    public async Task Validate_WebhookSecretNotConfigured_WarnsWithItsPathAndExitsZero()
    {
        const string configured = "cli-validate-configured-secret";
        var file = _repo.Write("journeys/crm.json", """
            {
              "id": "crm",
              "name": "CRM",
              "trigger": { "event": "order.placed" },
              "steps": [
                { "id": "crm", "type": "webhook", "url": "https://crm.example.com/hook",
                  "headers": { "Authorization": "Bearer {{secret:cli-validate-configured-secret}}", "X-Api-Key": "{{secret:cli-validate-missing-secret}}" } }
              ]
            }
            """);
        Environment.SetEnvironmentVariable($"Webhooks__Secrets__{configured}", "value-never-printed");
        try
        {
            var (exitCode, output, _) = await CliRunner.RunAsync("validate", file);

            Assert.Equal(0, exitCode);
            var warning = Assert.Single(output.Split('\n'), line => line.Contains("warning:", StringComparison.Ordinal));
            Assert.StartsWith($"{file}:$.steps[0].headers['X-Api-Key']: warning: the secret \"cli-validate-missing-secret\" is not configured", warning, StringComparison.Ordinal);
            Assert.EndsWith("[unconfigured-secret]", warning.TrimEnd(), StringComparison.Ordinal);
            Assert.DoesNotContain("value-never-printed", output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable($"Webhooks__Secrets__{configured}", null);
        }
    }

    [Fact]
    public async Task Validate_InvalidFile_ListsEveryErrorWithItsPathAndExitsOne()
    {
        var file = _repo.Write("journeys/welcome.json", Welcome
            .Replace("\"template\": \"tips\"", "\"template\": \"tipps\"", StringComparison.Ordinal)
            .Replace("\"duration\": \"P2D\"", "\"duration\": \"2 days\", \"next\": \"tip\"", StringComparison.Ordinal)
            .Replace("\"id\": \"welcome\",\n", "\"id\": \"Welcome!\",\n", StringComparison.Ordinal));

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", file);

        Assert.Equal(1, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith($"{file}:$.id: the journey id \"Welcome!\"", StringComparison.Ordinal) && l.EndsWith("[invalid-id]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{file}:$.steps[1].duration: ", StringComparison.Ordinal) && l.EndsWith("[invalid-duration]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{file}:$.steps[1].next: step \"tip\" does not exist; did you mean \"tips\"?", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{file}:$.steps[2].template: there is no template \"tipps\"", StringComparison.Ordinal) && l.EndsWith("[unknown-template]", StringComparison.Ordinal));
        Assert.Contains("1 journey checked: 1 with problems (4 in all).", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_StructuralProblems_AreAllListed()
    {
        var file = _repo.Write("journeys/welcome.json", Welcome
            .Replace("\"type\": \"wait\"", "\"type\": \"wiat\"", StringComparison.Ordinal)
            .Replace("\"add\":", "\"ad\":", StringComparison.Ordinal));

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", file);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{file}:$.steps[1].type: \"wiat\" is not a step type; did you mean \"wait\"?", output, StringComparison.Ordinal);
        Assert.Contains($"{file}:$.steps[3].ad: a tags step has no property \"ad\"; did you mean \"add\"? [unknown-property]", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_MalformedJson_GivesLineAndColumn()
    {
        var file = _repo.Write("journeys/broken.json", "{\n  \"id\": \"welcome\",\n  \"name\" \"Welcome\"\n}\n");

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", file);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{file}:3:10: not valid JSON at line 3, column 10: ", output, StringComparison.Ordinal);
        Assert.Contains("[malformed-json]", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_Folder_ChecksItsJsonFilesRecursivelyAndSkipsSchemas()
    {
        _repo.Write("journeys/welcome.json", Welcome);
        _repo.Write("journeys/nested/broken.json", "{");
        _repo.Write("journeys/journey.schema.json", JourneySchema.Generate());
        _repo.Write("journeys/notes.txt", "not a journey");

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", _repo.Journeys);

        Assert.Equal(1, exitCode);
        Assert.Contains(Path.Combine(_repo.Journeys, "welcome.json") + ": ok", output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_repo.Journeys, "nested", "broken.json") + ":1:2: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("schema.json", output, StringComparison.Ordinal);
        Assert.Contains("2 journeys checked: 1 with problems (1 in all).", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SeveralFiles_ChecksEachAndExitsOneIfAnyIsInvalid()
    {
        var good = _repo.Write("journeys/a.json", Welcome);
        var bad = _repo.Write("journeys/b.json", Welcome.Replace("P2D", "-P2D", StringComparison.Ordinal));

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", good, bad);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{good}: ok", output, StringComparison.Ordinal);
        Assert.Contains($"{bad}:$.steps[1].duration: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_MissingPath_ExitsTwo()
    {
        var missing = Path.Combine(_repo.Root, "nope.json");

        var (exitCode, output, error) = await CliRunner.RunAsync("validate", missing);

        Assert.Equal(2, exitCode);
        Assert.Contains($"no such file or folder: {missing}", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task Validate_FolderWithoutJourneyFiles_ExitsTwo()
    {
        _repo.Write("empty/readme.txt", "no journeys here");
        var folder = Path.Combine(_repo.Root, "empty");

        var (exitCode, _, error) = await CliRunner.RunAsync("validate", folder);

        Assert.Equal(2, exitCode);
        Assert.Contains($"no journey files (*.json) in {folder}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_NoPath_ExitsTwo()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("validate");

        Assert.Equal(2, exitCode);
        Assert.Contains("give at least one journey file or folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TemplatesOption_UsesThatFolder()
    {
        var file = _repo.Write("journeys/welcome.json", Welcome);
        var elsewhere = Path.Combine(_repo.Root, "other-templates");
        _repo.AddTemplate("welcome", "other-templates");

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", file, "--templates", elsewhere);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{file}:$.steps[2].template: there is no template \"tips\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TemplateFolderWithoutBody_IsReportedMissing()
    {
        File.Delete(Path.Combine(_repo.Root, "templates", "tips", "body.html.liquid"));
        var file = _repo.Write("journeys/welcome.json", Welcome);

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", file);

        Assert.Equal(1, exitCode);
        Assert.Contains("[unknown-template]", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TemplateIncludingAMissingPartial_IsATemplateProblem()
    {
        File.WriteAllText(Path.Combine(_repo.Root, "templates", "tips", "body.html.liquid"), "<p>Tips</p>\n{% include 'signature' %}\n");
        var file = _repo.Write("journeys/welcome.json", Welcome);

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", file);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n'), l => l.Contains("[template-problem]", StringComparison.Ordinal));
        Assert.StartsWith($"{file}:$.steps[2].template: template \"tips\" (body.html.liquid, line 2) includes \"signature\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TemplateUsingAVariableNoJourneyProvides_IsATemplateProblem()
    {
        File.WriteAllText(Path.Combine(_repo.Root, "templates", "tips", "subject.liquid"), "Your cart: {{ cart.total }}");
        var file = _repo.Write("journeys/welcome.json", Welcome);

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", file);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{file}:$.steps[2].template: ", output, StringComparison.Ordinal);
        Assert.Contains("[template-problem]", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_NoTemplatesFolderAnywhere_SaysTemplatesWereNotChecked()
    {
        using var bare = new TempRepository();
        var file = bare.Write("welcome.json", Welcome);

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", file);

        // The temp folder may sit below a folder that has a templates/ of its own; only a bare tree gives the note.
        if (TemplateFolders.FindFor(file) is null)
        {
            Assert.Equal(0, exitCode);
            Assert.Contains("template names were not checked", output, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(1, exitCode);
        }
    }

    [Fact]
    public async Task Validate_NoTemplatesFolderAndOtherProblems_StillSaysTemplatesWereNotChecked()
    {
        using var bare = new TempRepository();
        var file = bare.Write("welcome.json", Welcome.Replace("\"P2D\"", "\"P2X\"", StringComparison.Ordinal));

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", file);

        Assert.Equal(1, exitCode);
        Assert.Contains("[invalid-duration]", output, StringComparison.Ordinal);
        if (TemplateFolders.FindFor(file) is null)
        {
            Assert.Contains($"{file}: note: {JourneyValidator.TemplatesNote}", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Validate_StructuralProblems_SaysTheOtherChecksDidNotRun()
    {
        var file = _repo.Write("journeys/welcome.json", Welcome.Replace("\"name\"", "\"nmae\"", StringComparison.Ordinal));

        var (exitCode, output, _) = await CliRunner.RunAsync("validate", file);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{file}: note: {JourneyValidator.StructuralNote}", output, StringComparison.Ordinal);
    }
}

public sealed class SampleJourneyTests
{
    [Fact]
    public async Task Validate_TheRepositorySampleJourneys_AreAllValidWithTheirTemplates()
    {
        var journeys = Path.Combine(RepositoryRoot(), "journeys");

        var (exitCode, output, error) = await CliRunner.RunAsync("validate", journeys);

        Assert.True(exitCode == 0, output + error);
        Assert.DoesNotContain("not checked", output, StringComparison.Ordinal);
        Assert.Matches(@"[1-9]\d* journeys checked: all valid\.", output);
    }

    [Fact]
    public async Task Validate_SampleCartJourney_NotesWhichTemplateFieldsMustBeNumbers()
    {
        var file = Path.Combine(RepositoryRoot(), "journeys", "abandoned-cart.json");

        var (exitCode, output, error) = await CliRunner.RunAsync("validate", file);

        Assert.True(exitCode == 0, output + error);
        Assert.Contains(
            $"{file}: note: $.steps[1].template: template \"cart-reminder-1\" (_partials/items.liquid, line 9) applies times and money to \"item.price\" (each of trigger.items): these filters expect a number",
            output,
            StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JourneyFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No JourneyFunctions.sln above {AppContext.BaseDirectory}.");
    }
}
