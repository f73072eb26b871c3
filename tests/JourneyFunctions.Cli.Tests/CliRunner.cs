using System.CommandLine;

namespace JourneyFunctions.Cli.Tests;

/// <summary>Runs the real <c>journeys</c> command tree in-process with captured output, as Program.cs builds it.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand("journeys");
        foreach (var command in CliCommands.All())
        {
            root.Subcommands.Add(command);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}

/// <summary>A temporary folder laid out like a repository: journeys/ and templates/ side by side.</summary>
internal sealed class TempRepository : IDisposable
{
    public TempRepository()
    {
        Root = Path.Combine(Path.GetTempPath(), "journeys-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Journeys => Path.Combine(Root, "journeys");

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void AddTemplate(string name, string folder = "templates")
    {
        Write(Path.Combine(folder, name, "subject.liquid"), "Hello {{ contact.firstName }}");
        Write(Path.Combine(folder, name, "body.html.liquid"), "<p>Hi</p>");
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
