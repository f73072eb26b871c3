using System.CommandLine;
using JourneyFunctions.Cli.Commands;

namespace JourneyFunctions.Cli;

/// <summary>The subcommands of <c>journeys</c>; each area adds its own factory here.</summary>
internal static class CliCommands
{
    public static IEnumerable<Command> All()
    {
        yield return ValidateCommand.Create();
        yield return SchemaCommand.Create();
        yield return ServeCommand.Create();
        yield return SimulateCommand.Create();
        yield return TestCommand.Create();
        yield return MapCommand.Create();
        yield return LoadCommand.Create();
        yield return ClockCommand.Create();
        yield return SuppressionsCommand.Create();
    }
}
