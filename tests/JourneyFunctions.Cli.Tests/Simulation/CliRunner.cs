using System.CommandLine;
using JourneyFunctions.Cli.Commands;

namespace JourneyFunctions.Cli.Tests.Simulation;

/// <summary>Runs <c>journeys</c> subcommands in-process, the way Program does, capturing standard output and error.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand("journeys");
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(TestCommand.Create());
        root.Subcommands.Add(MapCommand.Create());
        root.Subcommands.Add(LoadCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}

/// <summary>The repository root (the folder holding JourneyFunctions.sln): journeys/, templates/ and schema/.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "JourneyFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("JourneyFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder deleted after the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("journeys-test-").FullName;

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
